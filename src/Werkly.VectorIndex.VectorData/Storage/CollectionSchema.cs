using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.VectorData.Storage;

/// <summary>
/// What a collection's stored data depends on: vector size and distance function, index kind, key type, tenant
/// property, text fields. Written as <c>collection.json</c> next to the collection's index; a collection opened later
/// with another schema is refused instead of misreading the data.
/// </summary>
/// <remarks>Immutable. Keep <see cref="FormatVersion"/> in step with the file's layout.</remarks>
internal sealed record CollectionSchema
{
    public const int FormatVersion = 1;

    public const string SupportedDistanceFunctions = "CosineSimilarity (the default), CosineDistance, DotProductSimilarity, " +
        "NegativeDotProductSimilarity, EuclideanDistance, EuclideanSquaredDistance";

    public const string SupportedIndexKinds = "IvfFlat (the default) and Flat";

    public int Format { get; init; } = FormatVersion;

    public int Dimensions { get; init; }

    /// <summary>The MEVD distance function, or null for a collection without vectors.</summary>
    public string? DistanceFunction { get; init; }

    public string IndexKind { get; init; } = Microsoft.Extensions.VectorData.IndexKind.IvfFlat;

    public string KeyType { get; init; } = "";

    public string? TenantProperty { get; init; }

    public string? PrimaryText { get; init; }

    public IReadOnlyList<string> SecondaryText { get; init; } = [];

    public bool KeepOriginalVectors { get; init; }

    /// <summary>The schema a collection with this model and these options stores.</summary>
    /// <exception cref="NotSupportedException">The distance function or index kind is not supported (the message lists what is).</exception>
    public static CollectionSchema For(RecordMapper mapper, WerklyCollectionOptions options)
    {
        var vector = mapper.Vector;
        var distance = vector is null ? null : vector.DistanceFunction ?? Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity;
        if (distance is not null) _ = MetricOf(distance, vector!.ModelName);
        var kind = vector?.IndexKind ?? Microsoft.Extensions.VectorData.IndexKind.IvfFlat;
        if (kind is not (Microsoft.Extensions.VectorData.IndexKind.IvfFlat or Microsoft.Extensions.VectorData.IndexKind.Flat))
            throw new NotSupportedException($"Vector property '{vector!.ModelName}' asks for index kind '{kind}'; the Werkly connector supports {SupportedIndexKinds}.");
        return new CollectionSchema
        {
            Dimensions = vector?.Dimensions ?? 1,
            DistanceFunction = distance,
            IndexKind = kind,
            KeyType = mapper.Keys.Type.Name,
            TenantProperty = mapper.TenantProperty?.StorageName,
            PrimaryText = mapper.PrimaryText?.StorageName,
            SecondaryText = [.. mapper.SecondaryText.Select(p => p.StorageName)],
            KeepOriginalVectors = options.KeepOriginalVectors && distance is Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity
                or Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance,
        };
    }

    /// <summary>The engine settings this schema opens its index with.</summary>
    public EngineSettings ToEngine() => new(
        Dimensions,
        DistanceFunction is null ? DistanceMetric.InnerProduct : MetricOf(DistanceFunction, "vector"),
        IndexKind == Microsoft.Extensions.VectorData.IndexKind.Flat,
        TenantProperty is not null,
        KeepOriginalVectors,
        SecondaryText);

    /// <summary>The engine metric of an MEVD distance function.</summary>
    /// <exception cref="NotSupportedException">The function is not supported.</exception>
    public static DistanceMetric MetricOf(string distanceFunction, string property) => distanceFunction switch
    {
        Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity or Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance => DistanceMetric.Cosine,
        Microsoft.Extensions.VectorData.DistanceFunction.DotProductSimilarity or Microsoft.Extensions.VectorData.DistanceFunction.NegativeDotProductSimilarity => DistanceMetric.InnerProduct,
        Microsoft.Extensions.VectorData.DistanceFunction.EuclideanDistance or Microsoft.Extensions.VectorData.DistanceFunction.EuclideanSquaredDistance => DistanceMetric.SquaredL2,
        _ => throw new NotSupportedException(
            $"Vector property '{property}' asks for distance function '{distanceFunction}'; the Werkly connector supports {SupportedDistanceFunctions}."),
    };

    /// <summary>Whether a higher MEVD score is a better match.</summary>
    public bool HigherIsBetter => DistanceFunction is not (Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance
        or Microsoft.Extensions.VectorData.DistanceFunction.NegativeDotProductSimilarity
        or Microsoft.Extensions.VectorData.DistanceFunction.EuclideanDistance
        or Microsoft.Extensions.VectorData.DistanceFunction.EuclideanSquaredDistance);

    /// <summary>The MEVD score of an engine score (the engine's is a similarity: higher is better).</summary>
    public double ToScore(double engineScore) => DistanceFunction switch
    {
        Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance => 1 - engineScore,
        Microsoft.Extensions.VectorData.DistanceFunction.NegativeDotProductSimilarity => -engineScore,
        Microsoft.Extensions.VectorData.DistanceFunction.EuclideanSquaredDistance => -engineScore,
        Microsoft.Extensions.VectorData.DistanceFunction.EuclideanDistance => Math.Sqrt(Math.Max(0, -engineScore)),
        _ => engineScore,
    };

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first setting in which <paramref name="requested"/>
    /// differs from this (stored) schema.</summary>
    public void EnsureCompatible(CollectionSchema requested, string collection)
    {
        void Check<T>(string what, T stored, T wanted)
        {
            if (!EqualityComparer<T>.Default.Equals(stored, wanted))
                throw new InvalidOperationException(
                    $"Collection '{collection}' was created with {what} {Show(stored)}; this collection object asks for {Show(wanted)}. " +
                    "Delete the collection to change it, or use a record definition that matches.");
        }
        static string Show<T>(T value) => value is null ? "none" : $"'{value}'";

        Check("dimensions", Dimensions, requested.Dimensions);
        Check("distance function", DistanceFunction, requested.DistanceFunction);
        Check("index kind", IndexKind, requested.IndexKind);
        Check("key type", KeyType, requested.KeyType);
        Check("tenant property", TenantProperty, requested.TenantProperty);
        Check("primary full-text property", PrimaryText, requested.PrimaryText);
        Check("other full-text properties", string.Join(", ", SecondaryText), string.Join(", ", requested.SecondaryText));
        Check("original-vector storage", KeepOriginalVectors, requested.KeepOriginalVectors);
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, SchemaJsonContext.Default.CollectionSchema);

    /// <exception cref="InvalidDataException">The file is not a schema this version reads.</exception>
    public static CollectionSchema FromJson(byte[] json, string path)
    {
        CollectionSchema? schema;
        try
        {
            schema = JsonSerializer.Deserialize(json, SchemaJsonContext.Default.CollectionSchema);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The collection schema '{path}' is damaged: {ex.Message}", ex);
        }
        if (schema is null || schema.Format is < 1 or > FormatVersion || schema.Dimensions < 1)
            throw new InvalidDataException($"The collection schema '{path}' has format {schema?.Format}; this version reads format 1 to {FormatVersion}.");
        return schema;
    }
}

[JsonSerializable(typeof(CollectionSchema))]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SchemaJsonContext : JsonSerializerContext;
