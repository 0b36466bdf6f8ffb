using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Werkly.VectorIndex.VectorData.Engine;

namespace Werkly.VectorIndex.VectorData.Model;

/// <summary>Builds the <see cref="CollectionModel"/> of a collection with the types this connector stores exactly.</summary>
/// <remarks>Single use, not thread-safe (as its base class).</remarks>
internal sealed class WerklyModelBuilder() : CollectionModelBuilder(new CollectionModelBuildingOptions
{
    // The engine holds one vector per record (see the report on engine capabilities); records without vectors are allowed.
    SupportsMultipleVectors = false,
    RequiresAtLeastOneVector = false,
})
{
    public const string SupportedVectorTypes = "ReadOnlyMemory<float>, float[], Embedding<float>";

    /// <summary>Whether <paramref name="type"/> is stored as a vector without embedding generation.</summary>
    public static bool IsNativeVectorType(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) is var t
        && (t == typeof(ReadOnlyMemory<float>) || t == typeof(float[]) || t == typeof(Embedding<float>));

    public static CollectionModel BuildFor(Type recordType, Type keyType, VectorStoreCollectionDefinition? definition, IEmbeddingGenerator? generator) =>
        recordType == typeof(Dictionary<string, object?>)
            ? new WerklyModelBuilder().BuildDynamic(definition ?? throw new ArgumentException(
                "A dynamic collection (Dictionary<string, object?> records) needs a VectorStoreCollectionDefinition.", nameof(definition)),
                definition.EmbeddingGenerator ?? generator)
            : new WerklyModelBuilder().Build(recordType, keyType, definition, generator);

    protected override bool IsDataPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = ValueCodec.SupportedTypes;
        return ValueCodec.For(type) is not null;
    }

    protected override bool IsVectorPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedVectorTypes;
        return IsNativeVectorType(type);
    }

    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        ArgumentNullException.ThrowIfNull(keyProperty);
        if (KeyCodec.For(keyProperty.Type) is null)
            throw new NotSupportedException(
                $"Key property '{keyProperty.ModelName}' has type '{keyProperty.Type.Name}'; the supported key types are {KeyCodec.SupportedTypes}.");
        base.ValidateKeyProperty(keyProperty);
    }

    protected override void ValidateProperty(PropertyModel propertyModel, VectorStoreCollectionDefinition? definition)
    {
        ArgumentNullException.ThrowIfNull(propertyModel);
        if (EngineCollection.IsReservedMetadataKey(propertyModel.StorageName))
            throw new NotSupportedException(
                $"Property '{propertyModel.ModelName}' has the storage name '{propertyModel.StorageName}'; names starting with '$' or 'werkly:' are reserved.");
        base.ValidateProperty(propertyModel, definition);
    }
}
