using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;
using Werkly.VectorIndex.VectorData.Engine;

namespace Werkly.VectorIndex.VectorData.Model;

/// <summary>
/// Maps the records of one collection to engine records and back: the key to the engine key, the tenant property to
/// the partition, the primary full-text property to the engine's text, every other data property to a metadata
/// value, the vector to the engine vector.
/// </summary>
/// <remarks>Immutable after construction and thread-safe. The tenant property is not stored: it is the partition.</remarks>
internal sealed class RecordMapper
{
    private static readonly float[] NoVector = [1f];
    private readonly Dictionary<DataPropertyModel, ValueCodec> _codecs = [];

    public RecordMapper(CollectionModel model, string? tenantProperty)
    {
        Model = model;
        Keys = KeyCodec.For(model.KeyProperty.Type)!;
        foreach (var data in model.DataProperties) _codecs[data] = ValueCodec.For(data.Type)!;
        if (tenantProperty is not null)
        {
            if (!model.PropertyMap.TryGetValue(tenantProperty, out var tenant) || tenant is not DataPropertyModel tenantData)
                throw new InvalidOperationException($"The tenant property '{tenantProperty}' is not a data property of the record.");
            if (KeyCodec.For(Nullable.GetUnderlyingType(tenantData.Type) ?? tenantData.Type) is not { } tenantCodec)
                throw new NotSupportedException($"The tenant property '{tenantProperty}' has type '{tenantData.Type.Name}'; tenants are {KeyCodec.SupportedTypes}.");
            TenantProperty = tenantData;
            TenantCodec = _codecs[tenantData];
            _tenantKeys = tenantCodec;
        }
        var fullText = model.DataProperties.Where(p => p.IsFullTextIndexed && p != TenantProperty).ToList();
        foreach (var text in fullText)
        {
            if (text.Type != typeof(string) && text.Type != typeof(string[]) && text.Type != typeof(List<string>))
                throw new NotSupportedException($"Property '{text.ModelName}' is full-text indexed but has type '{text.Type.Name}'; full-text properties are string, string[] or List<string>.");
        }
        PrimaryText = fullText.FirstOrDefault(p => p.Type == typeof(string));
        SecondaryText = [.. fullText.Where(p => p != PrimaryText)];
        Vector = model.VectorProperties.Count == 1 ? model.VectorProperty : null;
        PrepareReads();
    }

    private readonly KeyCodec? _tenantKeys;

    public CollectionModel Model { get; }

    public KeyCodec Keys { get; }

    /// <summary>The tenant property, or null for a collection of one partition.</summary>
    public DataPropertyModel? TenantProperty { get; }

    /// <summary>How the tenant's values are compared in filters.</summary>
    public ValueCodec? TenantCodec { get; }

    /// <summary>The full-text property stored as the engine's text, or null.</summary>
    public DataPropertyModel? PrimaryText { get; }

    /// <summary>Further full-text properties (stored as metadata, indexed by the adapter).</summary>
    public IReadOnlyList<DataPropertyModel> SecondaryText { get; }

    /// <summary>The vector property, or null for a collection without vectors.</summary>
    public VectorPropertyModel? Vector { get; }

    /// <summary>The vector stored for a record without a vector property.</summary>
    public static ReadOnlyMemory<float> Placeholder => NoVector;

    public ValueCodec CodecOf(DataPropertyModel property) => _codecs[property];

    /// <summary>The partition of a record with tenant value <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The value is null or not a valid tenant id.</exception>
    public string EncodeTenant(object? value, string paramName)
    {
        if (TenantProperty is null) return EngineCollection.DefaultCompany;
        if (value is null) throw new ArgumentException($"The tenant property '{TenantProperty.ModelName}' is null; every record must carry its tenant.", paramName);
        var company = _tenantKeys!.Encode(Normalize(value), paramName);
        try
        {
            EngineCollection.ValidateCompany(company, paramName);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The tenant '{company}' of property '{TenantProperty.ModelName}' is not a valid tenant id: {ex.Message}", paramName, ex);
        }
        return company;
    }

