using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Werkly.VectorIndex.Cli.Commands;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Cli.Serve;

/// <summary>
/// The HTTP API of <c>werkly serve</c>. The company of a request comes from the route, or, with
/// <see cref="ServeOptions.CompanyHeader"/>, from the gateway's header (which the route must match); never from the query
/// string. Every bad input is a 4xx problem document (RFC 9457) saying what was wrong.
/// </summary>
internal static class ServeEndpoints
{
    /// <summary>How long a client refused with 503 should wait before retrying.</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>How long a client refused with 503 by the search limiter should wait (searches finish in milliseconds).</summary>
    public const int SearchRetryAfterSeconds = 1;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var company = endpoints.MapGroup("/companies/{company}").WithTags("Companies");
        company.MapGet("/search", SearchAsync).WithName("Search").RequireRateLimiting(ServeApp.SearchPolicy)
            .WithSummary("Searches one company's documents: hybrid (default), vector or keyword. The JSON is 'werkly search --json''s.");
        company.MapPost("/documents", UploadAsync).WithName("UploadDocument")
            .WithSummary("Uploads one document (multipart/form-data with one file, application/json {\"document\",\"text\"}, or a raw body with ?document=ID) for background ingestion; answers 202 with the job.");
        // No Accepts<T>() metadata: it would make routing answer 415 itself for any other content type, and a raw upload may
        // carry any (application/pdf, text/markdown...). The handler checks the type and says what it takes.
        company.MapDelete("/documents/{**document}", DeleteAsync).WithName("DeleteDocument")
            .WithSummary("Deletes one document, after every upload accepted before it: 204, or 404 when the company has no such document.");
        endpoints.MapGet("/", () => TypedResults.Content(SearchPage.Value, "text/html; charset=utf-8")).WithName("SearchPage").ExcludeFromDescription();
        endpoints.MapGet("/jobs/{job}", GetJob).WithName("GetJob").WithTags("Jobs")
            .WithSummary("The state of an upload or delete job: queued, processing, ingested, unchanged, empty, deleted, not_found, failed or canceled.");
    }

    /// <summary>The search page at <c>/</c>: a query box over <c>GET /companies/{id}/search</c> showing each hit's document,
    /// heading path, snippet, score and explanation.</summary>
    private static readonly Lazy<string> SearchPage = new(() =>
    {
        using var stream = typeof(ServeEndpoints).Assembly.GetManifestResourceStream("serve/search-page.html")
            ?? throw new InvalidOperationException("The search page is missing from the tool.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    // ---- Search ----------------------------------------------------------------------------------------------------

    internal static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> SearchAsync(string company, string? q, string? mode, string? top, string? explain,
        string? feedback, HttpContext http, DocumentIndex index, ServeOptions options, CancellationToken cancellationToken)
    {
        if (CompanyProblem(http, company, options) is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(q))
            return Problem(400, "Missing question", "Give the question in the q parameter, for example ?q=vacation+days.");
        if (q.Length > options.MaxQuestionLength)
            return Problem(400, "Question too long", $"The question has {q.Length} characters; at most {options.MaxQuestionLength} are accepted.");
        var parsedMode = mode is null ? SearchMode.Hybrid : SearchSettings.ParseMode(mode);
        if (parsedMode is null)
            return Problem(400, "Unknown mode", $"Unknown mode '{mode}': use hybrid, vector or keyword.");
        var count = 5;
        if (top is not null && (!int.TryParse(top, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count < 1 || count > options.MaxTop))
            return Problem(400, "Bad top", $"top must be a whole number from 1 to {options.MaxTop}; got '{top}'.");
        bool withExplanation = false;
        if (explain is not null && !bool.TryParse(explain, out withExplanation))
            return Problem(400, "Bad explain", $"explain must be true or false; got '{explain}'.");
        var withFeedback = true;
        if (feedback is not null && !TryParseOnOff(feedback, out withFeedback))
            return Problem(400, "Bad feedback", $"feedback must be on or off; got '{feedback}'.");
        if (!index.Companies.Contains(company, StringComparer.Ordinal))
            return UnknownCompany(company);

        var clock = Stopwatch.StartNew();
        IReadOnlyList<DocumentHit> hits;
        try
        {
            // As 'werkly search' ranks: the default fusion, and pseudo-relevance feedback in hybrid mode unless feedback=off.
            var query = new SearchQuery
            {
                Mode = parsedMode.Value,
                Text = q,
                Top = count,
                Explain = withExplanation,
                Fusion = HybridDefaults.Fusion,
                Feedback = parsedMode.Value == SearchMode.Hybrid && withFeedback ? HybridDefaults.Feedback : null,
            };
            hits = await index.SearchAsync(company, query, cancellationToken).ConfigureAwait(false);
        }
        catch (CompanyNotFoundException)
        {
            return UnknownCompany(company); // deleted since the check
        }
        return TypedResults.Ok(new SearchResponse(company, parsedMode.Value.ToString().ToLowerInvariant(), Math.Round(clock.Elapsed.TotalMilliseconds, 2),
            [.. hits.Select(h => new HitResponse(h.Key, h.DocumentId, Math.Round(h.Score, 6), h.Text, h.HeadingPath, h.Explanation is { } e
                ? new ExplanationResponse(e.VectorRank, e.VectorScore, e.KeywordRank, e.KeywordScore, Math.Round(e.VectorContribution, 6), Math.Round(e.KeywordContribution, 6))
                : null))]));
    }

    private static bool TryParseOnOff(string value, out bool on)
    {
        on = value.ToUpperInvariant() is "ON" or "TRUE" or "YES";
        return on || value.ToUpperInvariant() is "OFF" or "FALSE" or "NO";
    }

    // ---- Upload ----------------------------------------------------------------------------------------------------

    internal static async Task<IResult> UploadAsync(string company, HttpContext http, DocumentIndex index, IngestJobs jobs, ServeOptions options,
        CancellationToken cancellationToken)
    {
        if (CompanyProblem(http, company, options) is { } refused) return refused;
        try
        {
            index.ValidateCompanyId(company); // a case variant of an existing company is refused before anything is read
        }
        catch (InvalidIdentifierException e)
        {
            return Problem(400, "Bad company id", e.Reason);
        }
        var request = http.Request;
        if (request.ContentLength > options.MaxUploadBytes + (64 << 10))
            return TooLarge(request.ContentLength.Value, options);

        var (document, bytes, problem) = await ReadDocumentAsync(request, options, cancellationToken).ConfigureAwait(false);
        if (problem is not null) return problem;
        if (!jobs.TryEnqueue(document!, company, bytes, out var job))
            return QueueFull(http, jobs);
        return TypedResults.Accepted($"/jobs/{job.Id}", job.ToResponse());
    }

    private static async Task<(SourceDocument? Document, long Bytes, IResult? Problem)> ReadDocumentAsync(HttpRequest request, ServeOptions options,
        CancellationToken cancellationToken)
    {
        try
        {
            if (request.HasFormContentType)
            {
                if (!request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
                    return (null, 0, Problem(415, "Unsupported upload", "Send the file as multipart/form-data, the text as application/json, or the raw bytes with ?document=ID."));
                var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
                if (form.Files.Count != 1)
                    return (null, 0, Problem(400, form.Files.Count == 0 ? "No file" : "More than one file",
                        $"Send exactly one file per request (form field of any name); this request has {form.Files.Count}."));
                var file = form.Files[0];
                var id = form.TryGetValue("document", out var field) && !string.IsNullOrEmpty(field) ? field.ToString() : file.FileName;
                if (DocumentIdProblem(id) is { } bad) return (null, 0, bad);
                if (file.Length > options.MaxUploadBytes) return (null, 0, TooLarge(file.Length, options));
                var content = new byte[file.Length];
                var stream = file.OpenReadStream();
                await using (stream.ConfigureAwait(false))
                    await stream.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
                return (SourceDocument.FromBytes(id, id, content), content.Length, null);
            }
            if (request.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var media) && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                var body = await ReadBodyAsync(request, options, cancellationToken).ConfigureAwait(false);
                if (body is null) return (null, 0, TooLarge(request.ContentLength ?? options.MaxUploadBytes + 1, options));
                TextDocumentRequest? upload;
                try
                {
                    upload = JsonSerializer.Deserialize<TextDocumentRequest>(body, JsonOptions);
                }
                catch (JsonException e)
                {
                    return (null, 0, Problem(400, "Malformed JSON", $"The body is not valid JSON ({e.Message}). Send {{\"document\": \"faq.md\", \"text\": \"...\"}}."));
                }
                if (upload?.Document is null || upload.Text is null)
                    return (null, 0, Problem(400, "Missing field", "The JSON body needs \"document\" (the id; its extension picks the format, e.g. faq.md) and \"text\"."));
                if (DocumentIdProblem(upload.Document) is { } bad) return (null, 0, bad);
                return (SourceDocument.FromText(upload.Document, upload.Text, upload.Document), body.Length, null);
            }
            var rawId = request.Query["document"].ToString();
            if (rawId.Length == 0)
                return (null, 0, Problem(400, "Missing document id", "A raw upload names its document with ?document=ID (its extension picks the format, e.g. ?document=handbook/travel.pdf); or send multipart/form-data or application/json."));
            if (DocumentIdProblem(rawId) is { } badRaw) return (null, 0, badRaw);
            var raw = await ReadBodyAsync(request, options, cancellationToken).ConfigureAwait(false);
            if (raw is null) return (null, 0, TooLarge(request.ContentLength ?? options.MaxUploadBytes + 1, options));
            return (SourceDocument.FromBytes(rawId, rawId, raw), raw.Length, null);
        }
        catch (BadHttpRequestException e)
        {
            return (null, 0, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(request.ContentLength ?? options.MaxUploadBytes + 1, options)
                : Problem(e.StatusCode, "Bad request", e.Message));
        }
        catch (InvalidDataException e)
        {
            // The form reader's limits (multipart body length, boundary, headers) and malformed multipart bodies.
            return (null, 0, e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? TooLarge(request.ContentLength ?? options.MaxUploadBytes + 1, options)
                : Problem(400, "Malformed multipart body", e.Message));
        }
    }

    /// <summary>The body, or null when it is longer than the upload limit (read no further than one byte past it).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, ServeOptions options, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > options.MaxUploadBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ProblemHttpResult? DocumentIdProblem(string id)
    {
        try
        {
            InvalidIdentifierException.ThrowIfInvalidKey(id);
        }
        catch (InvalidIdentifierException e)
        {
            return Problem(400, "Bad document id", e.Reason);
        }
        if (!DocumentTextExtractor.Default.IsSupported(id))
            return Problem(415, "Unsupported format",
                $"'{id}' has no supported extension; the format is taken from it. Supported: {string.Join(", ", DocumentTextExtractor.Default.SupportedExtensions)}.");
        return null;
    }

    // ---- Delete and jobs ---------------------------------------------------------------------------------------------

    internal static async Task<IResult> DeleteAsync(string company, string document, HttpContext http, IngestJobs jobs, ServeOptions options,
        CancellationToken cancellationToken)
    {
        if (CompanyProblem(http, company, options) is { } refused) return refused;
        if (string.IsNullOrEmpty(document))
            return Problem(400, "Missing document id", "Name the document: DELETE /companies/{company}/documents/{document id}.");
        try
        {
            InvalidIdentifierException.ThrowIfInvalidKey(document);
        }
        catch (InvalidIdentifierException e)
        {
            return Problem(400, "Bad document id", e.Reason);
        }
        var job = await jobs.TryEnqueueDeleteAsync(company, document).ConfigureAwait(false);
        if (job is null) return QueueFull(http, jobs);
        DocumentOutcome outcome;
        try
        {
            outcome = await job.Ticket.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Problem(500, "Delete failed", e.Message);
        }
        return outcome.Status == DocumentStatus.Deleted
            ? TypedResults.NoContent()
            : Problem(404, "No such document", $"Company '{company}' has no document '{document}'.");
    }

    internal static IResult GetJob(string job, HttpContext http, IngestJobs jobs, ServeOptions options)
    {
        string? caller = null;
        if (options.CompanyHeader is { } header)
        {
            if (HeaderCompany(http, header, out caller) is { } refused) return refused;
        }
        // Another company's job is reported as unknown: job ids do not leak across companies.
        if (!jobs.TryGet(job, out var found) || (caller is not null && !string.Equals(found.Ticket.CompanyId, caller, StringComparison.Ordinal)))
            return Problem(404, "Unknown job", $"No job '{job}' (finished jobs are forgotten after {options.RetainedJobs} newer ones finish).");
        return TypedResults.Ok(found.ToResponse());
    }

    // ---- Shared ------------------------------------------------------------------------------------------------------

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Checks where the company comes from: never the query string; with a gateway header, the header must be
    /// present and name the route's company; and the id must be well formed.</summary>
    private static ProblemHttpResult? CompanyProblem(HttpContext http, string company, ServeOptions options)
    {
        if (http.Request.Query.ContainsKey("company"))
            return Problem(400, "Company in the query string", "The company comes from the route (or the gateway's header), never from the query string; remove ?company=.");
        if (options.CompanyHeader is { } header)
        {
            if (HeaderCompany(http, header, out var caller) is { } refused) return refused;
            if (!string.Equals(caller, company, StringComparison.Ordinal))
                return Problem(403, "Wrong company", $"The route names company '{company}', but the '{header}' header set by the gateway names another company.");
        }
        try
        {
            InvalidIdentifierException.ThrowIfInvalidCompanyId(company);
        }
        catch (InvalidIdentifierException e)
        {
            return Problem(400, "Bad company id", e.Reason);
        }
        return null;
    }

    private static ProblemHttpResult? HeaderCompany(HttpContext http, string header, out string? company)
    {
        company = null;
        var values = http.Request.Headers[header];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
            return Problem(401, "Missing company header", $"This server takes the company from the '{header}' header, which the gateway sets after authenticating the caller; the request has none.");
        if (values.Count > 1)
            return Problem(400, "Several company headers", $"The '{header}' header must appear once.");
        company = values[0];
        return null;
    }

    private static ProblemHttpResult UnknownCompany(string company) =>
        Problem(404, "Unknown company", $"The index holds no company '{company}'. Upload a document to it first (POST /companies/{company}/documents).");

    private static ProblemHttpResult TooLarge(long bytes, ServeOptions options) =>
        Problem(413, "Upload too large", $"The upload has {bytes} bytes or more; at most {options.MaxUploadBytes} are accepted (werkly serve --max-upload-mb).");

    private static ProblemHttpResult QueueFull(HttpContext http, IngestJobs jobs)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(503, "Ingest queue full",
            $"The ingest queue is full ({jobs.Status.Queued} requests, {jobs.QueuedBytes} bytes waiting); nothing was accepted. Retry after {RetryAfterSeconds} s.");
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);
}
