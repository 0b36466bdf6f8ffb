using System.Text;
using Werkly.VectorIndex.Documents.Exceptions;

namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Turns the bytes of a text file into a string: BOM-detected UTF-8/16/32, else strict UTF-8, else Latin-1;
/// line endings normalized to <c>\n</c>; binary content rejected.</summary>
internal static class TextDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async ValueTask<string> ReadAllTextAsync(Stream content, string fileName, CancellationToken cancellationToken) =>
        Decode(await ReadAllBytesAsync(content, cancellationToken).ConfigureAwait(false), fileName);

    /// <summary>The bytes of <paramref name="content"/> from its position to its end, copied at most once: a memory stream
    /// at position 0 that exposes its buffer (as the extractor's size-limit buffer does) is read in place; any other stream
    /// is copied into a buffer sized to its length when it is seekable.</summary>
    /// <remarks>The segment may be the stream's own buffer: read it, do not change it.</remarks>
    public static async ValueTask<ArraySegment<byte>> ReadAllBytesAsync(Stream content, CancellationToken cancellationToken)
    {
        if (content is MemoryStream memory && memory.Position == 0 && memory.TryGetBuffer(out var own))
            return own;
        using var copy = content.CanSeek ? new MemoryStream(checked((int)Math.Max(0, content.Length - content.Position))) : new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.TryGetBuffer(out var filled) ? filled : copy.ToArray(); // a MemoryStream created without an array always exposes it
    }

    public static string Decode(ReadOnlySpan<byte> bytes, string fileName)
    {
        string text;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            text = Decode(StrictUtf8, bytes[3..], fileName);
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
            text = Decode(new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), bytes[4..], fileName);
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            text = Decode(new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), bytes[2..], fileName);
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            text = Decode(new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), bytes[2..], fileName);
        else if (bytes.Contains((byte)0))
            throw new DocumentExtractionException(fileName, "the file contains NUL bytes; it looks binary, not text.");
        else
        {
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8: legacy single-byte text (ISO-8859-1 maps every byte, so this cannot fail).
                text = Encoding.Latin1.GetString(bytes);
            }
        }
        if (text.Contains('\0', StringComparison.Ordinal))
            throw new DocumentExtractionException(fileName, "the file contains NUL characters; it looks binary, not text.");
        return NormalizeLineEndings(text);
    }

    public static string NormalizeLineEndings(string text) =>
        text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : text;

    private static string Decode(Encoding encoding, ReadOnlySpan<byte> bytes, string fileName)
    {
        try
        {
            return encoding.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new DocumentExtractionException(fileName, $"the file starts with a {encoding.WebName} byte-order mark but is not valid {encoding.WebName}.", e);
        }
    }
}
