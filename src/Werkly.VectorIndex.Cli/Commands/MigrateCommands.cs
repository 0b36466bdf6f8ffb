using System.ComponentModel;
using System.Runtime.CompilerServices;
using Npgsql;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Postgres;
using Werkly.VectorIndex.Postgres.Migration;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly export</c>.</summary>
internal sealed class ExportSettings : IndexSettings
{
    /// <summary>Where to: postgres or jsonl.</summary>
    [CommandOption("--to <KIND>")]
    [Description("postgres (TARGET is a connection string) or jsonl (TARGET is a file; - for stdout).")]
    public string To { get; init; } = "";

    /// <summary>The connection string or file.</summary>
    [CommandArgument(0, "<TARGET>")]
    [Description("The Postgres connection string, or the JSONL file.")]
    public string Target { get; init; } = "";

    /// <summary>The Postgres collection.</summary>
    [CommandOption("--collection <NAME>")]
    [Description("The Postgres collection to write (created when missing). Default: documents.")]
    public string Collection { get; init; } = "documents";

    /// <summary>One company, or all.</summary>
    [CommandOption("--company <ID>")]
    [Description("Export this company only. Default: every company.")]
    public string? Company { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() => To is "postgres" or "jsonl"
        ? Company is null ? ValidationResult.Success() : ValidateCompany(Company)
        : ValidationResult.Error("--to must be postgres or jsonl.");
}

/// <summary>Settings of <c>werkly import</c>.</summary>
internal sealed class ImportSettings : IndexSettings
{
    /// <summary>Where from: postgres or jsonl.</summary>
    [CommandOption("--from <KIND>")]
    [Description("postgres (SOURCE is a connection string) or jsonl (SOURCE is a file).")]
    public string? From { get; init; }

    /// <summary>The connection string or file.</summary>
    [CommandArgument(0, "[SOURCE]")]
    [Description("The Postgres connection string or the JSONL file (with --from).")]
    public string? Source { get; init; }

    /// <summary>A pgvector table's connection string.</summary>
    [CommandOption("--from-pgvector <CONNSTRING>")]
    [Description("Import an existing pgvector table (with --table, --company-column, --vector-column).")]
    public string? FromPgvector { get; init; }

    /// <summary>The Postgres collection to read.</summary>
    [CommandOption("--collection <NAME>")]
    [Description("The Postgres collection to read (--from postgres). Default: documents.")]
    public string Collection { get; init; } = "documents";

    /// <summary>The dimensions of a new index.</summary>
    [CommandOption("--dimensions <N>")]
    [Description("The vector dimensions of a new index. Default: --shorten's, else 384, the bundled model's. An existing index keeps its own.")]
    public int? Dimensions { get; init; }

    /// <summary>The pgvector table's document column.</summary>
    [CommandOption("--document-column <COLUMN>")]
    [Description("The pgvector table's column naming each row's document (rows with the same value become one document). Default: each row is its own document.")]
    public string? DocumentColumn { get; init; }

    /// <summary>One company, or all.</summary>
    [CommandOption("--company <ID>")]
    [Description("Import this company only. Default: every company.")]
    public string? Company { get; init; }

    /// <summary>The pgvector table.</summary>
    [CommandOption("--table <TABLE>")]
    public string? Table { get; init; }

    /// <summary>The company column.</summary>
    [CommandOption("--company-column <COLUMN>")]
    public string? CompanyColumn { get; init; }

    /// <summary>The vector column.</summary>
    [CommandOption("--vector-column <COLUMN>")]
    public string? VectorColumn { get; init; }

    /// <summary>The text column.</summary>
    [CommandOption("--text-column <COLUMN>")]
    public string? TextColumn { get; init; }

    /// <summary>The title column.</summary>
    [CommandOption("--title-column <COLUMN>")]
    public string? TitleColumn { get; init; }

    /// <summary>The key column.</summary>
    [CommandOption("--key-column <COLUMN>")]
    [Description("The pgvector table's unique id column. Default: id.")]
    public string KeyColumn { get; init; } = "id";

