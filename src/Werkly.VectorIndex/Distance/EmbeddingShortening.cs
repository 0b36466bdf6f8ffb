using System.Numerics.Tensors;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Distance;

/// <summary>
/// Shortens embeddings the way Matryoshka-trained models define it: keep the first <c>dimensions</c> components and
/// re-normalize them to unit L2 length. OpenAI's text-embedding-3 models are trained this way, so a stored 1536-dimension
/// vector shortened to 512 equals what the API returns for <c>dimensions: 512</c> (up to float rounding), and existing
/// pgvector data can be imported at 512 dimensions without re-embedding.
/// </summary>
/// <remarks>
/// Thread safety: all members are pure functions of their arguments and safe to call concurrently.
/// NaN and infinities are rejected with <see cref="InvalidVectorException"/>, and so is a kept prefix whose norm is zero,
/// because it has no direction to normalize. Precision: the norm is computed in single precision by
/// <see cref="TensorPrimitives.Norm(ReadOnlySpan{float})"/>; results match a double-precision reference to about 1e-6.
/// Shortening a vector that was not trained Matryoshka-style (for example text-embedding-ada-002 or all-MiniLM-L6-v2)
/// produces a unit vector but throws away meaning: only use it for models that define it.
/// </remarks>
public static class EmbeddingShortening
{
    /// <summary>The native size of OpenAI text-embedding-3-small.</summary>
    public const int OpenAiSmallDimensions = 1536;

    /// <summary>The shortened size Werkly recommends for imported text-embedding-3-small vectors.</summary>
    public const int OpenAiShortDimensions = 512;

    /// <summary>Returns the first <paramref name="dimensions"/> components of <paramref name="vector"/>, re-normalized to unit length.</summary>
    /// <param name="vector">The full-length embedding.</param>
    /// <param name="dimensions">How many leading components to keep: at least 1 and at most the vector's length.</param>
    /// <returns>A new array of <paramref name="dimensions"/> components with L2 norm 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is below 1 or above the vector's length.</exception>
    /// <exception cref="InvalidVectorException">The vector holds NaN or an infinity, or its kept prefix is all zeros.</exception>
    public static float[] Shorten(ReadOnlySpan<float> vector, int dimensions)
    {
        var result = new float[dimensions >= 1 ? dimensions : 0];
        Shorten(vector, result);
        return result;
    }

    /// <summary>Writes the first <c>destination.Length</c> components of <paramref name="source"/>, re-normalized to unit length, into <paramref name="destination"/>.</summary>
    /// <param name="source">The full-length embedding.</param>
    /// <param name="destination">Receives the shortened vector; its length is the target dimensions (at least 1, at most the source's length). It may be the start of <paramref name="source"/> itself.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is empty or longer than <paramref name="source"/>.</exception>
    /// <exception cref="InvalidVectorException">The vector holds NaN or an infinity, or its kept prefix is all zeros.</exception>
    public static void Shorten(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < 1 || destination.Length > source.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), destination.Length,
                $"Cannot shorten a vector of {source.Length} dimensions to {destination.Length}: the target must be between 1 and {source.Length}.");
        }

        var kept = source[..destination.Length];
        var norm = TensorPrimitives.Norm(kept);
        if (float.IsFinite(norm) && norm > 0f)
        {
            TensorPrimitives.Divide(kept, norm, destination);
            return;
        }

        if (VectorValidation.IndexOfNonFinite(kept) >= 0)
            throw new InvalidVectorException($"The vector holds NaN or an infinity in its first {destination.Length} components.", nameof(source));
        if (norm == 0f)
            throw new InvalidVectorException($"The first {destination.Length} components of the vector are all zeros, so it has no direction to normalize.", nameof(source));

        // Finite components whose squares overflow float: scale in double instead.
        var doubleNorm = DoubleNorm(kept);
        for (var i = 0; i < kept.Length; i++)
            destination[i] = (float)(kept[i] / doubleNorm);
    }

    /// <summary>
    /// Shortens a batch of vectors laid out row after row, as they come from a bulk export (for example pgvector's
    /// <c>COPY ... TO</c> of a <c>vector(1536)</c> column).
    /// </summary>
    /// <param name="sourceRows">Row-major vectors of <paramref name="sourceDimensions"/> components each.</param>
    /// <param name="sourceDimensions">The length of each source row.</param>
    /// <param name="destinationRows">Receives row-major vectors of <paramref name="dimensions"/> components each; must hold exactly as many rows as the source.</param>
    /// <param name="dimensions">The target length of each row.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range or the spans do not hold whole, matching rows.</exception>
    /// <exception cref="InvalidVectorException">A row holds NaN or an infinity, or its kept prefix is all zeros; the message names the row.</exception>
    public static void ShortenRows(ReadOnlySpan<float> sourceRows, int sourceDimensions, Span<float> destinationRows, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceDimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, sourceDimensions);
        if (sourceRows.Length % sourceDimensions != 0)
            throw new ArgumentOutOfRangeException(nameof(sourceRows), sourceRows.Length, $"The source holds {sourceRows.Length} floats, which is not a whole number of {sourceDimensions}-dimension rows.");
        var rows = sourceRows.Length / sourceDimensions;
        if (destinationRows.Length != (long)rows * dimensions)
            throw new ArgumentOutOfRangeException(nameof(destinationRows), destinationRows.Length, $"The destination must hold {rows} rows of {dimensions} floats ({(long)rows * dimensions} floats).");

        for (var row = 0; row < rows; row++)
        {
            try
            {
                Shorten(sourceRows.Slice(row * sourceDimensions, sourceDimensions), destinationRows.Slice(row * dimensions, dimensions));
            }
            catch (InvalidVectorException e)
            {
                throw new InvalidVectorException($"Row {row}: {e.Message}", e);
            }
        }
    }

    private static double DoubleNorm(ReadOnlySpan<float> values)
    {
        var max = 0.0;
        foreach (var value in values)
            max = Math.Max(max, Math.Abs((double)value));
        var sum = 0.0;
        foreach (var value in values)
        {
            var scaled = value / max;
            sum += scaled * scaled;
        }

        return max * Math.Sqrt(sum);
    }
}
