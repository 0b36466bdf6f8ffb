using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Cli.Output;

/// <summary>How an ingest shows its progress.</summary>
internal enum ProgressMode
{
    /// <summary>Nothing (<c>--quiet</c>).</summary>
    None,

    /// <summary>A live progress bar on stdout (an interactive terminal without <c>--json</c>).</summary>
    Live,

    /// <summary>Plain progress lines on stderr, at most one every few seconds (output redirected to a file or pipe, or <c>--json</c>).</summary>
    Lines,
}

/// <summary>What an ingest has done so far, built from the pipeline's <see cref="IngestProgress"/> reports: the share of the
/// input's bytes done (documents finished, plus the embedded part of the one being embedded), and a one-line description
/// with an estimate of the time left.</summary>
/// <remarks>Thread-safe: the pipeline reports from two stages.</remarks>
internal sealed class IngestProgressView
{
    private readonly Lock _lock = new();
    private readonly string _companyId;
    private readonly long[] _sizes;
    private readonly long _totalBytes;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _finishedBytes;
    private int _finished;
    private IngestProgress? _last;
    private IngestProgress? _current; // the document being embedded, while it is

    /// <param name="companyId">The company, for the description.</param>
    /// <param name="documents">The run's documents in input order (files are weighted by their size, others count as 1 KiB).</param>
    public IngestProgressView(string companyId, IReadOnlyList<SourceDocument> documents)
    {
        _companyId = companyId;
        _sizes = [.. documents.Select(SizeOf)];
        _totalBytes = Math.Max(1, _sizes.Sum());
    }

    /// <summary>Documents in the run.</summary>
    public int DocumentCount => _sizes.Length;

    /// <summary>Takes a report into account.</summary>
    /// <returns>True when it is the first report while a new long document is being embedded.</returns>
    public bool Update(IngestProgress report)
    {
        lock (_lock)
        {
            if (report.Document.Status == DocumentStatus.Processing)
            {
                if (report.DocumentNumber <= _finished) return false; // a late report about a document already written
                var first = _current is null || _current.DocumentNumber != report.DocumentNumber;
                _current = report;
                return first;
            }
            while (_finished < report.DocumentNumber && _finished < _sizes.Length)
                _finishedBytes += _sizes[_finished++];
            if (_current is not null && _current.DocumentNumber <= _finished)
                _current = null;
            _last = report;
            return false;
        }
    }

    /// <summary>The share of the input done, 0 to 1, by bytes.</summary>
    public double Fraction
    {
        get
        {
            lock (_lock)
                return FractionUnlocked();
        }
    }

    /// <summary>For example <c>acme: 3 of 10 documents · big.txt: chunk 128 of 5,000 (about 2m30s left) · 41 chunks/s · about 6m left in all</c>.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{_companyId}: {_finished:N0} of {_sizes.Length:N0} documents");
            if (_current is { } c)
            {
                text += string.Create(CultureInfo.InvariantCulture, $" · {c.Document.DocumentId}: chunk {c.DocumentChunksEmbedded:N0} of {c.DocumentChunkCount:N0}");
                if (c.DocumentTimeRemaining is { } left)
                    text += $" (about {IngestProgress.FormatDuration(left)} left)";
            }
            var latest = _current ?? _last;
            if (latest is not null)
            {
                var seconds = latest.Elapsed.TotalSeconds;
                var rate = seconds > 0 ? latest.ChunksEmbedded / seconds : 0;
                text += string.Create(CultureInfo.InvariantCulture, $" · {latest.ChunksEmbedded:N0} chunks embedded, {rate:F1}/s");
            }
            var fraction = FractionUnlocked();
            var elapsed = _clock.Elapsed;
            if (fraction is > 0.001 and < 1 && elapsed > TimeSpan.FromSeconds(1))
                text += $" · about {IngestProgress.FormatDuration(elapsed * ((1 - fraction) / fraction))} left in all";
            return text;
        }
    }

    private double FractionUnlocked()
    {
        var done = (double)_finishedBytes;
        if (_current is { DocumentChunkCount: > 0 } c && c.DocumentNumber - 1 < _sizes.Length)
            done += _sizes[c.DocumentNumber - 1] * (double)c.DocumentChunksEmbedded / c.DocumentChunkCount;
        return Math.Clamp(done / _totalBytes, 0, 1);
    }

    private static long SizeOf(SourceDocument document)
    {
        try
        {
            return document.FilePath is { } path ? Math.Max(1, new FileInfo(path).Length) : 1024;
        }
        catch (IOException)
        {
            return 1024;
        }
    }
}

/// <summary>Writes <see cref="IngestProgressView"/> lines to stderr when there is no live display: one when a long
/// document starts to be embedded, and otherwise at most one per <see cref="Interval"/>.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ProgressLines(IngestProgressView view) : IProgress<IngestProgress>
{
    /// <summary>The least time between two lines (except the first line about a long document).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();

    /// <inheritdoc />
    public void Report(IngestProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var startsLongDocument = view.Update(value);
        lock (_lock)
        {
            if (!startsLongDocument && _sinceLine.Elapsed < Interval)
                return;
            _sinceLine.Restart();
            Terminal.WriteProgress(view.Describe());
        }
    }
}
