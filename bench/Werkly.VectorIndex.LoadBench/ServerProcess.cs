using System.Diagnostics;
using System.Globalization;

namespace Werkly.VectorIndex.LoadBench;

/// <summary>A <c>werkly serve</c> process on a loopback port (werkly.dll from this driver's own output folder).</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ServerProcess(Process process, Uri address, Task<string> stderr)
    {
        _process = process;
        Address = address;
        _stderr = stderr;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    public static async Task<ServerProcess> StartAsync(string indexDirectory, IEnumerable<string> extraArguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "werkly.dll"), "serve", "--index", indexDirectory, "--urls", "http://127.0.0.1:0" }.Concat(extraArguments))
            start.ArgumentList.Add(argument);
        start.Environment["NO_COLOR"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start werkly serve.");
        var stderr = process.StandardError.ReadToEndAsync();
        var first = process.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(first, Task.Delay(TimeSpan.FromMinutes(3))) != first || await first is not { } line)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("werkly serve did not start: " + await stderr);
        }
        _ = process.StandardOutput.ReadToEndAsync(); // keep the pipe drained
        // "Listening on http://127.0.0.1:PORT (index …); …"
        return new ServerProcess(process, new Uri(line.Split(' ')[2]), stderr);
    }

    /// <summary>SIGTERM, then waits for the drain; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    public Task<string> StandardError => _stderr;

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
