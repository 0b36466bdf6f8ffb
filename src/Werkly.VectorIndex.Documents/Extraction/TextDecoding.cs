using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Werkly.VectorIndex.Documents.Exceptions;

namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Text decoded from the bytes of a file, and a warning when the decoding had to guess or replace bytes.</summary>
/// <param name="Text">The text, line endings normalized to <c>\n</c>.</param>
/// <param name="Warning">What was replaced or guessed, or <see langword="null"/> when the bytes decoded cleanly.</param>
internal readonly record struct DecodedText(string Text, string? Warning);

/// <summary>Turns the bytes of a text file into a string, and refuses bytes that are not text.</summary>
/// <remarks>
/// <para><b>Encoding.</b> A byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE). Without one the bytes are UTF-8:
/// valid UTF-8 decodes as is; UTF-8 with a few bad bytes (a truncated or corrupted file) decodes with U+FFFD for each bad
/// sequence and a warning, so one stray byte no longer turns a whole file into mojibake. Only bytes that hold no valid
/// multi-byte UTF-8 sequence at all, yet are not UTF-8, are read as Windows-1252 (the superset of Latin-1 that legacy
/// Western text uses), also with a warning: such files are almost always legacy single-byte text, and a UTF-8 file
/// holding accented or non-Latin text always has valid multi-byte sequences.</para>
/// <para><b>Binary sniffing.</b> Without a UTF-16/32 mark, content that starts with a known binary signature (PNG, JPEG,
/// GIF, ZIP/Office, PDF, gzip, ELF, …), holds a NUL byte, or whose first 8 KiB are more than 5% control characters that
/// text never holds, is rejected with <see cref="DocumentExtractionException"/>.</para>
/// </remarks>
internal static class TextDecoding
{
    private static readonly UTF8Encoding Utf8WithReplacement = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>How many leading bytes the control-character ratio is measured on.</summary>
    private const int SniffBytes = 8192;

