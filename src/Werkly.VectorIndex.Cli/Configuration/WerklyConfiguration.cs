using System.Collections;
using System.Text.Json;

namespace Werkly.VectorIndex.Cli.Configuration;

/// <summary>Where an effective setting came from, strongest first.</summary>
internal enum SettingSource
{
    /// <summary>A command-line flag.</summary>
    Flag,

    /// <summary>An environment variable (<c>WERKLY_INDEX</c>, <c>WERKLY_COMPANY</c>, <c>WERKLY_MODEL</c>).</summary>
    Environment,

    /// <summary>The <c>werkly.json</c> file in the working folder.</summary>
    File,

    /// <summary>The built-in default.</summary>
    Default,
}

/// <summary>One effective setting: its value (null when unset) and where it came from.</summary>
/// <param name="Name">The setting's name as the flag spells it without dashes (<c>index</c>, <c>company</c>, <c>model</c>).</param>
/// <param name="Value">The value, or null when nothing sets it and there is no default.</param>
/// <param name="Source">Where the value came from.</param>
/// <param name="Origin">The variable or file that set it, for <see cref="SettingSource.Environment"/> and <see cref="SettingSource.File"/>.</param>
internal sealed record EffectiveSetting(string Name, string? Value, SettingSource Source, string? Origin = null)
{
    /// <summary>For example <c>environment (WERKLY_INDEX)</c> or <c>werkly.json (/home/me/project/werkly.json)</c>.</summary>
    public string DescribeSource() => Source switch
    {
        SettingSource.Flag => "flag",
        SettingSource.Environment => $"environment ({Origin})",
        SettingSource.File => $"werkly.json ({Origin})",
        _ => "default",
    };
}

/// <summary>
/// The settings a command takes from outside its command line: <c>--index</c>, <c>--company</c> and <c>--model</c> come
/// from the flag when given, else from the environment variables <c>WERKLY_INDEX</c>, <c>WERKLY_COMPANY</c> and
/// <c>WERKLY_MODEL</c>, else from a <c>werkly.json</c> in the working folder (<c>{"index": "…", "company": "…",
/// "model": "…"}</c>), else from the default (index <c>./.werkly</c>, model <c>all-MiniLM-L6-v2</c>, no company).
/// </summary>
/// <remarks>A relative index path from <c>werkly.json</c> is relative to the file's folder, one from a flag or a variable
/// to the working folder (where they are typed). Empty values count as unset. Immutable and thread-safe once loaded.</remarks>
internal sealed class WerklyConfiguration
{
    /// <summary>The file read from the working folder.</summary>
    public const string FileName = "werkly.json";

    /// <summary>The environment variable of the index folder.</summary>
    public const string IndexVariable = "WERKLY_INDEX";

    /// <summary>The environment variable of the company.</summary>
    public const string CompanyVariable = "WERKLY_COMPANY";

    /// <summary>The environment variable of the embedding model.</summary>
    public const string ModelVariable = "WERKLY_MODEL";

    /// <summary>The default index folder, relative to the working folder.</summary>
    public const string DefaultIndex = ".werkly";

    private static readonly string[] Keys = ["index", "company", "model"];

    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly IReadOnlyDictionary<string, string> _file;

    private WerklyConfiguration(string workingDirectory, string? filePath, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> file)
    {
        WorkingDirectory = workingDirectory;
        FilePath = filePath;
        _environment = environment;
        _file = file;
    }

    /// <summary>The folder the configuration was loaded for.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The <c>werkly.json</c> read, or null when the folder has none.</summary>
    public string? FilePath { get; }

    /// <summary>The configuration of the process: its working folder and environment.</summary>
    /// <exception cref="CommandFailedException">werkly.json is not valid (exit code <see cref="ExitCodes.Usage"/>).</exception>
    public static WerklyConfiguration Current => Load(Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariables());

    /// <summary>Loads the configuration of <paramref name="workingDirectory"/> with the given environment.</summary>
    /// <param name="workingDirectory">Where werkly.json is looked for, and what relative paths are relative to.</param>
    /// <param name="environment">The environment variables (as <see cref="Environment.GetEnvironmentVariables()"/> returns them).</param>
    /// <exception cref="CommandFailedException">werkly.json is not valid (exit code <see cref="ExitCodes.Usage"/>).</exception>
    public static WerklyConfiguration Load(string workingDirectory, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        ArgumentNullException.ThrowIfNull(environment);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, name) in new[] { ("index", IndexVariable), ("company", CompanyVariable), ("model", ModelVariable) })
        {
            if (environment[name] is string value && !string.IsNullOrWhiteSpace(value))
                variables[key] = value;
        }
        var path = Path.Combine(workingDirectory, FileName);
        return File.Exists(path)
            ? new WerklyConfiguration(workingDirectory, path, variables, ReadFile(path))
            : new WerklyConfiguration(workingDirectory, null, variables, new Dictionary<string, string>());
    }

    /// <summary>The effective index folder (a full path) and its source.</summary>
    /// <param name="flag">The <c>--index</c> value, or null.</param>
    public EffectiveSetting Index(string? flag)
    {
        var setting = Resolve("index", flag, DefaultIndex);
        var baseDirectory = setting.Source == SettingSource.File ? Path.GetDirectoryName(FilePath)! : WorkingDirectory;
        return setting with { Value = Path.GetFullPath(setting.Value!, baseDirectory) };
    }

    /// <summary>The effective company and its source (value null when nothing sets it).</summary>
    /// <param name="flag">The <c>--company</c> value, or null.</param>
    public EffectiveSetting Company(string? flag) => Resolve("company", flag, null);

    /// <summary>The effective embedding model and its source.</summary>
    /// <param name="flag">The <c>--model</c> value, or null.</param>
    public EffectiveSetting Model(string? flag) => Resolve("model", flag, Cli.EmbeddingModel.DefaultName);

    private EffectiveSetting Resolve(string name, string? flag, string? fallback)
    {
        if (!string.IsNullOrWhiteSpace(flag))
            return new EffectiveSetting(name, flag, SettingSource.Flag);
        if (_environment.TryGetValue(name, out var variable))
            return new EffectiveSetting(name, variable, SettingSource.Environment, "WERKLY_" + name.ToUpperInvariant());
        if (_file.TryGetValue(name, out var value))
            return new EffectiveSetting(name, value, SettingSource.File, FilePath);
        return new EffectiveSetting(name, fallback, SettingSource.Default);
    }

    private static Dictionary<string, string> ReadFile(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid(path, "it must hold one JSON object, for example {\"index\": \".werkly\", \"company\": \"acme\"}.");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!Keys.Contains(property.Name, StringComparer.Ordinal))
                    throw Invalid(path, $"unknown setting \"{property.Name}\" (known: {string.Join(", ", Keys)}).");
                if (property.Value.ValueKind != JsonValueKind.String)
                    throw Invalid(path, $"\"{property.Name}\" must be a string.");
                if (property.Value.GetString() is { } value && !string.IsNullOrWhiteSpace(value))
                    values[property.Name] = value;
            }
            return values;
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"it is not valid JSON ({e.Message}).", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.UnreadableInput, $"Cannot read '{path}': {e.Message}", e);
        }
    }

    private static CommandFailedException Invalid(string path, string problem, Exception? inner = null) =>
        new(ExitCodes.Usage, $"'{path}' is not a valid werkly configuration: {problem}", inner);
}
