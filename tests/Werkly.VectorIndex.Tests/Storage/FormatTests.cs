using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage;

public class FormatTests
{
    [Fact]
    public void Fixed_structures_have_their_specified_sizes()
    {
        Assert.Equal(64, Unsafe.SizeOf<FileHeader>());
        Assert.Equal(64, Marshal.SizeOf<FileHeader>());
        Assert.Equal(64, Unsafe.SizeOf<BlockHeader>());
        Assert.Equal(64, Unsafe.SizeOf<FileFooter>());
        Assert.Equal(32, Unsafe.SizeOf<TocEntry>());
    }

    [Fact]
    public void File_header_fields_sit_at_their_specified_offsets()
    {
        Assert.Equal(0, (int)Marshal.OffsetOf<FileHeader>(nameof(FileHeader.Magic)));
        Assert.Equal(8, (int)Marshal.OffsetOf<FileHeader>(nameof(FileHeader.FormatVersion)));
        Assert.Equal(10, (int)Marshal.OffsetOf<FileHeader>(nameof(FileHeader.FileKind)));
        Assert.Equal(12, (int)Marshal.OffsetOf<FileHeader>(nameof(FileHeader.RecordVersion)));
        Assert.Equal(14, (int)Marshal.OffsetOf<FileHeader>(nameof(FileHeader.HeaderSize)));
        Assert.Equal(16, (int)Marshal.OffsetOf<FileHeader>(nameof(FileHeader.FileId)));
        Assert.Equal(56, (int)Marshal.OffsetOf<FileHeader>(nameof(FileHeader.HeaderChecksum)));
    }

    [Fact]
    public void Magic_reads_as_ascii_and_header_is_little_endian()
    {
        var header = FileHeader.Create(FileKind.Segment, 0x0102030405060708);
        var bytes = header.AsBytes();
        Assert.Equal("WRKLYVIX", Encoding.ASCII.GetString(bytes[..8]));
        Assert.Equal(new byte[] { 1, 0 }, bytes[8..10].ToArray());
        Assert.Equal(new byte[] { 2, 0 }, bytes[10..12].ToArray());
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 }, bytes[16..24].ToArray());
        Assert.Equal("WVIXEND!", Encoding.ASCII.GetString(BitConverter.GetBytes(StorageFormat.FooterMagic)));
        Assert.Equal("LIST", BlockTag.ToText(BlockTag.List));
        Assert.Equal("TOC ", BlockTag.ToText(BlockTag.TableOfContents));
    }

    [Fact]
    public void Stride_rounds_dimensions_up_to_sixteen_floats()
    {
        Assert.Equal(16, StorageFormat.StrideFor(1));
        Assert.Equal(384, StorageFormat.StrideFor(384));
        Assert.Equal(400, StorageFormat.StrideFor(385));
        Assert.Equal(1536, StorageFormat.StrideFor(1536));
    }

    [Fact]
    public void Every_block_of_a_written_file_starts_on_a_64_byte_boundary_and_the_blocks_tile_the_file()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
            store.Commit([StorageTestData.Segment("acme", 0, 37, dimensions: 20, lists: 5)]);
        string segment = Directory.GetFiles(temp.Path, "seg-*.wvs").Single();
        using var file = BlockFile.Open(FileStorageDevice.Instance, segment, FileKind.Segment);
        Assert.Equal(0, file.Length % 64);
        long expected = FileHeader.Size;
        for (int i = 0; i < file.Blocks.Length; i++)
        {
            Assert.Equal(expected, (long)file.Blocks[i].Offset);
            Assert.Equal(0, file.PayloadOffset(i) % 64);
            file.Verify(i);
            expected = StorageFormat.AlignUp(file.PayloadOffset(i) + file.PayloadLength(i));
        }
        Assert.Equal(BlockTag.SegmentInfo, file.Blocks[0].Tag);
        Assert.Equal(5, file.Blocks.ToArray().Count(b => b.Tag == BlockTag.List));
    }

    [Fact]
    public unsafe void Mapped_list_vectors_are_64_byte_aligned_in_memory()
    {
        using var temp = new TempDirectory();
        using var store = StorageTestData.Open(temp.Path);
        store.Commit([StorageTestData.Segment("acme", 0, 50, dimensions: 7, lists: 4)]);
        using var snapshot = store.OpenSnapshot();
        var lists = snapshot.Companies[0].Segments[0].Segment.Lists;
        for (int list = 0; list < lists.ListCount; list++)
        {
            fixed (float* p = lists.GetVectors(list)) Assert.Equal(0, (long)p % 64);
            Assert.Equal(lists.GetCount(list) * 16, lists.GetVectors(list).Length);
        }
    }

    [Fact]
    public void A_newer_format_version_is_reported_as_incompatible_not_corrupt()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
            store.Commit([StorageTestData.Segment("acme", 0, 5)]);
        string manifest = temp.Combine(IndexDirectory.ManifestFileName);
        var bytes = File.ReadAllBytes(manifest);
        bytes[8] = 2; // format version 2, with a valid header checksum: a file from the future
        BitConverter.GetBytes(StorageFormat.Checksum(bytes.AsSpan(0, FileHeader.ChecksumOffset))).CopyTo(bytes, FileHeader.ChecksumOffset);
        File.WriteAllBytes(manifest, bytes);
        var ex = Assert.Throws<Werkly.VectorIndex.Exceptions.IncompatibleFormatException>(() => StorageTestData.Open(temp.Path));
        Assert.Equal(2, ex.FileVersion);
        Assert.Equal(manifest, ex.FilePath);
    }

    [Fact]
    public void Metadata_of_every_kind_round_trips_through_messagepack()
    {
        var map = new Dictionary<string, MetadataValue>
        {
            ["s"] = "grüße ✓", ["n"] = -12.75, ["big"] = 1e300, ["b"] = true, ["f"] = false,
            ["d"] = new DateTimeOffset(1999, 12, 31, 23, 59, 58, 123, TimeSpan.Zero),
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        MetadataCodec.Write(buffer, map);
        var read = MetadataCodec.Read(buffer.WrittenMemory);
        Assert.Equal(map.Count, read.Count);
        foreach (var (key, value) in map) Assert.Equal(value, read[key]);
    }
}
