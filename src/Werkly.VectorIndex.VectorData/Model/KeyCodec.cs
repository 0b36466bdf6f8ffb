using System.Globalization;
using Werkly.VectorIndex.VectorData.Engine;

namespace Werkly.VectorIndex.VectorData.Model;

/// <summary>Maps a record key (<see cref="string"/>, <see cref="Guid"/>, <see cref="int"/> or <see cref="long"/>) to the
/// engine's string key and back, exactly.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class KeyCodec
{
    public const string SupportedTypes = "string, Guid, int, long";

    private KeyCodec(Type type) => Type = type;

    public Type Type { get; }

    /// <summary>The codec for <paramref name="type"/>, or null when keys of that type are not supported.</summary>
    public static KeyCodec? For(Type type) =>
        type == typeof(string) || type == typeof(Guid) || type == typeof(int) || type == typeof(long) ? new KeyCodec(type) : null;

    /// <summary>The engine key of <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentNullException">The key is null.</exception>
    /// <exception cref="ArgumentException">The key has another type, or a string key the engine cannot store exactly.</exception>
    public string Encode(object? key, string paramName)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        var encoded = key switch
        {
            string s when Type == typeof(string) => s,
            Guid g when Type == typeof(Guid) => g.ToString("D", CultureInfo.InvariantCulture),
            int i when Type == typeof(int) => i.ToString(CultureInfo.InvariantCulture),
            long l when Type == typeof(long) => l.ToString(CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"The key is a {key.GetType().Name}; this collection's keys are {Type.Name}.", paramName),
        };
        if (Type == typeof(string)) EngineCollection.ValidateKey(encoded, paramName);
        return encoded;
    }

    /// <summary>The key that <paramref name="encoded"/> was written from.</summary>
    public object Decode(string encoded) =>
        Type == typeof(string) ? encoded
        : Type == typeof(Guid) ? Guid.ParseExact(encoded, "D")
        : Type == typeof(int) ? (object)int.Parse(encoded, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
        : long.Parse(encoded, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
