using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Werkly.VectorIndex.VectorData.Model;

/// <summary>
/// Compiled getters and setters of record properties, cached per property for the process: reading a search hit into a
/// record sets every property, and reflection's <see cref="PropertyInfo.SetValue(object, object)"/> would cost more than
/// the rest of the mapping. Dynamic records (dictionaries) use the model's own accessors.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal static class PropertyAccessors
{
    private static readonly ConcurrentDictionary<PropertyInfo, Func<object, object?>> Getters = new();
    private static readonly ConcurrentDictionary<PropertyInfo, Action<object, object?>> Setters = new();

    public static object? Get(PropertyModel property, object record) =>
        property.PropertyInfo is { } info ? Getters.GetOrAdd(info, CompileGetter)(record) : property.GetValueAsObject(record);

    public static void Set(PropertyModel property, object record, object? value) => Setter(property)(record, value);

    /// <summary>The setter of <paramref name="property"/>: compiled for a .NET property, the model's own for a dynamic record.</summary>
    public static Action<object, object?> Setter(PropertyModel property) =>
        property.PropertyInfo is { CanWrite: true } info ? Setters.GetOrAdd(info, CompileSetter) : property.SetValueAsObject;

    /// <summary>A compiled <c>new T()</c>.</summary>
    public static Func<object> Constructor(Type type) => Constructors.GetOrAdd(type,
        static t => Expression.Lambda<Func<object>>(Expression.Convert(Expression.New(t), typeof(object))).Compile());

    private static readonly ConcurrentDictionary<Type, Func<object>> Constructors = new();

    private static Func<object, object?> CompileGetter(PropertyInfo info)
    {
        var record = Expression.Parameter(typeof(object), "record");
        var body = Expression.Convert(Expression.Property(Expression.Convert(record, info.DeclaringType!), info), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, record).Compile();
    }

    private static Action<object, object?> CompileSetter(PropertyInfo info)
    {
        var record = Expression.Parameter(typeof(object), "record");
        var value = Expression.Parameter(typeof(object), "value");
        var body = Expression.Assign(Expression.Property(Expression.Convert(record, info.DeclaringType!), info), Expression.Convert(value, info.PropertyType));
        return Expression.Lambda<Action<object, object?>>(body, record, value).Compile();
    }
}
