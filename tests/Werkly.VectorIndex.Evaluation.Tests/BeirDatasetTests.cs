using System.IO.Compression;
using System.Text;

namespace Werkly.VectorIndex.Evaluation.Tests;

public sealed class BeirDatasetTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "werkly-beir-" + Guid.NewGuid().ToString("N"));

    public BeirDatasetTests() => Directory.CreateDirectory(Path.Combine(_directory, "qrels"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Loads_gzipped_corpus_plain_queries_and_graded_qrels_with_a_header()
    {
        WriteGz("corpus.jsonl.gz", """
            {"_id": "d1", "title": "Boundary layers", "text": "Flow near a wall."}
            {"_id": 2, "text": "No title here."}

            """);
        Write("queries.jsonl", """
            {"_id": "q1", "text": "what is a boundary layer"}
            {"_id": "q2", "text": "never judged"}
            """);
        Write("qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t2\t0\n");

        var dataset = BeirDataset.Load(_directory);

        Assert.Equal([new BeirDocument("d1", "Boundary layers", "Flow near a wall."), new BeirDocument("2", "", "No title here.")], dataset.Corpus);
        Assert.Equal(["q1", "q2"], dataset.Queries.Select(q => q.Id));
        Assert.Equal(["q1"], dataset.JudgedQueries.Select(q => q.Id));
        Assert.Equal(2, dataset.Judgments["q1"]["d1"]);
        Assert.Equal(0, dataset.Judgments["q1"]["2"]);
    }

    [Fact]
    public void A_missing_file_or_a_bad_line_is_named()
    {
        Write("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"x\"}\n");
        Assert.Contains("corpus.jsonl", Assert.Throws<FileNotFoundException>(() => BeirDataset.Load(_directory)).Message, StringComparison.Ordinal);

        Write("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"a\"}\n{\"text\": \"no id\"}\n");
        Write("qrels/test.tsv", "q1\td1\t1\n");
        var missingId = Assert.Throws<InvalidDataException>(() => BeirDataset.Load(_directory));
        Assert.Contains("line 2", missingId.Message, StringComparison.Ordinal);

        Write("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"a\"}\n{\"_id\": \"d1\", \"text\": \"b\"}\n");
        Assert.Contains("'d1'", Assert.Throws<InvalidDataException>(() => BeirDataset.Load(_directory)).Message, StringComparison.Ordinal);

        Write("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"a\"}\n");
        Write("qrels/test.tsv", "q1\td1\t1\nq1\td2\tvery\n"); // on line 1 it would be taken for a header
        Assert.Contains("line 2", Assert.Throws<InvalidDataException>(() => BeirDataset.Load(_directory)).Message, StringComparison.Ordinal);
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_directory, name), text);

    private void WriteGz(string name, string text)
    {
        using var file = File.Create(Path.Combine(_directory, name));
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(text));
    }
}
