using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Werkly.VectorIndex.Cli.Tests.Serve;

/// <summary>Issue 15: the real <c>werkly serve</c> process on a loopback port, with the bundled model.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_real_server_ingests_searches_and_stops_on_sigterm_keeping_what_it_accepted()
    {
        var index = _folder.Combine("index");
        using var server = WerklyTool.Start(_folder.Path, "serve", "--index", index, "--urls", "http://127.0.0.1:0");
        try
        {
            var firstLine = server.StandardOutput.ReadLineAsync();
            Assert.True(await Task.WhenAny(firstLine, Task.Delay(TimeSpan.FromMinutes(3))) == firstLine,
                "werkly serve printed no address: " + (server.HasExited ? await server.StandardError.ReadToEndAsync() : "still starting"));
            var line = await firstLine ?? throw new InvalidOperationException("werkly serve exited: " + await server.StandardError.ReadToEndAsync());
            var address = line.Split(' ')[2];
            Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);

            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(3) };
            using var upload = await client.PostAsJsonAsync("/companies/acme/documents",
                new { document = "parking.md", text = "# Parking\n\nVisitors park in the north lot behind building B. Bicycles go in the basement." });
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
            var job = await ServeFactory.WaitForJobAsync(client, (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!);
            Assert.Equal("ingested", job.GetProperty("status").GetString());

            var search = await client.GetFromJsonAsync<JsonElement>("/companies/acme/search?q=Where+can+guests+leave+their+car%3F&mode=vector");
            Assert.Equal("parking.md", search.GetProperty("hits")[0].GetProperty("document").GetString()); // found by meaning (real model)
            Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));

            // A last upload, then SIGTERM: the queue is drained before the process exits.
            using var last = await client.PostAsJsonAsync("/companies/acme/documents", new { document = "canteen.md", text = "# Canteen\n\nLunch is served from noon." });
            Assert.Equal(HttpStatusCode.Accepted, last.StatusCode);
            if (OperatingSystem.IsLinux())
            {
                using var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                using var exited = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                await server.WaitForExitAsync(exited.Token);
                Assert.True(server.ExitCode == 0, await server.StandardError.ReadToEndAsync());

                var after = WerklyTool.Run(_folder.Path, "search", "lunch", "--company", "acme", "--index", index, "--mode", "keyword", "--json").Json();
                Assert.Equal("canteen.md", after.GetProperty("hits")[0].GetProperty("document").GetString());
            }
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
        }
    }
}