    /// <summary>Shorten longer vectors to this many dimensions (the index's).</summary>
    [CommandOption("--shorten <DIMENSIONS>")]
    [Description("Shorten longer vectors (OpenAI text-embedding-3, 1536) to DIMENSIONS, the index's dimensions (Matryoshka truncation + renormalisation).")]
    public int? Shorten { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (FromPgvector is not null)
        {
            if (From is not null) return ValidationResult.Error("Give --from or --from-pgvector, not both.");
            if (Table is null || CompanyColumn is null || VectorColumn is null)
                return ValidationResult.Error("--from-pgvector needs --table, --company-column and --vector-column.");
            if (Shorten is < 1 or > 16_384) return ValidationResult.Error("--shorten must be between 1 and 16384.");
            if (Shorten is { } shorten && Dimensions is { } dimensions && shorten != dimensions)
                return ValidationResult.Error($"--shorten {shorten} and --dimensions {dimensions} disagree: vectors are shortened to the index's dimensions.");
        }
        else if (From is not ("postgres" or "jsonl") || string.IsNullOrWhiteSpace(Source))
        {
            return ValidationResult.Error("Give --from postgres CONNSTRING, --from jsonl FILE, or --from-pgvector CONNSTRING.");
        }
        else if (Shorten is not null || DocumentColumn is not null)
        {
            return ValidationResult.Error("--shorten and --document-column apply to --from-pgvector only.");
        }
        if (Dimensions is < 1 or > 16_384) return ValidationResult.Error("--dimensions must be between 1 and 16384.");
        return Company is null ? ValidationResult.Success() : ValidateCompany(Company);
    }
}

/// <summary><c>werkly export --to postgres CONNSTRING | --to jsonl FILE [--company C] [--collection NAME]</c>: copies the
/// index's records (vectors, texts, titles, metadata) out; resumable (a rerun continues where a killed one stopped).</summary>
internal sealed class ExportCommand : AsyncCommand<ExportSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var index = MigrationIndex.Open(settings.IndexPath, dimensions: null, create: false);
        if (settings.Company is { } company && !index.ContainsCompany(company))
            throw new CommandFailedException(ExitCodes.NotFound, $"The index has no company '{company}'.");
        var progress = MigrationIndex.Progress(settings.Json);
        long written;
        if (settings.To == "postgres")
        {
            using var store = new PostgresVectorStore(settings.Target);
            written = await MigrationIndex.RunAsync(() => IndexMigration.ExportToPostgresAsync(index, store, settings.Collection, settings.Company, progress, cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            var writer = settings.Target == "-" ? Console.Out : new StreamWriter(settings.Target, append: false);
            try
            {
                written = await IndexMigration.ExportToJsonlAsync(index, writer, settings.Company, progress, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (settings.Target != "-") await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
        MigrationIndex.Report(settings.Json, "exported", written);
        return ExitCodes.Ok;
    }
}

/// <summary><c>werkly import --from postgres CONNSTRING | --from jsonl FILE | --from-pgvector CONNSTRING --table T …</c>:
/// copies records into the index; resumable, nothing duplicated.</summary>
internal sealed class ImportCommand : AsyncCommand<ImportSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, ImportSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var index = MigrationIndex.Open(settings.IndexPath, settings.Shorten ?? settings.Dimensions, create: true);
        var progress = MigrationIndex.Progress(settings.Json);
        long written;
        StrongBox<long>? incomplete = null;
        if (settings.FromPgvector is { } pgvector)
        {
            var dataSource = PostgresVectorStore.CreateDataSource(pgvector);
            await using var disposeDataSource = dataSource.ConfigureAwait(false);
            incomplete = new StrongBox<long>();
            var table = new PgvectorTable(settings.Table!, settings.CompanyColumn!, settings.KeyColumn, settings.VectorColumn!)
            {
                TextColumn = settings.TextColumn,
                TitleColumn = settings.TitleColumn,
                DocumentColumn = settings.DocumentColumn,
                Company = settings.Company,
                Shorten = settings.Shorten is not null,
            };
            written = await MigrationIndex.RunAsync(() => IndexMigration.ImportFromPgvectorAsync(dataSource, table, index, progress, incomplete, cancellationToken)).ConfigureAwait(false);
        }
        else if (settings.From == "postgres")
        {
            using var store = new PostgresVectorStore(settings.Source!);
            written = await MigrationIndex.RunAsync(() => IndexMigration.ImportFromPostgresAsync(store, settings.Collection, index, settings.Company, progress, cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            if (!File.Exists(settings.Source)) throw new CommandFailedException(ExitCodes.UnreadableInput, $"No file '{settings.Source}'.");
            using var reader = new StreamReader(settings.Source!);
            try
            {
                written = await IndexMigration.ImportFromJsonlAsync(reader, index, settings.Company, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new CommandFailedException(ExitCodes.UnreadableInput, e.Message, e);
            }
        }
        index.Commit(cancellationToken);
        MigrationIndex.Report(settings.Json, "imported", written, incomplete?.Value);
        return ExitCodes.Ok;
    }
}

/// <summary>What the export and import commands share: opening the raw index, progress, failures, the summary.</summary>
internal static class MigrationIndex
{
    /// <summary>Opens the index at the dimensions and metric it holds: read-only to export from, or (with
    /// <paramref name="create"/>) to import into, creating it at <paramref name="dimensions"/> (or the bundled model's).</summary>
    /// <exception cref="CommandFailedException">No index (without <paramref name="create"/>); <paramref name="dimensions"/>
    /// differ from an existing index's (<see cref="ExitCodes.Usage"/>); the index is unusable.</exception>
    public static WerklyIndex Open(string directory, int? dimensions, bool create)
    {
        if (File.Exists(directory))
            throw new CommandFailedException(create ? ExitCodes.Usage : ExitCodes.IndexNotFound, $"--index '{directory}' is a file, not an index folder.");
        if (!create && !File.Exists(Path.Combine(directory, IndexLocation.ManifestFileName)))
            throw new CommandFailedException(ExitCodes.IndexNotFound, $"No index at '{directory}'. Pass --index DIR.");
        var options = new WerklyIndexOptions { Dimensions = dimensions ?? EmbeddingModel.Dimensions };
        if (IndexLocation.StoredDimensions(directory) is var (stored, metric))
        {
            if (dimensions is { } asked && asked != stored)
                throw new CommandFailedException(ExitCodes.Usage,
                    $"The index at '{directory}' holds {stored}-dimension vectors, not {asked}. Import into another --index, or without --dimensions/--shorten {asked}.");
            options = new WerklyIndexOptions { Dimensions = stored, Metric = metric };
        }
        try
        {
            // Import: every batch is durable once written (write-ahead log, replayed on open), so a killed import resumes
            // after its last batch; the final commit moves it into segments. Export only reads (next to a writer, too).
            return create
                ? WerklyIndex.Open(directory, options with { Durability = Durability.PerWrite })
                : WerklyIndex.Open(directory, options, readOnly: true);
        }
        catch (IndexLockedException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable, $"{e.Message} Wait for the other werkly command to finish.", e);
        }
        catch (IndexCorruptedException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable, $"The index at '{directory}' is damaged: {e.Message}", e);
        }
    }

    public static IProgress<MigrationProgress>? Progress(bool json) => json ? null : new TerminalProgress();

    private sealed class TerminalProgress : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) =>
            Terminal.Error.MarkupLine($"[grey]{Markup.Escape(value.Company)}: {value.Written} records written{(value.Skipped > 0 ? $", {value.Skipped} skipped (already there, or a NULL key or vector)" : "")}[/]");
    }

    public static async Task<long> RunAsync(Func<Task<long>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new CommandFailedException(ExitCodes.Failure, $"Postgres: {e.Message}", e);
        }
        catch (Microsoft.Extensions.VectorData.VectorStoreException e)
        {
            throw new CommandFailedException(ExitCodes.Failure, e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new CommandFailedException(ExitCodes.Usage, e.Message, e);
        }
    }

    /// <param name="json">JSON output.</param>
    /// <param name="verb">"exported" or "imported".</param>
    /// <param name="records">Records written.</param>
    /// <param name="incomplete">Source rows skipped for a NULL company, key or vector (a pgvector import), or null.</param>
    public static void Report(bool json, string verb, long records, long? incomplete = null)
    {
        if (json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteNumber("records_" + verb, records);
                if (incomplete is { } skipped) w.WriteNumber("rows_skipped_null", skipped);
            });
        }
        else
        {
            Terminal.Out.MarkupLine($"{records} records {verb}.");
            if (incomplete is > 0)
                Terminal.Out.MarkupLine($"[yellow]{incomplete} rows skipped: their company, key or vector is NULL (embeddings not computed yet?).[/]");
        }
    }
}
