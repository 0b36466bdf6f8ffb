using System.Collections;
using Werkly.VectorIndex.Cli.Configuration;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>--index, --company and --model from flags, WERKLY_* variables or ./werkly.json, in that order, and 'werkly config'.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Flags_win_over_the_environment_which_wins_over_werkly_json_which_wins_over_the_defaults()
    {
        var none = WerklyConfiguration.Load(_folder.Path, new Hashtable());
        Assert.Equal((Path.Combine(_folder.Path, ".werkly"), SettingSource.Default), (none.Index(null).Value, none.Index(null).Source));
        Assert.Equal((null, SettingSource.Default), (none.Company(null).Value, none.Company(null).Source));
        Assert.Equal(EmbeddingModel.DefaultName, none.Model(null).Value);
        Assert.Null(none.FilePath);

        _folder.Write("werkly.json", """{ "index": "data/idx", "company": "from-file", "model": "all-MiniLM-L6-v2", } // comments and a trailing comma are fine""");
        var file = WerklyConfiguration.Load(_folder.Path, new Hashtable());
        Assert.Equal((Path.Combine(_folder.Path, "data", "idx"), SettingSource.File), (file.Index(null).Value, file.Index(null).Source));
        Assert.Equal(("from-file", SettingSource.File), (file.Company(null).Value, file.Company(null).Source));
        Assert.Equal(_folder.Combine("werkly.json"), file.Company(null).Origin);

        var environment = WerklyConfiguration.Load(_folder.Path, new Hashtable { ["WERKLY_COMPANY"] = "from-env", ["WERKLY_INDEX"] = "/srv/werkly", ["WERKLY_MODEL"] = " " });
        Assert.Equal(("from-env", SettingSource.Environment, "WERKLY_COMPANY"), (environment.Company(null).Value, environment.Company(null).Source, environment.Company(null).Origin));
        Assert.Equal("/srv/werkly", environment.Index(null).Value);
        Assert.Equal(SettingSource.File, environment.Model(null).Source); // a blank variable counts as unset
        Assert.Equal(("from-flag", SettingSource.Flag), (environment.Company("from-flag").Value, environment.Company("from-flag").Source));
    }

    [Theory]
    [InlineData("[1, 2]", "one JSON object")]
    [InlineData("{\"compnay\": \"acme\"}", "unknown setting \"compnay\"")]
    [InlineData("{\"company\": 7}", "must be a string")]
    [InlineData("{ not json", "not valid JSON")]
    public void An_invalid_werkly_json_is_a_usage_error_naming_the_file_and_the_problem(string content, string problem)
    {
        _folder.Write("werkly.json", content);
        var result = WerklyTool.Run(_folder.Path, "config");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("werkly.json", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(problem, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_take_the_company_and_index_from_werkly_json_or_the_environment_and_config_says_where_from()
    {
        Corpora.WriteAcme(_folder);
        _folder.Write("werkly.json", """{"company": "acme", "index": "shared-index"}""");

        var ingest = WerklyTool.Run(_folder.Path, "ingest", "acme", "--json").Json(); // no --company, no --index
        Assert.Equal("acme", ingest.GetProperty("company").GetString());
        Assert.Equal(_folder.Combine("shared-index"), ingest.GetProperty("index").GetString());
        var hits = WerklyTool.Run(_folder.Path, "search", "hotel limit in Paris", "--mode", "keyword", "--json").Json();
        Assert.Equal("policies/travel.md", hits.GetProperty("hits")[0].GetProperty("document").GetString());

        // The environment wins over the file, a flag over both.
        var environment = new Dictionary<string, string> { ["WERKLY_COMPANY"] = "globex" };
        var missing = WerklyTool.Run(_folder.Path, environment, TimeSpan.FromMinutes(1), "search", "hotel", "--mode", "keyword");
        Assert.True(missing.ExitCode == 4, missing.ToString()); // globex is not in the index
        Assert.Contains("no company 'globex'", missing.Stderr, StringComparison.Ordinal);
        var flag = WerklyTool.Run(_folder.Path, environment, TimeSpan.FromMinutes(1), "search", "hotel", "--company", "acme", "--mode", "keyword", "--json").Json();
        Assert.Equal("acme", flag.GetProperty("company").GetString());

        var config = WerklyTool.Run(_folder.Path, environment, TimeSpan.FromMinutes(1), "config", "--model", "all-MiniLM-L6-v2", "--json").Json();
        Assert.Equal((_folder.Combine("shared-index"), "file"), (config.GetProperty("index").GetProperty("value").GetString(), config.GetProperty("index").GetProperty("source").GetString()));
        Assert.Equal(("globex", "environment", "WERKLY_COMPANY"), (config.GetProperty("company").GetProperty("value").GetString(),
            config.GetProperty("company").GetProperty("source").GetString(), config.GetProperty("company").GetProperty("origin").GetString()));
        Assert.Equal("flag", config.GetProperty("model").GetProperty("source").GetString());
        Assert.Equal(_folder.Combine("werkly.json"), config.GetProperty("file").GetString());

        var human = WerklyTool.Run(_folder.Path, environment, TimeSpan.FromMinutes(1), "config");
        Assert.Equal(0, human.ExitCode);
        var text = System.Text.RegularExpressions.Regex.Replace(human.Stdout, @"\s+", " ");
        Assert.Contains("environment (WERKLY_COMPANY)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_that_is_neither_bundled_nor_a_folder_is_a_usage_error()
    {
        Corpora.WriteAcme(_folder);
        var result = WerklyTool.Run(_folder.Path, "ingest", "acme", "--company", "acme", "--model", "text-embedding-3-small");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("model.onnx", result.Stderr, StringComparison.Ordinal);
    }
}
