using System.Security.Cryptography;
using System.Text;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>SHA-256 of a document's normalized text: the key that lets ingestion skip documents that have not changed.</summary>
/// <remarks>
/// <para>Normalization makes the hash ignore differences that do not change the text a reader sees: line endings
/// become <c>\n</c>, trailing whitespace on each line and leading/trailing blank lines are removed. Everything else
/// (case, inner spacing, punctuation) counts as a change. Unicode normalization (NFC) is deliberately not applied: it
/// depends on ICU, which apps running with <c>InvariantGlobalization</c> lack, and a hash stored in an index must not
/// change with the host's globalization mode.</para>
/// <para>The optional salt lets the pipeline fold in the settings that shape the stored chunks (chunker, embedding
/// model), so changing them re-ingests unchanged documents. Thread-safe (stateless).</para>
/// </remarks>
public static class ContentHash
{
    /// <summary>The normalized form of <paramref name="text"/> that <see cref="Compute"/> hashes.</summary>
    /// <param name="text">The text.</param>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        foreach (var line in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', '\r'))
            sb.Append(line.AsSpan().TrimEnd()).Append('\n');
        return sb.ToString().Trim('\n');
    }

    /// <summary>The lower-case hexadecimal SHA-256 of <paramref name="salt"/>, a NUL, and the normalized <paramref name="text"/> (UTF-8).</summary>
    /// <param name="text">The document text.</param>
    /// <param name="salt">Settings to fold into the hash; empty for the plain text hash.</param>
    public static string Compute(string text, string salt = "")
    {
        ArgumentNullException.ThrowIfNull(salt);
        var payload = Encoding.UTF8.GetBytes(salt + "\0" + Normalize(text));
        return Convert.ToHexStringLower(SHA256.HashData(payload));
    }
}
