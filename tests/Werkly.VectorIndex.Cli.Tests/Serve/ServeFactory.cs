using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Werkly.VectorIndex.Cli.Serve;

namespace Werkly.VectorIndex.Cli.Tests.Serve;

/// <summary>The entry point type WebApplicationFactory needs (the host itself is built by <see cref="ServeFactory"/>).</summary>
public sealed class ServeTestsEntry;

/// <summary>werkly serve in process on a TestServer: the command's own services and pipeline (<see cref="ServeApp"/>),
/// over a temporary index folder, embedding with <see cref="HashingGenerator"/> unless told otherwise.</summary>
internal sealed class ServeFactory(ServeOptions options, IEmbeddingGenerator<string, Embedding<float>> generator) : WebApplicationFactory<ServeTestsEntry>
{
    // WebApplicationFactory looks for the content root of the entry point's project next to the solution; this server
    // needs none, and the factory takes the test output folder when told so through this setting.
    static ServeFactory() =>
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_WERKLY_VECTORINDEX_CLI_TESTS", AppContext.BaseDirectory);

    protected override IHostBuilder CreateHostBuilder() =>
        Host.CreateDefaultBuilder().ConfigureWebHost(web => web
            .ConfigureServices(services => services.AddWerklyServe(options, _ => generator))
            .Configure(app => app.UseWerklyServe()));

    /// <summary>Polls a job until it has finished (bounded: a hang fails the test instead of blocking it).</summary>
    public static async Task<JsonElement> WaitForJobAsync(HttpClient client, string job)
    {
        for (var i = 0; i < 3000; i++)
        {
            var state = await client.GetFromJsonAsync<JsonElement>($"/jobs/{job}");
            if (state.GetProperty("status").GetString() is not ("queued" or "processing")) return state;
            await Task.Delay(20);
        }
        Assert.Fail($"Job {job} did not finish.");
        return default;
    }
}

/// <summary>A deterministic 384-dimension embedding: each lower-cased word hashed into one dimension, normalised. Texts that
/// share words are close, so vector search is meaningful without a model. <see cref="Block"/> holds every call until
/// <see cref="Release"/> (or the caller's cancellation), to fill queues and observe cancellation.</summary>
internal sealed class HashingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new("hashing", null, "hashing-384", 384);
    private volatile TaskCompletionSource _gate = Completed();

    /// <summary>Completes when a call waiting at the gate saw its cancellation token fire.</summary>
    public TaskCompletionSource CancellationObserved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a call reaches the gate.</summary>
    public TaskCompletionSource Entered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Block()
    {
        Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release() => _gate.TrySetResult();

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Entered.TrySetResult();
        try
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            CancellationObserved.TrySetResult();
            throw;
        }
        return [.. values.Select(Embed)];
    }

    private static Embedding<float> Embed(string text)
    {
        var vector = new float[384];
        foreach (var word in text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var trimmed = word.Trim('.', ',', '?', '!', ':', ';', '#');
            if (trimmed.Length == 0) continue;
            var hash = 2166136261u;
            foreach (var c in trimmed) hash = (hash ^ c) * 16777619u;
            vector[hash % 384] += 1;
        }
        if (vector.All(v => v == 0)) vector[0] = 1;
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        for (var i = 0; i < vector.Length; i++) vector[i] /= norm;
        return new Embedding<float>(vector);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
