using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Cli.Serve;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly serve</c>.</summary>
internal sealed class ServeSettings : IndexSettings
{
    /// <summary>Where to listen.</summary>
    [CommandOption("--urls <URLS>")]
    [Description("Where to listen, ';'-separated. Default http://127.0.0.1:5080 (loopback only: put a gateway in front for anything else). Port 0 picks a free port (printed at start).")]
    [DefaultValue("http://127.0.0.1:5080")]
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>Take the company from this header.</summary>
    [CommandOption("--company-header <NAME>")]
    [Description("Take each request's company from this header, set by your gateway after it authenticated the caller (for example X-Werkly-Company); a route naming another company is refused with 403, a request without the header with 401. Never from the query string.")]
    public string? CompanyHeader { get; init; }

    /// <summary>The largest upload.</summary>
    [CommandOption("--max-upload-mb <MB>")]
    [Description("The largest upload accepted, 1 to 1024 MB (413 above it). Default 32.")]
    [DefaultValue(32)]
    public int MaxUploadMb { get; init; } = 32;

    /// <summary>The ingest queue's capacity.</summary>
    [CommandOption("--queue <N>")]
    [Description("How many uploads and deletes may wait for the ingester, 1 to 1048576; a full queue answers 503 with Retry-After. Default 256.")]
    [DefaultValue(256)]
    public int Queue { get; init; } = 256;

    /// <summary>The bytes the queue may hold.</summary>
    [CommandOption("--queue-mb <MB>")]
    [Description("How many megabytes of uploads may wait in memory (at least --max-upload-mb); above it uploads get 503 with Retry-After. Default 256.")]
    [DefaultValue(256)]
    public int QueueMb { get; init; } = 256;

    /// <summary>Searches run at once.</summary>
    [CommandOption("--max-searches <N>")]
    [Description("How many searches run at once, 1 to 4096 (more wait in the search queue). Default: twice the processor count.")]
    public int? MaxSearches { get; init; }

    /// <summary>Searches that may wait.</summary>
    [CommandOption("--search-queue <N>")]
    [Description("How many searches may wait for a slot, 0 to 1048576; when it is full a search is answered 503 with Retry-After at once. Default 64.")]
    [DefaultValue(64)]
    public int SearchQueue { get; init; } = 64;

    /// <summary>The request timeout.</summary>
    [CommandOption("--request-timeout-s <SECONDS>")]
    [Description("How long a request may run before it is cancelled with 504, 1 to 3600 s. Default 30.")]
    [DefaultValue(30)]
    public int RequestTimeoutSeconds { get; init; } = 30;

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (MaxUploadMb is < 1 or > 1024) return ValidationResult.Error("--max-upload-mb must be between 1 and 1024.");
        if (Queue is < 1 or > 1 << 20) return ValidationResult.Error("--queue must be between 1 and 1048576.");
        if (QueueMb < MaxUploadMb) return ValidationResult.Error("--queue-mb must be at least --max-upload-mb (the queue must hold one upload of the largest size).");
        if (MaxSearches is < 1 or > 4096) return ValidationResult.Error("--max-searches must be between 1 and 4096.");
        if (SearchQueue is < 0 or > 1 << 20) return ValidationResult.Error("--search-queue must be between 0 and 1048576.");
        if (RequestTimeoutSeconds is < 1 or > 3600) return ValidationResult.Error("--request-timeout-s must be between 1 and 3600.");
        if (CompanyHeader is not null && (CompanyHeader.Length == 0 || CompanyHeader.Any(c => c <= ' ' || c >= 127 || c == ':')))
            return ValidationResult.Error($"--company-header '{CompanyHeader}' is not a valid HTTP header name.");
        foreach (var url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                return ValidationResult.Error($"--urls '{url}' is not an http:// or https:// address.");
        }
        return base.Validate();
    }

    /// <summary>The server's options.</summary>
    internal ServeOptions ToOptions() => new()
    {
        IndexPath = IndexPath,
        CompanyHeader = CompanyHeader,
        MaxUploadBytes = (long)MaxUploadMb << 20,
        QueueCapacity = Queue,
        MaxQueuedBytes = (long)QueueMb << 20,
        RequestTimeout = TimeSpan.FromSeconds(RequestTimeoutSeconds),
        MaxConcurrentSearches = MaxSearches ?? new ServeOptions { IndexPath = "." }.MaxConcurrentSearches,
        SearchQueueLimit = SearchQueue,
    };
}

/// <summary><c>werkly serve [--index DIR] [--urls http://127.0.0.1:5080] [--company-header NAME] …</c>: the index over HTTP.</summary>
/// <remarks>The server is the index's one writer (it holds the write lock while it runs). Ctrl+C or SIGTERM stops it
/// after the ingest queue is drained: every upload answered 202 is applied.</remarks>
internal sealed class ServeCommand : AsyncCommand<ServeSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.ToOptions();
        // The same checks as ingest: no index inside a folder of other files, a file is not a folder.
        if (File.Exists(options.IndexPath))
            throw new CommandFailedException(ExitCodes.Usage, $"--index '{options.IndexPath}' is a file; give a folder (it is created if missing).");
        if (Directory.Exists(options.IndexPath) && !File.Exists(Path.Combine(options.IndexPath, IndexLocation.ManifestFileName)) && Directory.EnumerateFileSystemEntries(options.IndexPath).Any())
            throw new CommandFailedException(ExitCodes.Usage,
                $"--index '{options.IndexPath}' is a folder with other files in it and no werkly index. Pick another --index.");

        // Serve embeds uploads and questions: an index of other dimensions than the model's is refused before start-up.
        if (EmbeddingModel.IsBundled(settings.ModelName))
            IndexLocation.EnsureModelMatches(options.IndexPath, EmbeddingModel.Dimensions, EmbeddingModel.BundledId(settings.ModelName)!);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Urls);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddWerklyServe(options, _ => EmbeddingModel.CreateDeferred(settings.ModelName, settings.ModelPrecision));
        var app = builder.Build();
        await using var appDisposal = app.ConfigureAwait(false);
        app.UseWerklyServe();
        try
        {
            ServeApp.OpenIndex(app.Services);
        }
        catch (Exception e) when (e is not CommandFailedException)
        {
            throw Unwrap(e);
        }
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Listening on {address} (index {options.IndexPath}); Ctrl+C stops after the ingest queue is drained."));
        Console.Out.Flush();
        try
        {
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    // A factory's exception reaches the caller as itself; an index error is classified by CommandRunner (locked, not writable, damaged).
    private static Exception Unwrap(Exception e) => e is InvalidOperationException { InnerException: { } inner } ? inner : e;
}
