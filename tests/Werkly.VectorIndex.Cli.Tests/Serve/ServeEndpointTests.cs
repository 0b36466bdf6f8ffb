using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Werkly.VectorIndex.Cli.Serve;

namespace Werkly.VectorIndex.Cli.Tests.Serve;

/// <summary>Issue 15, werkly serve: every endpoint and every bad input, in process (WebApplicationFactory).</summary>
public sealed class ServeEndpointTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly HashingGenerator _generator = new();

    public void Dispose() => _folder.Dispose();

    private ServeFactory Start(Func<ServeOptions, ServeOptions>? configure = null)
    {
        var options = new ServeOptions { IndexPath = _folder.Combine("index"), MaxUploadBytes = 64 << 10, MaxQueuedBytes = 1 << 20 };
        return new ServeFactory(configure?.Invoke(options) ?? options, _generator);
    }

    private static async Task<JsonElement> UploadAsync(HttpClient client, string company, string document, string text)
    {
        using var response = await client.PostAsJsonAsync($"/companies/{company}/documents", new { document, text });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await Describe(response));
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/jobs/{job.GetProperty("job").GetString()}", response.Headers.Location?.OriginalString);
        return await ServeFactory.WaitForJobAsync(client, job.GetProperty("job").GetString()!);
    }

    private static async Task<string> Describe(HttpResponseMessage response) => $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detailPart)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(detailPart, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_then_search_answers_the_json_of_search_json_and_jobs_report_the_outcome()
    {
        using var factory = Start();
        using var client = factory.CreateClient();
        var job = await UploadAsync(client, "acme", "policies/parking.md", "# Parking\n\nVisitors park in the north lot behind building B.");
        Assert.Equal("ingested", job.GetProperty("status").GetString());
        Assert.Equal("acme", job.GetProperty("company").GetString());
        Assert.Equal("policies/parking.md", job.GetProperty("document").GetString());
        Assert.True(job.GetProperty("chunks").GetInt32() >= 1);
        await UploadAsync(client, "acme", "canteen.md", "# Canteen\n\nLunch is served from noon to two.");
        await UploadAsync(client, "globex", "parking.md", "# Parking\n\nGlobex visitors park underground."); // another company

        foreach (var mode in new[] { "hybrid", "vector", "keyword" })
        {
            var search = await client.GetFromJsonAsync<JsonElement>($"/companies/acme/search?q=where+do+visitors+park&mode={mode}&top=5&explain=true");
            Assert.Equal("acme", search.GetProperty("company").GetString());
            Assert.Equal(mode, search.GetProperty("mode").GetString());
            Assert.True(search.GetProperty("took_ms").GetDouble() >= 0);
            var hits = search.GetProperty("hits").EnumerateArray().ToList();
            Assert.Equal("policies/parking.md", hits[0].GetProperty("document").GetString());
            Assert.Equal("Parking", hits[0].GetProperty("heading").GetString());
            Assert.Contains("north lot", hits[0].GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("policies/parking.md", hits[0].GetProperty("key").GetString(), StringComparison.Ordinal);
            Assert.True(hits[0].TryGetProperty("explanation", out var explanation) && explanation.ValueKind == JsonValueKind.Object);
            Assert.All(hits, h => Assert.NotEqual("parking.md", h.GetProperty("document").GetString())); // globex's never
        }
        var plain = await client.GetFromJsonAsync<JsonElement>("/companies/acme/search?q=lunch");
        Assert.Equal("hybrid", plain.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("hits")[0].GetProperty("explanation").ValueKind);

        // Replacing a document: same id, new text; unchanged content is reported as such.
        Assert.Equal("unchanged", (await UploadAsync(client, "acme", "canteen.md", "# Canteen\n\nLunch is served from noon to two.")).GetProperty("status").GetString());
        Assert.Equal("ingested", (await UploadAsync(client, "acme", "canteen.md", "# Canteen\n\nBreakfast from seven.")).GetProperty("status").GetString());
        var breakfast = await client.GetFromJsonAsync<JsonElement>("/companies/acme/search?q=breakfast&mode=keyword");
        Assert.Equal("canteen.md", breakfast.GetProperty("hits")[0].GetProperty("document").GetString());
    }

    [Fact]
    public async Task Hybrid_search_ranks_as_werkly_search_does_with_feedback_unless_turned_off()
    {
        using var factory = Start();
        using var client = factory.CreateClient();
        string[] texts =
        [
            "# Parking\n\nVisitors park in the north lot behind building B. Staff park in the garage.",
            "# Canteen\n\nLunch is served from noon to two. The canteen is next to the garage.",
            "# Travel\n\nBook trains through the portal. Parking at stations is refunded.",
            "# Expenses\n\nExpenses are filed within thirty days, receipts attached, parking included.",
            "# Security\n\nBadges open the north doors. Visitors sign in at reception before they park.",
            "# Holidays\n\nTwenty-five days of leave a year; book them in the portal.",
        ];
        for (var i = 0; i < texts.Length; i++) await UploadAsync(client, "acme", $"doc{i}.md", texts[i]);
        var index = factory.Services.GetRequiredService<Werkly.VectorIndex.Documents.Indexing.DocumentIndex>();

        var differed = false;
        foreach (var question in new[] { "where do visitors park", "book trains portal", "lunch canteen garage", "receipts for parking" })
        {
            var (withFeedback, _) = await Commands.SearchCommand.SearchAsync(index, "acme", question, SearchMode.Hybrid, 5, false,
                HybridDefaults.Fusion, HybridDefaults.Feedback, null, null, CancellationToken.None);
            var (onePass, _) = await Commands.SearchCommand.SearchAsync(index, "acme", question, SearchMode.Hybrid, 5, false,
                HybridDefaults.Fusion, null, null, null, CancellationToken.None);
            var served = await client.GetFromJsonAsync<JsonElement>($"/companies/acme/search?q={Uri.EscapeDataString(question)}");
            var servedOff = await client.GetFromJsonAsync<JsonElement>($"/companies/acme/search?q={Uri.EscapeDataString(question)}&feedback=off");
            AssertSame(withFeedback, served);
            AssertSame(onePass, servedOff);
            differed |= !withFeedback.Select(h => (h.Key, Math.Round(h.Score, 6))).SequenceEqual(onePass.Select(h => (h.Key, Math.Round(h.Score, 6))));
        }
        Assert.True(differed, "feedback changed no result: the test would not tell the two apart");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=park&feedback=maybe"), HttpStatusCode.BadRequest, "on or off");

        static void AssertSame(IReadOnlyList<Werkly.VectorIndex.Documents.Indexing.DocumentHit> expected, JsonElement served)
        {
            var hits = served.GetProperty("hits").EnumerateArray().ToList();
            Assert.Equal(expected.Select(h => h.Key), hits.Select(h => h.GetProperty("key").GetString()));
            Assert.Equal(expected.Select(h => Math.Round(h.Score, 6)), hits.Select(h => h.GetProperty("score").GetDouble()));
        }
    }

    [Fact]
    public async Task Multipart_and_raw_uploads_take_the_document_id_from_the_file_name_a_field_or_the_query()
    {
        using var factory = Start();
        using var client = factory.CreateClient();
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent("<html><body><h1>Travel</h1><p>Book trains through the portal.</p></body></html>"u8.ToArray()), "file", "travel.html");
            form.Add(new StringContent("handbook/travel.html"), "document");
            using var response = await client.PostAsync("/companies/acme/documents", form);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, await Describe(response));
            var job = await ServeFactory.WaitForJobAsync(client, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!);
            Assert.Equal("handbook/travel.html", job.GetProperty("document").GetString());
            Assert.Equal("ingested", job.GetProperty("status").GetString());
        }
        using (var raw = new ByteArrayContent("Expenses are filed within thirty days."u8.ToArray()))
        {
            raw.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await client.PostAsync("/companies/acme/documents?document=expenses.txt", raw);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, await Describe(response));
            var job = await ServeFactory.WaitForJobAsync(client, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!);
            Assert.Equal("ingested", job.GetProperty("status").GetString());
        }
        var search = await client.GetFromJsonAsync<JsonElement>("/companies/acme/search?q=trains+portal&mode=keyword");
        Assert.Equal("handbook/travel.html", search.GetProperty("hits")[0].GetProperty("document").GetString());
    }

    [Fact]
    public async Task Every_bad_input_gets_its_own_4xx_problem()
    {
        using var factory = Start();
        using var client = factory.CreateClient();
        await UploadAsync(client, "acme", "parking.md", "# Parking\n\nVisitors park in the north lot.");

        await AssertProblem(await client.GetAsync("/companies/acme/search"), HttpStatusCode.BadRequest, "q parameter");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=%20"), HttpStatusCode.BadRequest, "q parameter");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=" + new string('a', 2001)), HttpStatusCode.BadRequest, "at most 2000");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=park&mode=fuzzy"), HttpStatusCode.BadRequest, "Unknown mode 'fuzzy'");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=park&top=0"), HttpStatusCode.BadRequest, "from 1 to 100");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=park&top=abc"), HttpStatusCode.BadRequest, "got 'abc'");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=park&top=101"), HttpStatusCode.BadRequest, "from 1 to 100");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=park&explain=maybe"), HttpStatusCode.BadRequest, "true or false");
        await AssertProblem(await client.GetAsync("/companies/nobody/search?q=park"), HttpStatusCode.NotFound, "no company 'nobody'");
        await AssertProblem(await client.GetAsync("/companies/.hidden/search?q=park"), HttpStatusCode.BadRequest, "must not start with a dot");
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=park&company=globex"), HttpStatusCode.BadRequest, "never from the query string");

        await AssertProblem(await client.PostAsJsonAsync("/companies/ACME/documents", new { document = "a.md", text = "x" }), HttpStatusCode.BadRequest,
            "differs only in case from the existing company 'acme'");
        await AssertProblem(await client.PostAsync("/companies/acme/documents", new StringContent("{\"document\": \"a.md\", \"text\": ", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "not valid JSON");
        await AssertProblem(await client.PostAsync("/companies/acme/documents", new StringContent("{\"document\": \"a.md\"}", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "\"text\"");
        await AssertProblem(await client.PostAsJsonAsync("/companies/acme/documents", new { document = "photo.png", text = "x" }), HttpStatusCode.UnsupportedMediaType, "Supported: ");
        await AssertProblem(await client.PostAsJsonAsync("/companies/acme/documents", new { document = "bad\u0001.md", text = "x" }), HttpStatusCode.BadRequest, "control");
        await AssertProblem(await client.PostAsync("/companies/acme/documents", new ByteArrayContent([1, 2, 3])), HttpStatusCode.BadRequest, "?document=ID");
        await AssertProblem(await client.PostAsync("/companies/acme/documents", new FormUrlEncodedContent([new("text", "x")])), HttpStatusCode.UnsupportedMediaType, "multipart/form-data");
        using (var big = new ByteArrayContent(new byte[(64 << 10) + 1]))
            await AssertProblem(await client.PostAsync("/companies/acme/documents?document=big.txt", big), HttpStatusCode.RequestEntityTooLarge, "at most 65536");
        using (var big = new StringContent(JsonSerializer.Serialize(new { document = "big.md", text = new string('x', 200_000) }), Encoding.UTF8, "application/json"))
            await AssertProblem(await client.PostAsync("/companies/acme/documents", big), HttpStatusCode.RequestEntityTooLarge, "at most 65536");
        using (var two = new MultipartFormDataContent())
        {
            two.Add(new ByteArrayContent("a"u8.ToArray()), "file", "a.txt");
            two.Add(new ByteArrayContent("b"u8.ToArray()), "file", "b.txt");
            await AssertProblem(await client.PostAsync("/companies/acme/documents", two), HttpStatusCode.BadRequest, "exactly one file");
        }

        await AssertProblem(await client.DeleteAsync("/companies/acme/documents/no-such.md"), HttpStatusCode.NotFound, "no document 'no-such.md'");
        await AssertProblem(await client.GetAsync("/jobs/0123456789abcdef"), HttpStatusCode.NotFound, "No job '0123456789abcdef'");

        // None of it changed the index: acme still holds only parking.md.
        var search = await client.GetFromJsonAsync<JsonElement>("/companies/acme/search?q=park+a+x+big&mode=keyword&top=10");
        Assert.All(search.GetProperty("hits").EnumerateArray(), h => Assert.Equal("parking.md", h.GetProperty("document").GetString()));
    }

    [Fact]
    public async Task Delete_is_applied_after_the_uploads_accepted_before_it()
    {
        using var factory = Start();
        using var client = factory.CreateClient();
        await UploadAsync(client, "acme", "keep.md", "# Keep\n\nThe office opens at eight.");
        _generator.Block(); // the next upload waits in the pipeline: the delete must wait behind it, not find nothing
        using (var upload = await client.PostAsJsonAsync("/companies/acme/documents", new { document = "gone.md", text = "# Gone\n\nTemporary notice about parking." }))
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var delete = client.DeleteAsync("/companies/acme/documents/gone.md");
        await _generator.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));
        _generator.Release();
        using var deleted = await delete;
        Assert.True(deleted.StatusCode == HttpStatusCode.NoContent, await Describe(deleted));

        var search = await client.GetFromJsonAsync<JsonElement>("/companies/acme/search?q=temporary+notice+parking+office&mode=keyword&top=10");
        Assert.All(search.GetProperty("hits").EnumerateArray(), h => Assert.Equal("keep.md", h.GetProperty("document").GetString()));
        await AssertProblem(await client.DeleteAsync("/companies/acme/documents/gone.md"), HttpStatusCode.NotFound, "gone.md");
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_and_loses_nothing_it_accepted()
    {
        using var factory = Start(o => o with { QueueCapacity = 1, MaxUploadBytes = 4 << 10, MaxQueuedBytes = 64 << 10 });
        using var client = factory.CreateClient();
        _generator.Block();
        var accepted = new List<(string Job, string Document)>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 500 && refused is null; i++)
        {
            var document = $"note-{i}.md";
            var response = await client.PostAsJsonAsync("/companies/acme/documents", new { document, text = $"# Note {i}\n\nNote number {i} says token{i}." });
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable) refused = response;
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, await Describe(response));
                accepted.Add(((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!, document));
                response.Dispose();
            }
        }
        Assert.NotNull(refused);
        Assert.Equal(TimeSpan.FromSeconds(ServeEndpoints.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        await AssertProblem(refused, HttpStatusCode.ServiceUnavailable, "queue is full");

        _generator.Release();
        foreach (var (job, _) in accepted)
            Assert.Equal("ingested", (await ServeFactory.WaitForJobAsync(client, job)).GetProperty("status").GetString());
        foreach (var (_, document) in accepted)
        {
            var number = document["note-".Length..^".md".Length];
            var search = await client.GetFromJsonAsync<JsonElement>($"/companies/acme/search?q=token{number}&mode=keyword&top=1");
            Assert.Equal(document, search.GetProperty("hits")[0].GetProperty("document").GetString());
        }
    }

    [Fact]
    public async Task A_queued_bytes_budget_refuses_uploads_until_the_queue_drains()
    {
        using var factory = Start(o => o with { MaxUploadBytes = 4 << 10, MaxQueuedBytes = 4 << 10 });
        using var client = factory.CreateClient();
        _generator.Block();
        var text = new string('w', 3800); // with its JSON, over 90 % of the budget
        using var first = await client.PostAsJsonAsync("/companies/acme/documents", new { document = "one.txt", text });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await client.PostAsJsonAsync("/companies/acme/documents", new { document = "two.txt", text });
        await AssertProblem(second, HttpStatusCode.ServiceUnavailable, "bytes waiting");
        Assert.Equal(TimeSpan.FromSeconds(ServeEndpoints.RetryAfterSeconds), second.Headers.RetryAfter?.Delta);
        using (var health = await client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode); // degraded, not down
            Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());
        }
        _generator.Release();
        await ServeFactory.WaitForJobAsync(client, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!);
        using var third = await client.PostAsJsonAsync("/companies/acme/documents", new { document = "two.txt", text });
        Assert.Equal(HttpStatusCode.Accepted, third.StatusCode);
    }

    [Fact]
    public async Task Searches_beyond_the_slots_and_the_search_queue_are_refused_at_once_with_503_and_retry_after()
    {
        using var factory = Start(o => o with { MaxConcurrentSearches = 1, SearchQueueLimit = 0 });
        using var client = factory.CreateClient();
        await UploadAsync(client, "acme", "parking.md", "# Parking\n\nVisitors park in the north lot.");
        _generator.Block(); // the first search holds the only slot while it embeds its question
        var first = client.GetAsync("/companies/acme/search?q=parking&mode=vector");
        await _generator.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));

        using (var refused = await client.GetAsync("/companies/acme/search?q=north+lot&mode=vector"))
        {
            Assert.Equal(TimeSpan.FromSeconds(ServeEndpoints.SearchRetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
            await AssertProblem(refused, HttpStatusCode.ServiceUnavailable, "search slots are busy");
        }
        using (var upload = await client.PostAsJsonAsync("/companies/acme/documents", new { document = "canteen.md", text = "# Canteen\n\nLunch from noon." }))
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode); // uploads have their own queue

        _generator.Release();
        using (var answered = await first)
            Assert.True(answered.StatusCode == HttpStatusCode.OK, await Describe(answered));
        var again = await client.GetFromJsonAsync<JsonElement>("/companies/acme/search?q=north+lot&mode=vector");
        Assert.Equal("parking.md", again.GetProperty("hits")[0].GetProperty("document").GetString()); // the slot was given back
    }

    [Fact]
    public async Task A_search_whose_client_disconnects_is_cancelled()
    {
        using var factory = Start();
        using var client = factory.CreateClient();
        await UploadAsync(client, "acme", "parking.md", "# Parking\n\nVisitors park in the north lot.");
        _generator.Block(); // the query embedding now waits until cancelled
        using var disconnect = new CancellationTokenSource();
        var search = client.GetAsync("/companies/acme/search?q=parking&mode=vector", disconnect.Token);
        await _generator.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await disconnect.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search);
        await _generator.CancellationObserved.Task.WaitAsync(TimeSpan.FromMinutes(1)); // the server stopped working on it
        _generator.Release();
    }

    [Fact]
    public async Task With_a_company_header_the_gateway_decides_the_company()
    {
        using var factory = Start(o => o with { CompanyHeader = "X-Werkly-Company" });
        using var client = factory.CreateClient();
        using var acme = factory.CreateClient();
        acme.DefaultRequestHeaders.Add("X-Werkly-Company", "acme");
        using var globex = factory.CreateClient();
        globex.DefaultRequestHeaders.Add("X-Werkly-Company", "globex");

        var job = await UploadAsync(acme, "acme", "parking.md", "# Parking\n\nVisitors park in the north lot.");
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/companies/acme/search?q=park")).StatusCode);
        await AssertProblem(await client.GetAsync("/companies/acme/search?q=park"), HttpStatusCode.Unauthorized, "'X-Werkly-Company' header");
        await AssertProblem(await globex.GetAsync("/companies/acme/search?q=park"), HttpStatusCode.Forbidden, "names another company");
        await AssertProblem(await globex.PostAsJsonAsync("/companies/acme/documents", new { document = "x.md", text = "x" }), HttpStatusCode.Forbidden, "names another company");
        await AssertProblem(await globex.DeleteAsync("/companies/acme/documents/parking.md"), HttpStatusCode.Forbidden, "names another company");
        var jobId = job.GetProperty("job").GetString();
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync($"/jobs/{jobId}")).StatusCode);
        await AssertProblem(await globex.GetAsync($"/jobs/{jobId}"), HttpStatusCode.NotFound, "No job"); // another company's job is unknown
        await AssertProblem(await client.GetAsync($"/jobs/{jobId}"), HttpStatusCode.Unauthorized, "header");
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/companies/acme/search?q=park")).StatusCode); // still there
    }

    [Fact]
    public async Task Health_metrics_and_the_openapi_document_are_served()
    {
        using var factory = Start();
        using var client = factory.CreateClient();
        await UploadAsync(client, "acme", "parking.md", "# Parking\n\nVisitors park in the north lot.");
        using (var health = await client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        }
        await client.GetAsync("/companies/acme/search?q=park");
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("werkly_serve_jobs_accepted", metrics, StringComparison.Ordinal);
        Assert.Contains("werkly_ingest_documents", metrics, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration", metrics, StringComparison.Ordinal);

        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths");
        foreach (var path in new[] { "/companies/{company}/search", "/companies/{company}/documents", "/companies/{company}/documents/{document}", "/jobs/{job}" })
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}: {paths}");
    }
}
