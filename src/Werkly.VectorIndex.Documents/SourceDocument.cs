using System.Text;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents;

/// <summary>A document to ingest: an id that is unique within a company, a file name whose extension selects the
/// text extractor, and a way to open its bytes.</summary>
/// <remarks>Instances are immutable and thread-safe; every <see cref="OpenAsync"/> call opens a fresh stream,
/// so a document can be read more than once (for example when it is ingested again after a change).</remarks>
public sealed class SourceDocument
{
    private readonly Func<CancellationToken, ValueTask<Stream>> _open;

    private SourceDocument(string id, string fileName, string? filePath, Func<CancellationToken, ValueTask<Stream>> open)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (id.Length > MaxIdLength)
            throw new ArgumentException($"Document id '{id[..40]}…' has {id.Length} characters; at most {MaxIdLength} are allowed (chunk keys are 'id#ordinal' and must fit in 512).", nameof(id));
        if (id.Any(char.IsControl))
            throw new ArgumentException($"Document id '{id.Replace("\0", "\\0", StringComparison.Ordinal)}' contains control characters.", nameof(id));
        Id = id;
        FileName = fileName;
        FilePath = filePath;
        _open = open;
    }

    /// <summary>The longest document id, in characters: a chunk key <c>id#ordinal</c> must fit the index's 512-character key limit.</summary>
    public const int MaxIdLength = 500;

    /// <summary>The document id, unique within a company (for files from <see cref="FromDirectory"/>, the path relative to the folder, with '/' separators).</summary>
    public string Id { get; }

    /// <summary>The file name; its extension selects the extractor (for example <c>.md</c> or <c>.pdf</c>).</summary>
    public string FileName { get; }

    /// <summary>The full path of the file on disk, or <see langword="null"/> when the document does not come from a file.</summary>
    public string? FilePath { get; }

    /// <summary>Opens a new stream over the document's bytes; the caller disposes it.</summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken = default) => _open(cancellationToken);

    /// <summary>A document read from a file on disk.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="id">The document id; defaults to the file name.</param>
    public static SourceDocument FromFile(string path, string? id = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        return new SourceDocument(id ?? Path.GetFileName(fullPath), Path.GetFileName(fullPath), fullPath,
            _ => ValueTask.FromResult<Stream>(new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan)));
    }

    /// <summary>A document whose content is already in memory as text.</summary>
    /// <param name="id">The document id.</param>
    /// <param name="text">The document content (Markdown, plain text or HTML, as <paramref name="fileName"/> says).</param>
    /// <param name="fileName">The name whose extension selects the extractor; defaults to <paramref name="id"/>, or to
    /// <c>id.txt</c> when the id has no supported extension.</param>
    public static SourceDocument FromText(string id, string text, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        fileName ??= DocumentTextExtractor.Default.IsSupported(id) ? id : id + ".txt";
        var bytes = Encoding.UTF8.GetBytes(text);
        return new SourceDocument(id, fileName, null, _ => ValueTask.FromResult<Stream>(new MemoryStream(bytes, writable: false)));
    }

    /// <summary>A document whose bytes are in memory.</summary>
    /// <param name="id">The document id.</param>
    /// <param name="fileName">The name whose extension selects the extractor.</param>
    /// <param name="content">The document bytes; not copied, so do not change them while the document is in use.</param>
    public static SourceDocument FromBytes(string id, string fileName, ReadOnlyMemory<byte> content) =>
        new(id, fileName, null, _ => ValueTask.FromResult<Stream>(new ReadOnlyMemoryStream(content)));

    /// <summary>A document whose bytes come from a stream the caller opens on demand (blob storage, an upload, …).</summary>
    /// <param name="id">The document id.</param>
    /// <param name="fileName">The name whose extension selects the extractor.</param>
    /// <param name="open">Opens a new stream over the content; the pipeline disposes it.</param>
    public static SourceDocument FromStream(string id, string fileName, Func<CancellationToken, ValueTask<Stream>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return new SourceDocument(id, fileName, null, open);
    }

    /// <summary>Every file under <paramref name="directory"/> (recursively, in ordinal path order), each with the id of its
    /// path relative to the folder using '/' separators.</summary>
    /// <param name="directory">The folder to walk.</param>
    /// <param name="supportedOnly">When <see langword="true"/> (the default), files whose extension no extractor supports
    /// are left out; when <see langword="false"/> they are returned and fail at extraction with
    /// <see cref="Exceptions.UnsupportedDocumentFormatException"/>.</param>
    /// <remarks>Hidden files and folders (names starting with '.') are skipped, so a <c>.git</c> or <c>.werkly</c> folder is never ingested.</remarks>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<SourceDocument> FromDirectory(string directory, bool supportedOnly = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Folder '{directory}' does not exist.");
        var result = new List<SourceDocument>();
        Walk(root);
        result.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return result;

        void Walk(string folder)
        {
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var name = Path.GetFileName(file);
                if (name.StartsWith('.') || (supportedOnly && !DocumentTextExtractor.Default.IsSupported(name)))
                    continue;
                var id = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                result.Add(FromFile(file, id));
            }
            foreach (var sub in Directory.EnumerateDirectories(folder))
            {
                if (!Path.GetFileName(sub).StartsWith('.'))
                    Walk(sub);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Id;

    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> content) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => content.Length;

        public override long Position
        {
            get => _position;
            set => _position = (int)Math.Clamp(value, 0, content.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, content.Length - _position);
            content.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => content.Length + offset,
            };
            return _position;
        }

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
