using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Werkly.VectorIndex.LoadBench;

/// <summary>One scenario: how many search users, how fast each asks, for how long, and whether uploads run alongside.</summary>
/// <param name="Name">normal, peak or stress.</param>
/// <param name="Users">Concurrent search users at full strength.</param>
/// <param name="RequestsPerUserPerMinute">The guide's rate per user, before compression.</param>
/// <param name="Compression">How many times faster than the guide's clock the scenario runs.</param>
/// <param name="Duration">How long requests are issued (all of them finish, or are cut, within <paramref name="Duration"/> + the client timeout).</param>
/// <param name="Ramp">How long it takes to reach <paramref name="Users"/> (users start evenly spread over it).</param>
/// <param name="Uploaders">Tasks uploading documents back to back (a background ingest), honouring Retry-After.</param>
internal sealed record Scenario(string Name, int Users, double RequestsPerUserPerMinute, double Compression, TimeSpan Duration, TimeSpan Ramp, int Uploaders)
{
    public TimeSpan Interval => TimeSpan.FromSeconds(60 / (RequestsPerUserPerMinute * Compression));
}

/// <summary>What one request did.</summary>
internal readonly record struct Sample(double Milliseconds, int Status, bool RetryAfter, bool TimedOut);

/// <summary>An upload the server acknowledged with 202.</summary>
internal sealed record AcceptedUpload(string Job, string Document, string Token);

