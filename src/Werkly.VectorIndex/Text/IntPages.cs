namespace Werkly.VectorIndex.Text;

/// <summary>An append-only sequence of ints in fixed pages of 16,384 (64 KiB, below the large-object threshold), so
/// growing it never copies and never allocates on the large-object heap, whose churn forces full collections.</summary>
/// <remarks>Not thread-safe; the owning index serializes access.</remarks>
internal sealed class IntPages
{
    private const int PageShift = 14;
    private const int PageSize = 1 << PageShift;
    private int[][] _pages = [];

    /// <summary>An empty sequence.</summary>
    public IntPages()
    {
    }

    /// <summary>A sequence of <paramref name="count"/> zeros, to be filled through the indexer.</summary>
    public IntPages(int count)
    {
        _pages = new int[(count + PageSize - 1) >> PageShift][];
        for (var page = 0; page < _pages.Length; page++) _pages[page] = new int[PageSize];
        Count = count;
    }

    public int Count { get; private set; }

    public int this[int index]
    {
        get => _pages[index >> PageShift][index & (PageSize - 1)];
        set => _pages[index >> PageShift][index & (PageSize - 1)] = value;
    }

    public void Add(int value)
    {
        var page = Count >> PageShift;
        if (page == _pages.Length) Array.Resize(ref _pages, Math.Max(4, _pages.Length * 2));
        (_pages[page] ??= new int[PageSize])[Count & (PageSize - 1)] = value;
        Count++;
    }
}
