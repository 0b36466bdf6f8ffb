using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("werkly-cache-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static float[] Vector(int seed, int dimensions = 384)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, dimensions).Select(_ => (float)random.NextDouble()).ToArray();
    }

    private static long EntryBytes(int dimensions = 384) => EmbeddingCache.EntryOverheadBytes + (dimensions * 4L);

    [Fact]
    public void Evicts_the_least_recently_used_entry_when_the_budget_is_exceeded()
    {
        var cache = new EmbeddingCache(3 * EntryBytes());
        cache.Add(1, Vector(1));
        cache.Add(2, Vector(2));
        cache.Add(3, Vector(3));
        Assert.True(cache.TryGet(1, out _)); // 1 is now the most recent; 2 the oldest
        cache.Add(4, Vector(4));
        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGet(2, out _));
        Assert.True(cache.TryGet(1, out _));
        Assert.True(cache.TryGet(3, out _));
        Assert.True(cache.TryGet(4, out _));
        Assert.True(cache.SizeBytes <= cache.CapacityBytes);
        Assert.Equal(4, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void A_vector_larger_than_the_budget_is_not_cached()
    {
        var cache = new EmbeddingCache(1024);
        cache.Add(1, Vector(1, 1536));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Save_and_load_round_trip_keeps_vectors_and_recency()
    {
        var cache = new EmbeddingCache(10 * EntryBytes());
        for (var i = 0; i < 5; i++)
            cache.Add((UInt128)i << 70 | (UInt128)i, Vector(i));
        Assert.True(cache.TryGet(0, out _)); // 0 becomes the most recent
        var path = Path.Combine(_directory, "embeddings.cache");
        cache.Save(path);

        var loaded = EmbeddingCache.Load(path, 10 * EntryBytes());
        Assert.Equal(5, loaded.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(loaded.TryGet((UInt128)i << 70 | (UInt128)i, out var vector));
            Assert.Equal(Vector(i), vector);
        }

        // A smaller budget keeps the most recently used: entry 0 was used last before saving.
        var small = EmbeddingCache.Load(path, 2 * EntryBytes());
        Assert.Equal(2, small.Count);
        Assert.True(small.TryGet(0, out _));
        Assert.True(small.TryGet((UInt128)4 << 70 | 4, out _));
    }

    [Fact]
    public void Load_or_create_starts_empty_without_a_file()
    {
        var cache = EmbeddingCache.LoadOrCreate(Path.Combine(_directory, "missing.cache"), 1 << 20);
        Assert.Equal(0, cache.Count);
        Assert.Throws<FileNotFoundException>(() => EmbeddingCache.Load(Path.Combine(_directory, "missing.cache"), 1 << 20));
    }

    [Fact]
    public void Damage_is_detected_with_the_offset()
    {
        var cache = new EmbeddingCache(1 << 20);
        cache.Add(7, Vector(7));
        cache.Add(8, Vector(8));
        var path = Path.Combine(_directory, "embeddings.cache");
        cache.Save(path);
        var bytes = File.ReadAllBytes(path);

        var flipped = (byte[])bytes.Clone();
        flipped[EmbeddingCache.HeaderBytes + 40] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        Assert.Throws<IndexCorruptedException>(() => EmbeddingCache.Load(path, 1 << 20));

        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var truncated = Assert.Throws<IndexCorruptedException>(() => EmbeddingCache.Load(path, 1 << 20));
        Assert.Equal(path, truncated.FilePath);

        var badMagic = (byte[])bytes.Clone();
        badMagic[0] = (byte)'X';
        File.WriteAllBytes(path, badMagic);
        Assert.Equal(0, Assert.Throws<IndexCorruptedException>(() => EmbeddingCache.Load(path, 1 << 20)).Offset);

        var newer = (byte[])bytes.Clone();
        newer[4] = 9;
        File.WriteAllBytes(path, newer);
        Assert.Equal(9, Assert.Throws<IncompatibleFormatException>(() => EmbeddingCache.Load(path, 1 << 20)).FileVersion);
    }

    [Fact]
    public void Concurrent_use_keeps_the_budget()
    {
        var cache = new EmbeddingCache(50 * EntryBytes(16));
        Parallel.For(0, 2000, i =>
        {
            cache.Add((UInt128)(i % 120), Vector(i % 120, 16));
            cache.TryGet((UInt128)((i * 7) % 120), out _);
        });
        Assert.True(cache.SizeBytes <= cache.CapacityBytes);
        Assert.Equal(cache.Count * EntryBytes(16), cache.SizeBytes);
    }
}

[Collection(DefaultModelGroup.Name)]
public sealed class GeneratorCacheTests(DefaultModelFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("werkly-seed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Cached_texts_are_not_embedded_again_and_return_the_same_vector()
    {
        var cache = new EmbeddingCache(1 << 20);
        using var generator = new OnnxEmbeddingGenerator(fixture.Generator.Model, new OnnxEmbeddingGeneratorOptions { Cache = cache });
        var first = await generator.GenerateAsync(["lift of a wing", "drag of a body"]);
        Assert.Equal(2, cache.Count);
        var second = await generator.GenerateAsync(["drag of a body", "lift of a wing", "new text"]);
        Assert.Equal(2, cache.Hits);
        Assert.Equal(3, cache.Count);
        Assert.Equal(first[0].Vector.ToArray(), second[1].Vector.ToArray());
        Assert.Equal(first[1].Vector.ToArray(), second[0].Vector.ToArray());
        // Only "new text" went through the model: [CLS] new text [SEP].
        Assert.Equal(4, second.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task A_cache_shared_between_models_does_not_mix_their_vectors()
    {
        var cache = new EmbeddingCache(1 << 20);
        using var mean = new OnnxEmbeddingGenerator(fixture.Generator.Model, new OnnxEmbeddingGeneratorOptions { Cache = cache });
        using var cls = new OnnxEmbeddingGenerator(fixture.Generator.Model with { Pooling = PoolingMode.Cls }, new OnnxEmbeddingGeneratorOptions { Cache = cache });
        var a = await mean.GenerateAsync(["shock wave"]);
        var b = await cls.GenerateAsync(["shock wave"]);
        Assert.Equal(2, cache.Count);
        Assert.NotEqual(a[0].Vector.ToArray(), b[0].Vector.ToArray());
    }

    [Fact]
    public void The_cache_seed_covers_the_contents_of_the_model_and_vocabulary_files()
    {
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        var first = Write("a/model.onnx", bytes);
        bytes[2000] ^= 1;
        var second = Write("b/model.onnx", bytes); // same name and length, one bit different
        var vocabulary = Write("vocab.txt", "[PAD]\n[UNK]\n"u8.ToArray());
        const string settings = "same-id|Mean|True|256|True|384";

        Assert.NotEqual(OnnxEmbeddingGenerator.ComputeCacheSeed(settings, first, vocabulary), OnnxEmbeddingGenerator.ComputeCacheSeed(settings, second, vocabulary));
        Assert.NotEqual(OnnxEmbeddingGenerator.ComputeCacheSeed(settings, vocabulary, first), OnnxEmbeddingGenerator.ComputeCacheSeed(settings, vocabulary, second));
        Assert.NotEqual(OnnxEmbeddingGenerator.ComputeCacheSeed(settings, first, vocabulary), OnnxEmbeddingGenerator.ComputeCacheSeed(settings + "x", first, vocabulary));

        // The same content elsewhere is the same model: the path is not part of the key.
        var copy = Write("c/model.onnx", File.ReadAllBytes(first));
        Assert.Equal(OnnxEmbeddingGenerator.ComputeCacheSeed(settings, first, vocabulary), OnnxEmbeddingGenerator.ComputeCacheSeed(settings, copy, vocabulary));
    }

    [Fact]
    public async Task Models_differing_only_in_vocabulary_content_do_not_share_cached_vectors()
    {
        // Same id, same model file, a vocabulary of the same size in a folder of the same name: only the content differs
        // ("wing" and "lift" swap ids), so a key seeded with names and sizes alone would hand one model the other's vector.
        var model = fixture.Generator.Model;
        var lines = File.ReadAllText(model.VocabularyPath).Split('\n');
        var wing = Array.FindIndex(lines, line => line.TrimEnd('\r') == "wing");
        var lift = Array.FindIndex(lines, line => line.TrimEnd('\r') == "lift");
        Assert.True(wing >= 0 && lift >= 0, "the vocabulary has no 'wing' or no 'lift'");
        (lines[wing], lines[lift]) = (lines[lift], lines[wing]);
        var folder = Path.GetFileName(Path.GetDirectoryName(model.VocabularyPath)!);
        var swappedVocabulary = Write(Path.Combine(folder, "vocab.txt"), System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        Assert.Equal(new FileInfo(model.VocabularyPath).Length, new FileInfo(swappedVocabulary).Length);

        var cache = new EmbeddingCache(1 << 20);
        using var original = new OnnxEmbeddingGenerator(model, new OnnxEmbeddingGeneratorOptions { Cache = cache });
        using var swapped = new OnnxEmbeddingGenerator(model with { VocabularyPath = swappedVocabulary }, new OnnxEmbeddingGeneratorOptions { Cache = cache });
        var wingThenLift = await original.GenerateAsync(["wing", "lift"]);
        var swappedWing = await swapped.GenerateAsync(["wing"]);

        Assert.Equal(0, cache.Hits);
        Assert.Equal(3, cache.Count);
        Assert.Equal(3, swappedWing.Usage!.InputTokenCount); // [CLS] wing [SEP] went through the model: not served from the cache
        VectorAssert.Close(wingThenLift[1].Vector.Span, swappedWing[0].Vector.Span, 1e-5f); // its "wing" is the original's "lift"
        Assert.True(VectorAssert.Dot(wingThenLift[0].Vector.Span, swappedWing[0].Vector.Span) < 0.99f);
    }

    private string Write(string relativePath, byte[] content)
    {
        var path = Path.Combine(_directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }
}
