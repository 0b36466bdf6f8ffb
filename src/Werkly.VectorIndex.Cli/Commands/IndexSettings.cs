using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Configuration;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Options every index command takes: where the index is, the embedding model, and whether to print JSON.
/// <c>--index</c> and <c>--model</c> fall back to <c>WERKLY_INDEX</c>/<c>WERKLY_MODEL</c>, then werkly.json, then the defaults
/// (see <see cref="WerklyConfiguration"/>).</summary>
internal class IndexSettings : CommandSettings
{
    private WerklyConfiguration? _configuration;

    /// <summary>The default index folder, relative to the current directory.</summary>
    public const string DefaultIndexDirectory = WerklyConfiguration.DefaultIndex;

    /// <summary>The index folder.</summary>
    [CommandOption("--index <DIR>")]
    [Description("Index folder. Default: $WERKLY_INDEX, else \"index\" in ./werkly.json, else ./.werkly in the current directory.")]
    public string? Index { get; init; }

    /// <summary>The embedding model.</summary>
    [CommandOption("--model <MODEL>")]
    [Description(EmbeddingModel.ModelHelp)]
    public string? Model { get; init; }

    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print exactly one JSON object on stdout (progress and tables are left out; an error is {\"error\":{...}}).")]
    public bool Json { get; init; }

    /// <summary>The embedding model's precision.</summary>
    [CommandOption("--precision <PRECISION>")]
    [Description(EmbeddingModel.PrecisionHelp)]
    public string? Precision { get; init; }

    /// <summary>The parsed <see cref="Precision"/>.</summary>
    /// <exception cref="CommandFailedException">Not a known precision.</exception>
    public Embeddings.Onnx.ModelPrecision ModelPrecision => EmbeddingModel.ParsePrecision(Precision);

    /// <summary>The configuration the flags fall back to (environment and werkly.json of the working folder).</summary>
    public WerklyConfiguration Configuration => _configuration ??= WerklyConfiguration.Current;

    /// <summary>The index folder as a full path.</summary>
    public string IndexPath => Configuration.Index(Index).Value!;

    /// <summary>The effective model (the bundled model's name by default).</summary>
    public string ModelName => Configuration.Model(Model).Value!;

    /// <summary>Checks a company id against the index's rule, for <see cref="CommandSettings.Validate"/>.</summary>
    protected static ValidationResult ValidateCompany(string? company)
    {
        if (string.IsNullOrWhiteSpace(company))
            return ValidationResult.Error($"--company is required: the company (tenant) id, for example --company acme (or set {WerklyConfiguration.CompanyVariable}, or \"company\" in {WerklyConfiguration.FileName}).");
        try
        {
            InvalidIdentifierException.ThrowIfInvalidCompanyId(company);
            return ValidationResult.Success();
        }
        catch (InvalidIdentifierException e)
        {
            return ValidationResult.Error(e.Reason);
        }
    }
}

/// <summary>Index options plus the company a command works on (<c>--company</c>, else <c>WERKLY_COMPANY</c>, else werkly.json).</summary>
internal class CompanySettings : IndexSettings
{
    /// <summary>The company (tenant) id.</summary>
    [CommandOption("--company <ID>")]
    [Description("Company (tenant) id: 1 to 64 characters from [[A-Za-z0-9_.-]], not starting with a dot. Default: $WERKLY_COMPANY, else \"company\" in ./werkly.json.")]
    public string? Company { get; init; }

    /// <summary>The validated company id.</summary>
    public string CompanyId => Configuration.Company(Company).Value!;

    /// <inheritdoc />
    public override ValidationResult Validate() => ValidateCompany(Configuration.Company(Company).Value);
}