    private static readonly (string Name, byte[] Signature)[] BinarySignatures =
    [
        ("a PNG image", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        ("a JPEG image", [0xFF, 0xD8, 0xFF]),
        ("a GIF image", "GIF87a"u8.ToArray()),
        ("a GIF image", "GIF89a"u8.ToArray()),
        ("a ZIP archive (or .docx/.xlsx/.pptx)", [(byte)'P', (byte)'K', 0x03, 0x04]),
        ("a PDF document", "%PDF-"u8.ToArray()),
        ("a gzip archive", [0x1F, 0x8B]),
        ("an ELF executable", [0x7F, (byte)'E', (byte)'L', (byte)'F']),
        ("a 7-Zip archive", [(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C]),
        ("an xz archive", [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]),
        ("a Zstandard archive", [0x28, 0xB5, 0x2F, 0xFD]),
        ("an OLE2 file (.doc/.xls/.msg)", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        ("a Java class or Mach-O file", [0xCA, 0xFE, 0xBA, 0xBE]),
        ("a WebAssembly module", [0x00, (byte)'a', (byte)'s', (byte)'m']),
    ];

    public static async ValueTask<DecodedText> ReadAllTextAsync(Stream content, string fileName, CancellationToken cancellationToken) =>
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

    /// <summary>The encoding a byte-order mark at the start of <paramref name="bytes"/> names, and the mark's length; or null.</summary>
    public static (Encoding Encoding, int Length)? DetectByteOrderMark(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            return (Utf8WithReplacement, 3);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
            return (new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: false), 4);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            return (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: false), 2);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: false), 2);
        return null;
    }

    /// <summary>Throws when <paramref name="bytes"/> (without a byte-order mark) look binary rather than text.</summary>
    /// <exception cref="DocumentExtractionException">A binary signature, a NUL byte, or too many control characters.</exception>
    public static void RejectBinary(ReadOnlySpan<byte> bytes, string fileName)
    {
        foreach (var (name, signature) in BinarySignatures)
        {
            if (bytes.StartsWith(signature))
                throw new DocumentExtractionException(fileName, $"the file is {name}, not text (its first bytes are that format's signature). Give it its real extension, or leave it out.");
        }
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
            throw new DocumentExtractionException(fileName, string.Create(CultureInfo.InvariantCulture, $"the file contains NUL bytes (the first at byte {nul}); it looks binary, not text."));
        var sample = bytes[..Math.Min(bytes.Length, SniffBytes)];
        var controls = 0;
        foreach (var b in sample)
        {
            // Text holds tab, line feed, vertical tab, form feed, carriage return and escape (ANSI colours); never the rest.
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r' or 0x1B))
                controls++;
        }
        if (controls >= 4 && controls * 20 > sample.Length)
            throw new DocumentExtractionException(fileName, string.Create(CultureInfo.InvariantCulture,
                $"{controls} of its first {sample.Length} bytes are control characters; it looks binary, not text."));
    }

    /// <summary>Decodes a text file's bytes (see the class remarks).</summary>
    /// <exception cref="DocumentExtractionException">The content looks binary.</exception>
    public static DecodedText Decode(ReadOnlySpan<byte> bytes, string fileName)
    {
        string text;
        string? warning = null;
        if (DetectByteOrderMark(bytes) is var (encoding, length))
        {
            text = encoding.GetString(bytes[length..]);
            var replaced = CountReplacements(text) - CountReplacementsEncodedIn(bytes[length..], encoding);
            if (replaced > 0)
                warning = string.Create(CultureInfo.InvariantCulture,
                    $"the file starts with a {encoding.WebName} byte-order mark but is not valid {encoding.WebName}: {replaced} invalid sequence(s) were replaced with U+FFFD.");
        }
        else
        {
            RejectBinary(bytes, fileName);
            if (Utf8.IsValid(bytes))
            {
                text = Utf8WithReplacement.GetString(bytes);
            }
            else
            {
                var (invalid, multiByte, firstInvalid) = ScanUtf8(bytes);
                if (multiByte > 0)
                {
                    text = Utf8WithReplacement.GetString(bytes);
                    warning = string.Create(CultureInfo.InvariantCulture,
                        $"the file is UTF-8 with {invalid} invalid byte sequence(s) (the first at byte {firstInvalid}); each was replaced with U+FFFD.");
                }
                else
                {
                    text = Windows1252.GetString(bytes);
                    warning = string.Create(CultureInfo.InvariantCulture,
                        $"the file is not UTF-8 (byte {firstInvalid} is invalid and no multi-byte UTF-8 character occurs), so it was read as Windows-1252 (Latin-1). Save it as UTF-8 if that is wrong.");
                }
            }
        }
        if (text.Contains('\0', StringComparison.Ordinal))
            throw new DocumentExtractionException(fileName, "the file contains NUL characters; it looks binary, not text.");
        return new DecodedText(NormalizeLineEndings(text), warning);
    }

    public static string NormalizeLineEndings(string text) =>
        text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : text;

    /// <summary>Windows-1252; its five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 controls of the same
    /// value, as browsers do, so every byte decodes.</summary>
    /// <remarks>Taken from the code-pages provider that ships with .NET, without registering it process-wide.</remarks>
    private static Encoding Windows1252 { get; } =
        CodePagesEncodingProvider.Instance.GetEncoding(1252, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback)
        ?? throw new PlatformNotSupportedException("The Windows-1252 code page is not available.");

    /// <summary>Invalid sequences, valid multi-byte characters and the offset of the first invalid byte in UTF-8 bytes.</summary>
    private static (int Invalid, int MultiByte, int FirstInvalid) ScanUtf8(ReadOnlySpan<byte> bytes)
    {
        int invalid = 0, multiByte = 0, firstInvalid = -1, offset = 0;
        while (offset < bytes.Length)
        {
            var ascii = bytes[offset..].IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
            if (ascii < 0) break;
            offset += ascii;
            var status = System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                multiByte++;
            }
            else
            {
                invalid++;
                if (firstInvalid < 0) firstInvalid = offset;
            }
            offset += Math.Max(1, consumed);
        }
        return (invalid, multiByte, firstInvalid);
    }

    private static int CountReplacements(string text) => text.AsSpan().Count('\uFFFD');

    /// <summary>U+FFFD characters the bytes encode legitimately (so they are not counted as replacements).</summary>
    private static int CountReplacementsEncodedIn(ReadOnlySpan<byte> bytes, Encoding encoding)
    {
        var replacement = encoding.GetBytes("\uFFFD");
        return bytes.IndexOf(replacement) < 0 ? 0 : CountOccurrences(bytes, replacement);
    }

    private static int CountOccurrences(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> value)
    {
        var count = 0;
        int at;
        while ((at = bytes.IndexOf(value)) >= 0)
        {
            count++;
            bytes = bytes[(at + value.Length)..];
        }
        return count;
    }
}
