using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Chunking;

/// <summary>Answers "which headings is this character under?" for one document by binary search over the points
/// where the heading path changes.</summary>
internal sealed class HeadingTracker
{
    private readonly int[] _starts;
    private readonly IReadOnlyList<string>[] _paths;

    public HeadingTracker(IReadOnlyList<TextBlock> blocks)
    {
        var starts = new List<int>();
        var paths = new List<IReadOnlyList<string>>();
        var stack = new List<(int Level, string Title)>();
        foreach (var block in blocks)
        {
            if (block.Kind != TextBlockKind.Heading)
                continue;
            Push(stack, block.HeadingLevel, block.HeadingText!);
            starts.Add(block.Start);
            paths.Add(stack.Select(h => h.Title).ToArray());
        }
        _starts = [.. starts];
        _paths = [.. paths];
    }

    /// <summary>Applies a heading of <paramref name="level"/> to a heading stack: it closes every heading at its level or deeper.</summary>
    public static void Push(List<(int Level, string Title)> stack, int level, string title)
    {
        while (stack.Count > 0 && stack[^1].Level >= level)
            stack.RemoveAt(stack.Count - 1);
        stack.Add((level, title));
    }

    /// <summary>The heading path in effect at <paramref name="position"/> (a heading starting exactly there counts).</summary>
    public IReadOnlyList<string> PathAt(int position)
    {
        var i = Array.BinarySearch(_starts, position);
        if (i < 0)
            i = ~i - 1;
        return i < 0 ? [] : _paths[i];
    }

    /// <summary>The longest common prefix of two heading paths.</summary>
    public static IReadOnlyList<string> CommonPrefix(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var n = 0;
        while (n < a.Count && n < b.Count && string.Equals(a[n], b[n], StringComparison.Ordinal))
            n++;
        return n == a.Count ? a : n == b.Count ? b : a.Take(n).ToArray();
    }
}