    /// <summary>The partition a filter value of the tenant property names, or null when no partition can have it.</summary>
    public string? TenantCompany(object value)
    {
        try
        {
            return EncodeTenant(value, "filter");
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The tenant value of the records in partition <paramref name="company"/>.</summary>
    public object TenantValue(string company) => _tenantKeys!.Decode(company);

    private object Normalize(object value)
    {
        var type = _tenantKeys!.Type;
        if (value.GetType() == type) return value;
        return type == typeof(int) || type == typeof(long) ? Convert.ChangeType(value, type, CultureInfo.InvariantCulture) : value;
    }

    /// <summary>The engine record of <paramref name="record"/> (the <paramref name="index"/>-th of its batch).</summary>
    /// <exception cref="ArgumentException">A value cannot be stored exactly (the message names the property and the record).</exception>
    public EngineWrite ToEngine(object record, int index, ReadOnlyMemory<float>? generated, string paramName)
    {
        try
        {
            return ToEngineCore(record, index, generated, paramName);
        }
        catch (InvalidCastException ex)
        {
            // A dynamic record holding a value of another type than its definition says.
            throw new ArgumentException($"Record {index}: {ex.Message}", paramName, ex);
        }
    }

    private EngineWrite ToEngineCore(object record, int index, ReadOnlyMemory<float>? generated, string paramName)
    {
        var key = Keys.Encode(PropertyAccessors.Get(Model.KeyProperty, record), paramName);
        var company = EncodeTenant(TenantProperty is null ? null : PropertyAccessors.Get(TenantProperty, record), paramName);
        var metadata = new Dictionary<string, MetadataValue>(_codecs.Count, StringComparer.Ordinal);
        string? text = null;
        foreach (var (property, codec) in _codecs)
        {
            if (property == TenantProperty) continue;
            var value = PropertyAccessors.Get(property, record);
            if (property == PrimaryText)
            {
                text = value is null ? null : Check<string>(value, property, index, paramName);
                if (text is not null) Encode(codec, text, property, index, paramName); // validates the text (lone surrogates)
                continue;
            }
            if (value is null) continue;
            if (value.GetType() != codec.ClrType)
                throw new ArgumentException($"Record {index}: property '{property.ModelName}' holds a {value.GetType().Name}; it is declared {codec.ClrType.Name}.", paramName);
            metadata[property.StorageName] = Encode(codec, value, property, index, paramName);
        }
        return new EngineWrite(company, key, generated ?? VectorOf(record, index, paramName), text, metadata);
    }

    private static T Check<T>(object value, DataPropertyModel property, int index, string paramName) => value is T typed
        ? typed
        : throw new ArgumentException($"Record {index}: property '{property.ModelName}' holds a {value.GetType().Name}; it is declared {typeof(T).Name}.", paramName);

    private static MetadataValue Encode(ValueCodec codec, object value, DataPropertyModel property, int index, string paramName)
    {
        try
        {
            return codec.Encode(value);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Record {index}: property '{property.ModelName}' cannot be stored exactly: {ex.Message}", paramName, ex);
        }
    }

    private ReadOnlyMemory<float> VectorOf(object record, int index, string paramName)
    {
        if (Vector is null) return Placeholder;
        return PropertyAccessors.Get(Vector, record) switch
        {
            ReadOnlyMemory<float> memory => memory,
            float[] array => array,
            Embedding<float> embedding => embedding.Vector,
            null => throw new ArgumentException($"Record {index} has no vector in property '{Vector.ModelName}'.", paramName),
            var other => throw new ArgumentException($"Record {index}: vector property '{Vector.ModelName}' holds a {other.GetType().Name}.", paramName),
        };
    }

    /// <summary>Builds the record a stored engine record was written from.</summary>
    public TRecord ToRecord<TRecord>(string company, string key, IReadOnlyDictionary<string, MetadataValue>? metadata, float[]? vector)
    {
        var record = _create();
        _keySetter(record, Keys.Decode(key));
        foreach (var slot in _slots)
        {
            object? value = slot.Role switch
            {
                SlotRole.Tenant => TenantValue(company),
                SlotRole.Text => EngineCollection.TextOf(metadata),
                _ => metadata is not null && metadata.TryGetValue(slot.StorageName, out var stored) && !stored.IsNull ? slot.Codec.Decode(stored) : null,
            };
            if (value is not null || slot.AcceptsNull) slot.Set(record, value);
        }
        if (vector is not null && _vectorSetter is not null)
        {
            object value = _vectorType == typeof(float[]) ? vector : _vectorType == typeof(Embedding<float>) ? new Embedding<float>(vector) : new ReadOnlyMemory<float>(vector);
            _vectorSetter(record, value);
        }
        return (TRecord)record;
    }

    private enum SlotRole
    {
        Data,
        Tenant,
        Text,
    }

    /// <summary>One data property as read back: where its value comes from and how it is set.</summary>
    private sealed record Slot(SlotRole Role, string StorageName, ValueCodec Codec, Action<object, object?> Set, bool AcceptsNull);

    private Func<object> _create = null!;
    private Action<object, object?> _keySetter = null!;
    private Slot[] _slots = [];
    private Action<object, object?>? _vectorSetter;
    private Type? _vectorType;

    /// <summary>Precomputes the read path: one slot per data property, compiled setters for .NET records.</summary>
    private void PrepareReads()
    {
        var dynamic = Model.KeyProperty.PropertyInfo is null;
        _create = dynamic ? () => new Dictionary<string, object?>() : PropertyAccessors.Constructor(Model.KeyProperty.PropertyInfo!.ReflectedType!);
        _keySetter = PropertyAccessors.Setter(Model.KeyProperty);
        _slots = [.. _codecs.Select(pair => new Slot(
            pair.Key == TenantProperty ? SlotRole.Tenant : pair.Key == PrimaryText ? SlotRole.Text : SlotRole.Data,
            pair.Key.StorageName,
            pair.Value,
            PropertyAccessors.Setter(pair.Key),
            dynamic || pair.Key.Type.IsClass || Nullable.GetUnderlyingType(pair.Key.Type) is not null))];
        if (Vector is not null && WerklyModelBuilder.IsNativeVectorType(Vector.Type))
        {
            _vectorSetter = PropertyAccessors.Setter(Vector);
            _vectorType = Nullable.GetUnderlyingType(Vector.Type) ?? Vector.Type;
        }
    }
}
