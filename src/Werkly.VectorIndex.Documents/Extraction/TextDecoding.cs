using System.Text;
using Werkly.VectorIndex.Documents.Exceptions;

namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Turns the bytes of a text file into a string: BOM-detected UTF-8/16/32, else strict UTF-8, else Latin-1;
/// line endings normalized to <c>\n</c>; binary content rejected.</summary>
internal static class TextDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async ValueTask<string> ReadAllTextAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        byte[] bytes;
        if (content is MemoryStream ms && ms.TryGetBuffer(out var segment) && ms.Position == 0)
        {
            bytes = segment.Count == segment.Array!.Length ? segment.Array : segment.ToArray();
        }
        else
        {
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            bytes = copy.ToArray();
        }
        return Decode(bytes, fileName);
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
