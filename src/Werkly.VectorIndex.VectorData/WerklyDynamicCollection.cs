namespace Werkly.VectorIndex.VectorData;

/// <summary>A <see cref="WerklyCollection{TKey, TRecord}"/> of records as <c>Dictionary&lt;string, object?&gt;</c>, described by a
/// <see cref="Microsoft.Extensions.VectorData.VectorStoreCollectionDefinition"/> instead of a .NET type (no reflection
/// over a record type, so it suits trimmed and NativeAOT apps). Keys are passed as objects of the definition's key type.</summary>
public sealed class WerklyDynamicCollection : WerklyCollection<object, Dictionary<string, object?>>
{
    /// <summary>Creates a dynamic collection object for <paramref name="name"/> in <paramref name="store"/>.</summary>
    /// <exception cref="ArgumentException">No definition was given, or the name is invalid.</exception>
    public WerklyDynamicCollection(WerklyVectorStore store, string name, WerklyCollectionOptions options)
        : base(store, name, options)
    {
    }

    internal WerklyDynamicCollection(WerklyVectorStoreOptions storeOptions, string name, WerklyCollectionOptions options)
        : base(storeOptions, name, options)
    {
    }
}
