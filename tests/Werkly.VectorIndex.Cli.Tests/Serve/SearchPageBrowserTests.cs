using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Werkly.VectorIndex.Cli.Tests.Serve;

/// <summary>Issue 15: werkly serve's search page at <c>/</c>, in a real headless Chromium started by the test (Debian's
/// chromium and chromium-driver, which .ci/run installs). Without the browser the test fails; it is never skipped.</summary>
public sealed class SearchPageBrowserTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_search_page_shows_each_hits_document_heading_snippet_score_and_explanation()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
        var chromedriver = new[] { "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver" }.FirstOrDefault(File.Exists);
        Assert.True(chromium is not null && chromedriver is not null,
            "A headless Chromium and its chromedriver are needed: apt-get install chromium chromium-driver (.ci/run installs them).");

        var index = _folder.Combine("index");
        using var server = WerklyTool.Start(_folder.Path, "serve", "--index", index, "--urls", "http://127.0.0.1:0");
        try
        {
            var firstLine = server.StandardOutput.ReadLineAsync();
            Assert.True(await Task.WhenAny(firstLine, Task.Delay(TimeSpan.FromMinutes(3))) == firstLine, "werkly serve printed no address.");
            var address = (await firstLine ?? throw new InvalidOperationException("werkly serve exited: " + await server.StandardError.ReadToEndAsync())).Split(' ')[2];
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(3) };
            foreach (var (document, text) in new[]
            {
                ("handbook/visitors.md", "# Visitors\n\n## Parking\n\nVisitors park in the north lot behind building B. Bicycles go in the basement."),
                ("handbook/canteen.md", "# Canteen\n\nLunch is served from noon until two in the afternoon."),
            })
            {
                using var upload = await client.PostAsJsonAsync("/companies/acme/documents", new { document, text });
                Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
                var job = await ServeFactory.WaitForJobAsync(client, (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!);
                Assert.Equal("ingested", job.GetProperty("status").GetString());
            }

            var options = new ChromeOptions { BinaryLocation = chromium };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
            using var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromedriver)!, Path.GetFileName(chromedriver));
            service.SuppressInitialDiagnosticInformation = true;
            using var browser = new ChromeDriver(service, options, TimeSpan.FromMinutes(2));

            browser.Navigate().GoToUrl(address + "?company=acme");
            Assert.Equal("werkly search", browser.Title);
            browser.FindElement(By.Id("q")).SendKeys("Where can guests leave their car?");
            browser.FindElement(By.Id("go")).Click();
            var hits = await WaitForAsync(browser, b => b.FindElements(By.CssSelector("#results .hit")) is { Count: > 0 } found ? found : null);

            // The page shows what the API answers for the same question.
            var api = (await client.GetFromJsonAsync<JsonElement>("/companies/acme/search?q=Where+can+guests+leave+their+car%3F&mode=hybrid&top=10&explain=true")).GetProperty("hits");
            Assert.Equal(api.GetArrayLength(), hits.Count);
            var first = hits[0];
            Assert.Equal("handbook/visitors.md", first.FindElement(By.CssSelector(".document")).Text);
            var heading = first.FindElement(By.CssSelector(".heading")).Text;
            Assert.Equal(api[0].GetProperty("heading").GetString(), heading);
            Assert.StartsWith("Visitors", heading, StringComparison.Ordinal);
            Assert.Contains("north lot", first.FindElement(By.CssSelector(".snippet")).Text, StringComparison.Ordinal);
            Assert.Equal(api[0].GetProperty("score").GetDouble().ToString("F4", CultureInfo.InvariantCulture), first.FindElement(By.CssSelector(".score")).Text);
            var explanation = first.FindElement(By.CssSelector(".explanation")).Text;
            Assert.Contains("vector: rank 1", explanation, StringComparison.Ordinal); // found by meaning: no word in common
            Assert.Contains("keyword:", explanation, StringComparison.Ordinal);
            Assert.Contains("results, hybrid", browser.FindElement(By.Id("status")).Text, StringComparison.Ordinal);

            // A bad input shows the server's problem detail, not an empty page.
            browser.Navigate().GoToUrl(address + "?company=nobody&q=lunch");
            browser.FindElement(By.Id("go")).Click();
            var status = await WaitForAsync(browser, b => b.FindElement(By.Id("status")) is { Text: var t } && t.StartsWith("404", StringComparison.Ordinal) ? t : null);
            Assert.Contains("no company 'nobody'", status, StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Polls the page until <paramref name="probe"/> returns something (bounded: a page that never shows it fails the test).</summary>
    private static async Task<T> WaitForAsync<T>(ChromeDriver browser, Func<ChromeDriver, T?> probe) where T : class
    {
        for (var i = 0; i < 600; i++)
        {
            if (probe(browser) is { } found) return found;
            await Task.Delay(100);
        }
        Assert.Fail("The page did not show the expected element within a minute: " + browser.FindElement(By.TagName("body")).Text);
        return null!;
    }
}
