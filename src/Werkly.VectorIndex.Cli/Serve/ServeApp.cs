using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Cli.Serve;

/// <summary>
/// Builds <c>werkly serve</c>: the services (the embedding model, one <see cref="DocumentIndex"/> through
/// <c>AddWerklyDocumentIndex</c>, the ingest queue, health checks, metrics, OpenAPI) and the request pipeline
/// (problem details, timeouts, the endpoints of <see cref="ServeEndpoints"/>). The command and the tests build the same server.
/// </summary>
internal static class ServeApp
{
    /// <summary>The rate-limiting policy of the search endpoint (<see cref="ServeOptions.MaxConcurrentSearches"/>, <see cref="ServeOptions.SearchQueueLimit"/>).</summary>
    public const string SearchPolicy = "search";

    /// <summary>Registers the server's services. An <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> already
    /// registered is used; otherwise <paramref name="generator"/> creates one.</summary>
    public static IServiceCollection AddWerklyServe(this IServiceCollection services, ServeOptions options,
        Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> generator)
    {
        options.Validate();
        services.AddRouting();
        services.AddSingleton(options);
        services.TryAddSingleton(generator);
        services.AddWerklyDocumentIndex(options.IndexPath);
        services.AddSingleton(provider => new BackgroundIngestor(
            new DocumentIngestor(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), provider.GetRequiredService<DocumentIndex>(),
                new DocumentIngestorOptions { ContinueOnDocumentError = true }),
            options.QueueCapacity));
        services.AddSingleton<IngestJobs>();
        services.AddHostedService(provider => provider.GetRequiredService<IngestJobs>());
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainTimeout + TimeSpan.FromSeconds(5));

        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + (64 << 10); // multipart framing around the largest file
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 << 10;
            kestrel.Limits.MaxRequestLineSize = 16 << 10;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            kestrel.AddServerHeader = false;
        });
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
        });
        services.AddProblemDetails();
        services.AddRequestTimeouts(timeouts => timeouts.DefaultPolicy = new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });
        services.AddRateLimiter(limiter =>
        {
            // Searches beyond the slots wait in a bounded queue; beyond that they are refused at once (503 + Retry-After), so
            // an overloaded server answers quickly instead of letting every request run into its timeout.
            limiter.AddConcurrencyLimiter(SearchPolicy, search =>
            {
                search.PermitLimit = options.MaxConcurrentSearches;
                search.QueueLimit = options.SearchQueueLimit;
                search.QueueProcessingOrder = System.Threading.RateLimiting.QueueProcessingOrder.OldestFirst;
            });
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = (context, _) =>
            {
                ServeTelemetry.SearchesRejected.Add(1);
                context.HttpContext.Response.Headers.RetryAfter = ServeEndpoints.SearchRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ValueTask(TypedResults.Problem(
                    $"All {options.MaxConcurrentSearches} search slots are busy and {options.SearchQueueLimit} searches are waiting; retry after {ServeEndpoints.SearchRetryAfterSeconds} s.",
                    statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many searches").ExecuteAsync(context.HttpContext));
            };
        });
        services.AddHealthChecks().AddCheck<IndexHealthCheck>("index");
        services.AddOpenApi();
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ServeTelemetry.Name, "Werkly.VectorIndex", Werkly.VectorIndex.Documents.Ingestion.IngestTelemetry.Name,
                OnnxEmbeddingGenerator.TelemetrySourceName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
            metrics.AddPrometheusExporter();
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
                metrics.AddOtlpExporter(); // endpoint, protocol and headers from the standard OTEL_EXPORTER_OTLP_* variables
        });
        return services;
    }

    /// <summary>The request pipeline and the endpoints.</summary>
    public static void UseWerklyServe(this IApplicationBuilder app)
    {
        ServeTelemetry.Observe(app.ApplicationServices.GetRequiredService<IngestJobs>());
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        app.UseEndpoints(endpoints =>
        {
            ServeEndpoints.Map(endpoints);
            endpoints.MapHealthChecks("/healthz").WithName("Health");
            endpoints.MapPrometheusScrapingEndpoint("/metrics");
            endpoints.MapOpenApi(); // /openapi/v1.json
        });
    }

    /// <summary>Opens the index (and starts the queue) now, so that a locked, damaged or unwritable index stops the
    /// command with its exit code instead of failing the first request.</summary>
    public static void OpenIndex(IServiceProvider services)
    {
        services.GetRequiredService<DocumentIndex>();
        services.GetRequiredService<IngestJobs>();
    }
}

/// <summary>Healthy while the index is open and the ingest queue has room; degraded when the queue is nearly full.</summary>
internal sealed class IndexHealthCheck(DocumentIndex index, IngestJobs jobs, ServeOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = jobs.Status;
        var data = new Dictionary<string, object>
        {
            ["companies"] = index.Companies.Count,
            ["queued"] = status.Queued,
            ["processing"] = status.Processing,
            ["queue_capacity"] = jobs.Capacity,
            ["queued_bytes"] = jobs.QueuedBytes,
        };
        var nearlyFull = (status.Queued > 0 && status.Queued * 10L >= jobs.Capacity * 9L) || jobs.QueuedBytes * 10 >= options.MaxQueuedBytes * 9;
        return Task.FromResult(nearlyFull
            ? HealthCheckResult.Degraded("The ingest queue is nearly full; uploads may be refused with 503.", data: data)
            : HealthCheckResult.Healthy("The index is open.", data));
    }
}
