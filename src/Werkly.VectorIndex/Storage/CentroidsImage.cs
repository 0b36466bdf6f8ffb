namespace Werkly.VectorIndex.Storage;

/// <summary>A company's coarse quantizer, handed to <see cref="IndexDirectory.Commit"/>.</summary>
/// <remarks>Immutable once created; the vectors are copied by nothing and read during the commit only.</remarks>
internal sealed class CentroidsImage
{
    /// <summary>Creates the image.</summary>
    /// <param name="dimensions">Vector dimensions.</param>
    /// <param name="listCount">Number of centroids (lists).</param>
    /// <param name="metric">The caller's code for the distance metric (0..255), stored as is.</param>
    /// <param name="trainingVersion">Increases with every retraining; segments trained on other versions must be re-assigned by the caller.</param>
    /// <param name="trainedRowCount">Rows the company had when the quantizer was trained (for the retrain-at-2× policy).</param>
    /// <param name="vectors"><paramref name="listCount"/> × stride floats, stride = dimensions rounded up to 16, zero-padded.</param>
    public CentroidsImage(int dimensions, int listCount, byte metric, long trainingVersion, long trainedRowCount, ReadOnlyMemory<float> vectors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, 65536);
        ArgumentOutOfRangeException.ThrowIfLessThan(listCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(trainingVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(trainedRowCount);
        if (vectors.Length != (long)listCount * StorageFormat.StrideFor(dimensions))
            throw new ArgumentException($"Expected {listCount} × {StorageFormat.StrideFor(dimensions)} floats but got {vectors.Length}.", nameof(vectors));
        Dimensions = dimensions;
        ListCount = listCount;
        Metric = metric;
        TrainingVersion = trainingVersion;
        TrainedRowCount = trainedRowCount;
        Vectors = vectors;
    }

    /// <summary>Vector dimensions.</summary>
    public int Dimensions { get; }

    /// <summary>Floats per centroid.</summary>
    public int Stride => StorageFormat.StrideFor(Dimensions);

    /// <summary>Number of centroids.</summary>
    public int ListCount { get; }

    /// <summary>The caller's metric code.</summary>
    public byte Metric { get; }

    /// <summary>Training version.</summary>
    public long TrainingVersion { get; }

    /// <summary>Rows at training time.</summary>
    public long TrainedRowCount { get; }

    /// <summary>Centroids, row-major with <see cref="Stride"/> floats per row.</summary>
    public ReadOnlyMemory<float> Vectors { get; }

    /// <summary>The company's code ranges (<see cref="CodeRanges"/> payload) to store beside the centroids, or null.</summary>
    public byte[]? Ranges { get; init; }
}
