using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly stats</c>.</summary>
internal sealed class StatsSettings : IndexSettings
{
    /// <summary>Restrict to one company and list its documents.</summary>
    [CommandOption("--company <ID>")]
    [Description("Show only this company, and list its documents.")]
    public string? Company { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() => Company is null ? ValidationResult.Success() : ValidateCompany(Company);
}

/// <summary><c>werkly stats [--index DIR] [--json]</c>: companies, documents, chunks and the vector index's shape.</summary>
internal sealed class StatsCommand : AsyncCommand<StatsSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, StatsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var generator = EmbeddingModel.CreateDeferred(settings.ModelName, settings.ModelPrecision); // loaded only if something is embedded
        using var index = IndexLocation.OpenExisting(settings.IndexPath, generator, readOnly: true);
        var companies = index.Companies.Order(StringComparer.Ordinal).ToList();
        if (settings.Company is { } only)
        {
            if (!companies.Contains(only, StringComparer.Ordinal))
                throw SearchCommand.UnknownCompany(index, only);
            companies = [only];
        }

        var rows = companies.Select(c => (Company: c, Documents: index.DocumentCount(c), Chunks: index.ChunkCount(c), Shape: index.GetStatistics(c))).ToList();
        var documentIds = new List<string>();
        if (settings.Company is not null)
        {
            await foreach (var id in index.ListDocumentIdsAsync(settings.Company, cancellationToken).ConfigureAwait(false))
                documentIds.Add(id);
        }
        var sizeBytes = Directory.EnumerateFiles(settings.IndexPath, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("index", settings.IndexPath);
                w.WriteNumber("size_bytes", sizeBytes);
                w.WriteNumber("dimensions", index.Dimensions);
                w.WriteNumber("documents", rows.Sum(r => r.Documents));
                w.WriteNumber("chunks", rows.Sum(r => r.Chunks));
                w.WriteStartArray("companies");
                foreach (var (company, documents, chunks, shape) in rows)
                {
                    w.WriteStartObject();
                    w.WriteString("company", company);
                    w.WriteNumber("documents", documents);
                    w.WriteNumber("chunks", chunks);
                    w.WriteNumber("deleted_rows", shape.DeletedCount);
                    w.WriteNumber("lists", shape.ListCount);
                    w.WriteNumber("probes", shape.DefaultProbes);
                    w.WriteNumber("segments", shape.SegmentCount);
                    if (settings.Company is not null)
                    {
                        w.WriteStartArray("document_ids");
                        foreach (var id in documentIds) w.WriteStringValue(id);
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{settings.IndexPath} · {sizeBytes / 1024.0 / 1024.0:F1} MiB · {index.Dimensions} dimensions")))
            .AddColumn("company").AddColumn(new TableColumn("documents").RightAligned()).AddColumn(new TableColumn("chunks").RightAligned())
            .AddColumn(new TableColumn("search").RightAligned()).AddColumn(new TableColumn("segments").RightAligned()).AddColumn(new TableColumn("deleted rows").RightAligned());
        foreach (var (company, documents, chunks, shape) in rows)
        {
            table.AddRow(Markup.Escape(company), documents.ToString("N0", CultureInfo.InvariantCulture), chunks.ToString("N0", CultureInfo.InvariantCulture),
                shape.ListCount == 0 ? "exact (flat)" : string.Create(CultureInfo.InvariantCulture, $"IVF {shape.ListCount} lists, {shape.DefaultProbes} probes"),
                shape.SegmentCount.ToString(CultureInfo.InvariantCulture), shape.DeletedCount.ToString(CultureInfo.InvariantCulture));
        }
        if (rows.Count == 0) table.AddRow("[grey](no companies)[/]", "", "", "", "", "");
        Terminal.Out.Write(table);
        if (settings.Company is not null)
        {
            foreach (var id in documentIds) Terminal.Out.MarkupLine("  " + Markup.Escape(id));
        }
        return ExitCodes.Ok;
    }
}
