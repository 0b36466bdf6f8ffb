namespace Werkly.VectorIndex.VectorData.Tests;

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string name) =>
        Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "werkly-vectordata-tests", name + "-" + Guid.NewGuid().ToString("N")[..12]));

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
