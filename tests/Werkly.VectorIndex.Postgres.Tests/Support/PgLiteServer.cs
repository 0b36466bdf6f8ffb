using System.Diagnostics;
using System.Text;
using Npgsql;
using Pgvector.Npgsql;

namespace Werkly.VectorIndex.Postgres.Tests.Support;

/// <summary>
/// A PostgreSQL 18 server with pgvector for the tests: PGlite (Postgres compiled to WebAssembly) served over TCP by
/// <c>@electric-sql/pglite-socket</c>, from the npm packages pinned in <c>PgLite/package-lock.json</c>. Installed with
/// <c>npm ci</c> (once per test process), started on a free loopback port, stopped on dispose.
/// </summary>
/// <remarks>
/// <para>A server that cannot be installed or started fails the test with the reason (npm's or node's output); it is
/// never skipped.</para>
/// <para>PGlite serves one session: the data sources made here hold one connection (Maximum Pool Size=1), and a test
/// that needs concurrency uses several servers. Each server is in memory, so each test class starts empty.</para>
/// </remarks>
public sealed class PgLiteServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool s_installed;

    private readonly Process _process;
    private readonly StringBuilder _errors;

    private PgLiteServer(Process process, int port, StringBuilder errors)
    {
        _process = process;
        Port = port;
        _errors = errors;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>A connection string for this server (one pooled connection, no TLS).</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password=postgres;Database=postgres;SSL Mode=Disable;Maximum Pool Size=1;" +
        "Multiplexing=false;Timeout=60;Command Timeout=600;Include Error Detail=true";

    /// <summary>A data source for this server with pgvector's type mapping.</summary>
    public NpgsqlDataSource CreateDataSource()
    {
        var builder = new NpgsqlDataSourceBuilder(ConnectionString);
        builder.UseVector();
        return builder.Build();
    }

    /// <summary>The folder holding package.json, package-lock.json and server.mjs (copied next to the test assembly).</summary>
    public static string PackageDirectory => Path.Combine(AppContext.BaseDirectory, "PgLite");

    /// <summary>Installs the pinned packages (once per process) and starts a server.</summary>
    /// <exception cref="InvalidOperationException">npm or node failed, or the server did not listen in time (the message holds their output).</exception>
    public static async Task<PgLiteServer> StartAsync()
    {
        await InstallAsync();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = PackageDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("server.mjs");
        start.ArgumentList.Add("0");
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node (is Node 20 on the PATH?).");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (errors) errors.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    await process.WaitForExitAsync(CancellationToken.None);
                    throw new InvalidOperationException($"The PGlite server exited with code {process.ExitCode} before listening:\n{Text(errors)}");
                }
                if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
                {
                    var server = new PgLiteServer(process, int.Parse(line.AsSpan(10), System.Globalization.CultureInfo.InvariantCulture), errors);
                    _ = DrainAsync(process);
                    return server;
                }
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The PGlite server did not listen within {StartTimeout.TotalSeconds:0} s:\n{Text(errors)}");
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    private static async Task DrainAsync(Process process)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static string Text(StringBuilder errors)
    {
        lock (errors) return errors.ToString();
    }

    private static async Task InstallAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (s_installed) return;
            var npm = new ProcessStartInfo("npm")
            {
                WorkingDirectory = PackageDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])["ci", "--no-audit", "--no-fund", "--prefer-offline"]) npm.ArgumentList.Add(argument);
            using var process = Process.Start(npm) ?? throw new InvalidOperationException("Could not start npm (is Node 20 on the PATH?).");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"npm ci failed in {PackageDirectory} with code {process.ExitCode}:\n{await output}\n{await error}");
            s_installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>What the server wrote to stderr so far (for failure messages).</summary>
    public string ErrorOutput => Text(_errors);

    /// <summary>Stops the server: closes its stdin (it exits), or kills it after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