/// <summary>Figures of one kind of request in one scenario.</summary>
internal sealed record RequestFigures(int Count, int Ok, int Rejected503, int Rejected503WithRetryAfter, int Errors, int TimedOut,
    double P50, double P95, double P99, double Max, double Throughput, IReadOnlyDictionary<int, int> ByStatus)
{
    public static RequestFigures From(IReadOnlyCollection<Sample> samples, TimeSpan elapsed, int okStatus)
    {
        var ok = samples.Where(s => s.Status == okStatus).Select(s => s.Milliseconds).Order().ToArray();
        return new RequestFigures(samples.Count, ok.Length,
            samples.Count(s => s.Status == 503), samples.Count(s => s.Status == 503 && s.RetryAfter),
            samples.Count(s => s.Status != okStatus && s.Status != 503), samples.Count(s => s.TimedOut),
            Percentile(ok, 0.50), Percentile(ok, 0.95), Percentile(ok, 0.99), ok.Length == 0 ? double.NaN : ok[^1],
            ok.Length / elapsed.TotalSeconds,
            samples.GroupBy(s => s.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()));
    }

    // Nearest-rank percentile over the successful requests' latencies.
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>One scenario's result.</summary>
internal sealed record ScenarioResult(Scenario Scenario, TimeSpan Elapsed, RequestFigures Search, RequestFigures? Upload,
    IReadOnlyList<AcceptedUpload> Accepted, string LoadAverageBefore, string LoadAverageAfter);

/// <summary>Runs scenarios against one server over loopback.</summary>
internal sealed class LoadRunner(HttpClient client, IReadOnlyList<string> questions, IReadOnlyList<SyntheticIndex.CorpusDocument> uploadTexts,
    string uploadCompany, string runId, TimeSpan requestTimeout, string mode)
{
    private int _uploadSequence;

    public async Task<ScenarioResult> RunAsync(Scenario scenario)
    {
        var loadBefore = LoadAverage();
        var searches = new ConcurrentBag<Sample>();
        var uploads = new ConcurrentBag<Sample>();
        var accepted = new ConcurrentBag<AcceptedUpload>();
        // Every request is issued before Duration and cut at Duration + the client timeout: the scenario is bounded in time.
        using var hardStop = new CancellationTokenSource(scenario.Duration + requestTimeout);
        var clock = Stopwatch.StartNew();
        var tasks = new List<Task>();
        for (var user = 0; user < scenario.Users; user++)
        {
            var startAt = scenario.Users == 1 ? TimeSpan.Zero : scenario.Ramp * user / (scenario.Users - 1);
            tasks.Add(SearchUserAsync(user, startAt, scenario, clock, searches, hardStop.Token));
        }
        for (var uploader = 0; uploader < scenario.Uploaders; uploader++)
            tasks.Add(UploaderAsync(scenario, clock, uploads, accepted, hardStop.Token));
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed;
        var issuing = elapsed < scenario.Duration ? elapsed : scenario.Duration;
        return new ScenarioResult(scenario, elapsed, RequestFigures.From(searches, issuing, 200),
            scenario.Uploaders > 0 ? RequestFigures.From(uploads, issuing, 202) : null, [.. accepted], loadBefore, LoadAverage());
    }

    private async Task SearchUserAsync(int user, TimeSpan startAt, Scenario scenario, Stopwatch clock, ConcurrentBag<Sample> samples, CancellationToken hardStop)
    {
        var random = new Random(user * 7919 + scenario.Name.Length);
        // Each user asks at a fixed pace from a random phase; a user that falls behind asks again at once (closed loop).
        var next = startAt + scenario.Interval * random.NextDouble();
        while (next < scenario.Duration)
        {
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, hardStop).ConfigureAwait(false);
            var question = questions[random.Next(questions.Count)];
            samples.Add(await SendAsync(() => new HttpRequestMessage(HttpMethod.Get,
                $"/companies/{SyntheticIndex.Company}/search?q={Uri.EscapeDataString(question)}&mode={mode}&top=5"), hardStop).ConfigureAwait(false));
            next += scenario.Interval;
            if (next < clock.Elapsed) next = clock.Elapsed;
        }
    }

    private async Task UploaderAsync(Scenario scenario, Stopwatch clock, ConcurrentBag<Sample> samples, ConcurrentBag<AcceptedUpload> accepted, CancellationToken hardStop)
    {
        while (clock.Elapsed < scenario.Duration)
        {
            var n = Interlocked.Increment(ref _uploadSequence);
            var token = UniqueToken(runId, n);
            var source = uploadTexts[n % uploadTexts.Count];
            var document = $"uploads/{runId}/note-{n:D6}.md";
            var body = new { document, text = $"# {source.Title}\n\nReference {token}.\n\n{source.Text}" };
            string? job = null;
            var sample = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"/companies/{uploadCompany}/documents") { Content = JsonContent.Create(body) },
                hardStop, async response =>
                {
                    if (response.StatusCode == HttpStatusCode.Accepted)
                        job = (await response.Content.ReadFromJsonAsync<JsonElement>(hardStop)).GetProperty("job").GetString();
                }).ConfigureAwait(false);
            samples.Add(sample);
            if (job is not null) accepted.Add(new AcceptedUpload(job, document, token));
            if (sample.Status == 503)
            {
                // Retry-After says 2 s; a well-behaved client waits that long (bounded by the scenario's end).
                var remaining = scenario.Duration - clock.Elapsed;
                if (remaining > TimeSpan.Zero) await Task.Delay(remaining < TimeSpan.FromSeconds(2) ? remaining : TimeSpan.FromSeconds(2), hardStop).ConfigureAwait(false);
            }
        }
    }

    private async Task<Sample> SendAsync(Func<HttpRequestMessage> request, CancellationToken hardStop, Func<HttpResponseMessage, Task>? read = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
        timeout.CancelAfter(requestTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var message = request();
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            if (read is not null) await read(response).ConfigureAwait(false);
            return new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, (int)response.StatusCode, response.Headers.RetryAfter is not null, false);
        }
        catch (OperationCanceledException)
        {
            return new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0, false, true);
        }
        catch (HttpRequestException)
        {
            return new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, -1, false, false);
        }
    }

    /// <summary>Consonants only, without s and y: the Porter stemmer leaves such a word alone (no vowel, no plural s), so
    /// two tokens never stem to the same term.</summary>
    public const string TokenLetters = "bcdfghjklmnpqrtvwxz";

    /// <summary>A word no Cranfield abstract holds, so a keyword search for it finds exactly one upload.</summary>
    public static string UniqueToken(string runId, int n)
    {
        var letters = new char[5];
        for (var i = letters.Length - 1; i >= 0; i--, n /= TokenLetters.Length) letters[i] = TokenLetters[n % TokenLetters.Length];
        return "zqx" + runId + new string(letters) + "q";
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static string Format(double value) => double.IsNaN(value) ? "-" : value.ToString("F1", CultureInfo.InvariantCulture);
}
