using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Storage;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Storage.Crash;

/// <summary>Random damage to the files of a committed directory: truncation, bit flips, overwritten ranges, deleted
/// files, a manifest naming a missing segment. Every mutation must make Open or the first read throw a typed exception
/// naming the file (or, where the damage cannot matter, read back exactly the committed content).</summary>
public class CorruptionTests(ITestOutputHelper output)
{
    private const int Mutations = 1200;

    private enum Mutation { Truncate, FlipBits, OverwriteRange, DeleteFile, ManifestNamesMissingSegment, SwapFile }

    [Fact]
    public async Task Random_mutations_are_detected_with_a_typed_exception_never_a_crash_hang_or_wrong_result()
    {
        using var pristine = new TempDirectory("pristine");
        StoreModel model;
        using (var store = StorageTestData.Open(pristine.Path))
            model = StorageTestData.Fill(store, seed: 11, batches: 25);
        string expected = model.Describe();
        var files = Directory.GetFiles(pristine.Path).Select(Path.GetFileName).Where(n => n != IndexDirectory.LockFileName).Select(n => n!).Order().ToArray();
        var originals = files.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(pristine.Path, f)));
        Assert.Contains(files, f => f.StartsWith("del-", StringComparison.Ordinal));
        Assert.Contains(files, f => f.StartsWith("cen-", StringComparison.Ordinal));

        using var work = new TempDirectory("mutated");
        var outcomes = new Dictionary<string, int>();
        var run = Task.Run(() =>
        {
            var rng = new Random(20240601);
            foreach (var (name, bytes) in originals) File.WriteAllBytes(Path.Combine(work.Path, name), bytes);
            for (int i = 0; i < Mutations; i++)
            {
                var mutation = (Mutation)rng.Next(Enum.GetValues<Mutation>().Length);
                string target = files[rng.Next(files.Length)];
                string description = Apply(mutation, target, work.Path, originals, rng);
                if (description.Length == 0) continue; // the mutation left the bytes unchanged

                string outcome = Check(work.Path, expected, description);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

                // Restore: the damaged file (the manifest too, which one mutation rewrites), and anything else that changed.
                foreach (string name in new[] { target, IndexDirectory.ManifestFileName })
                    File.WriteAllBytes(Path.Combine(work.Path, name), originals[name]);
                var present = Directory.GetFiles(work.Path).Select(Path.GetFileName).Where(n => n != IndexDirectory.LockFileName).Order().ToArray();
                if (!present.SequenceEqual(files))
                {
                    foreach (string f in Directory.GetFiles(work.Path)) File.Delete(f);
                    foreach (var (name, bytes) in originals) File.WriteAllBytes(Path.Combine(work.Path, name), bytes);
                }
            }
        });
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(5))) == run, "The mutation loop hung.");
        await run;
        foreach (var (outcome, count) in outcomes.OrderBy(kv => kv.Key)) output.WriteLine($"{outcome}: {count}");
        Assert.True(outcomes.Values.Sum() >= 1000, $"only {outcomes.Values.Sum()} effective mutations");
        // Every byte of every file is covered by a checksum or a structural check, so nothing goes undetected.
        Assert.False(outcomes.ContainsKey("undetected"), "some mutations were not detected");
    }

    [Fact]
    public void Every_truncation_and_every_single_bit_flip_of_a_segment_file_is_detected()
    {
        using var temp = new TempDirectory("exhaustive");
        using (var store = StorageTestData.Open(temp.Path))
        {
            var change = StorageTestData.Segment("acme", 0, 9, dimensions: 5, lists: 2);
            store.Commit([change]);
        }
        string path = Directory.GetFiles(temp.Path, "seg-*").Single();
        byte[] original = File.ReadAllBytes(path);
        string scratch = temp.Combine("scratch.wvs");
        int detected = 0;
        for (int length = 0; length < original.Length; length++)
        {
            File.WriteAllBytes(scratch, original.AsSpan(0, length).ToArray());
            Assert.Throws<IndexCorruptedException>(() => OpenAndReadAll(scratch));
            detected++;
        }
        for (int offset = 0; offset < original.Length; offset++)
        {
            var copy = (byte[])original.Clone();
            copy[offset] ^= (byte)(1 << (offset % 8));
            File.WriteAllBytes(scratch, copy);
            var ex = Assert.ThrowsAny<IOException>(() => OpenAndReadAll(scratch));
            Assert.True(ex is IndexCorruptedException or IncompatibleFormatException, $"offset {offset}: {ex.GetType().Name}");
            detected++;
        }
        output.WriteLine($"{detected} truncations and bit flips of a {original.Length}-byte segment detected");
    }

    private static void OpenAndReadAll(string path)
    {
        using var segment = MappedSegment.Open(FileStorageDevice.Instance, path);
        segment.VerifyAll();
        for (int row = 0; row < segment.RowCount; row++)
        {
            _ = segment.GetKey(row);
            _ = segment.GetMetadata(row);
        }
    }

    private static string Check(string directory, string expected, string description)
    {
        try
        {
            using var store = StorageTestData.Open(directory, readOnly: description.Contains("readonly", StringComparison.Ordinal));
            using var snapshot = store.OpenSnapshot();
            string actual = StoreModel.Read(snapshot).Describe();
            if (actual != expected) Assert.Fail($"{description}: wrong content returned silently");
            return "undetected";
        }
        catch (IndexCorruptedException ex)
        {
            Assert.False(string.IsNullOrEmpty(ex.FilePath), description);
            Assert.StartsWith(directory, ex.FilePath);
            Assert.True(ex.Offset >= -1, description);
            Assert.Contains(Path.GetFileName(ex.FilePath), ex.Message);
            return "IndexCorruptedException";
        }
        catch (IncompatibleFormatException ex)
        {
            Assert.StartsWith(directory, ex.FilePath);
            return "IncompatibleFormatException";
        }
    }

    private static string Apply(Mutation mutation, string target, string directory, Dictionary<string, byte[]> originals, Random rng)
    {
        string path = Path.Combine(directory, target);
        byte[] bytes = originals[target];
        string mode = rng.Next(2) == 0 ? "readonly" : "writer";
        switch (mutation)
        {
            case Mutation.Truncate:
            {
                int length = rng.Next(bytes.Length);
                File.WriteAllBytes(path, bytes.AsSpan(0, length).ToArray());
                return $"{mode} truncate {target} to {length}";
            }
            case Mutation.FlipBits:
            {
                var copy = (byte[])bytes.Clone();
                int flips = 1 + rng.Next(8);
                var positions = new HashSet<long>();
                while (positions.Count < flips) positions.Add(rng.NextInt64((long)copy.Length * 8));
                foreach (long bit in positions) copy[bit / 8] ^= (byte)(1 << (int)(bit % 8));
                File.WriteAllBytes(path, copy);
                return $"{mode} flip {flips} bits in {target} at {string.Join(',', positions.Select(p => p / 8))}";
            }
            case Mutation.OverwriteRange:
            {
                var copy = (byte[])bytes.Clone();
                int start = rng.Next(copy.Length);
                int length = Math.Min(copy.Length - start, 1 + rng.Next(128));
                rng.NextBytes(copy.AsSpan(start, length));
                if (copy.AsSpan().SequenceEqual(bytes)) return "";
                File.WriteAllBytes(path, copy);
                return $"{mode} overwrite {length} bytes of {target} at {start}";
            }
            case Mutation.DeleteFile:
                File.Delete(path);
                return $"{mode} delete {target}";
            case Mutation.SwapFile:
            {
                // Replace a file with another of the same kind: a stale or foreign file under a live name.
                string? other = originals.Keys.Where(k => k != target && k.Length > 4 && target.Length > 4 && k[..4] == target[..4]).OrderBy(_ => rng.Next()).FirstOrDefault();
                if (other is null) return "";
                File.WriteAllBytes(path, originals[other]);
                return $"{mode} replace {target} with {other}";
            }
            default:
            {
                // A well-formed, checksummed manifest that names a segment file that does not exist.
                var manifest = Manifest.Read(FileStorageDevice.Instance, Path.Combine(directory, IndexDirectory.ManifestFileName));
                var company = manifest.Companies[rng.Next(manifest.Companies.Count)];
                if (company.Segments.Count == 0) return "";
                var segment = company.Segments[rng.Next(company.Segments.Count)];
                string missing = $"seg-{manifest.NextFileNumber + 5:D12}.wvs";
                var broken = manifest with
                {
                    NextFileNumber = manifest.NextFileNumber + 10,
                    Companies = manifest.Companies.Select(c => c != company ? c : c with
                    {
                        Segments = c.Segments.Select(s => s != segment ? s : s with { File = s.File with { Name = missing } }).ToList(),
                    }).ToList(),
                };
                using (var file = FileStorageDevice.Instance.Create(Path.Combine(directory, IndexDirectory.ManifestFileName)))
                {
                    broken.Write(file);
                    file.Sync();
                }
                return $"readonly manifest names missing {missing}";
            }
        }
    }
}
