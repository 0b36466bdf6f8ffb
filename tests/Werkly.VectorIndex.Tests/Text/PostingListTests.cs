using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

public class PostingListTests
{
    [Fact]
    public void Block_metadata_and_advance_agree_with_a_plain_scan()
    {
        var random = new Random(11);
        foreach (var count in new[] { 0, 1, 127, 128, 129, 255, 256, 1000 })
        {
            var list = new PostingList();
            var docs = new List<(int Doc, int Freq, int Length)>();
            var doc = 0;
            for (var i = 0; i < count; i++)
            {
                doc += random.Next(1, 5);
                var posting = (doc, random.Next(1, 9), random.Next(1, 300));
                docs.Add(posting);
                list.Add(posting.doc, posting.Item2, posting.Item3);
            }
            Assert.Equal(count, list.Count);
            Assert.Equal((count + 127) / 128, list.BlockCount);
            for (var b = 0; b < list.BlockCount; b++)
            {
                var block = docs.Skip(b * 128).Take(128).ToList();
                Assert.Equal(block[^1].Doc, list.BlockLastDoc(b));
                Assert.Equal(block.Max(p => p.Freq), list.BlockMaxFreq(b));
                Assert.Equal(block.Min(p => p.Length), list.BlockMinLength(b));
            }
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(docs[i].Doc, list.DocAt(i));
                Assert.Equal(docs[i].Freq, list.FreqAt(i));
            }
            for (var trial = 0; trial < 200; trial++)
            {
                var from = random.Next(0, count + 1);
                var target = random.Next(0, doc + 3);
                var expected = from;
                while (expected < count && docs[expected].Doc < target) expected++;
                Assert.Equal(expected, list.Advance(from, target));
            }
        }
    }
}
