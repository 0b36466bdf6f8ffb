using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly delete</c>.</summary>
internal sealed class DeleteSettings : CompanySettings
{
    /// <summary>The document to delete; null deletes the whole company.</summary>
    [CommandOption("--document <ID>")]
    [Description("Delete only this document (its id: the path relative to the ingested folder, as 'werkly stats --company ID' lists). Without it the whole company is deleted.")]
    public string? Document { get; init; }
}

/// <summary><c>werkly delete --company ID [--document ID] [--index DIR]</c>: removes a document's chunks, or a whole company.</summary>
/// <remarks>The change is committed before the command returns.</remarks>
internal sealed class DeleteCommand : AsyncCommand<DeleteSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, DeleteSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var generator = EmbeddingModel.CreateDeferred(settings.ModelName, settings.ModelPrecision); // loaded only if something is embedded
        using var index = IndexLocation.OpenExisting(settings.IndexPath, generator, readOnly: false);
        var company = settings.CompanyId;
        if (!index.Companies.Contains(company, StringComparer.Ordinal))
            throw SearchCommand.UnknownCompany(index, company);

        int documents, chunks;
        if (settings.Document is { } document)
        {
            var before = index.ChunkCount(company);
            if (!await index.DeleteDocumentAsync(company, document, cancellationToken).ConfigureAwait(false))
                throw new CommandFailedException(ExitCodes.NotFound,
                    $"Company '{company}' has no document '{document}'. Run 'werkly stats --company {company}' to list its document ids.");
            (documents, chunks) = (1, before - index.ChunkCount(company));
        }
        else
        {
            (documents, chunks) = (index.DocumentCount(company), index.ChunkCount(company));
            index.DeleteCompany(company);
        }

        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("company", company);
                if (settings.Document is not null) w.WriteString("document", settings.Document);
                w.WriteNumber("documents_deleted", documents);
                w.WriteNumber("chunks_deleted", chunks);
            });
        }
        else
        {
            Terminal.Out.MarkupLine(settings.Document is null
                ? $"Deleted company [bold]{Markup.Escape(company)}[/]: {documents} documents, {chunks} chunks."
                : $"Deleted [bold]{Markup.Escape(settings.Document)}[/] from company [bold]{Markup.Escape(company)}[/]: {chunks} chunks.");
        }
        return ExitCodes.Ok;
    }
}
