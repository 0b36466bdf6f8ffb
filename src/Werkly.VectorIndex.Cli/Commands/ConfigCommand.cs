using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Configuration;
using Werkly.VectorIndex.Cli.Output;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly config</c>: the same flags the other commands take, so that their effect shows.</summary>
internal sealed class ConfigSettings : IndexSettings
{
    /// <summary>The company flag, to show what it overrides.</summary>
    [CommandOption("--company <ID>")]
    [Description("Company (tenant) id, as the other commands take it.")]
    public string? Company { get; init; }
}

/// <summary><c>werkly config [--index DIR] [--company ID] [--model M] [--json]</c>: the effective settings and where each
/// came from (flag, environment variable, werkly.json, default).</summary>
internal sealed class ConfigCommand : Command<ConfigSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ConfigSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var configuration = settings.Configuration;
        EffectiveSetting[] effective = [configuration.Index(settings.Index), configuration.Company(settings.Company), configuration.Model(settings.Model)];
        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                foreach (var setting in effective)
                {
                    w.WriteStartObject(setting.Name);
                    w.WriteString("value", setting.Value);
                    w.WriteString("source", setting.Source.ToString().ToLowerInvariant());
                    if (setting.Origin is not null) w.WriteString("origin", setting.Origin);
                    w.WriteEndObject();
                }
                w.WriteString("file", configuration.FilePath);
            });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Effective settings (flag > environment > werkly.json > default)")
            .AddColumn("setting").AddColumn("value").AddColumn("from");
        foreach (var setting in effective)
            table.AddRow(Markup.Escape(setting.Name), setting.Value is null ? "[grey](not set)[/]" : Markup.Escape(setting.Value), Markup.Escape(setting.DescribeSource()));
        Terminal.Out.Write(table);
        Terminal.Out.MarkupLine(configuration.FilePath is null
            ? $"[grey]No {WerklyConfiguration.FileName} in {Markup.Escape(configuration.WorkingDirectory)}. Environment: {WerklyConfiguration.IndexVariable}, {WerklyConfiguration.CompanyVariable}, {WerklyConfiguration.ModelVariable}.[/]"
            : $"[grey]Read {Markup.Escape(configuration.FilePath)}. Environment: {WerklyConfiguration.IndexVariable}, {WerklyConfiguration.CompanyVariable}, {WerklyConfiguration.ModelVariable}.[/]");
        return ExitCodes.Ok;
    }
}
