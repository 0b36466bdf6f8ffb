using System.Globalization;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// The child of the unwritable-folder tests: tries to open each given index folder for writing, then read-only, and
/// prints one line per attempt, so a test can run it as another user, under another mount namespace, or while its
/// own process holds the write lock.
/// </summary>
/// <remarks>Output: <c>{folder} writer: opened</c> or <c>{folder} writer: {exception type}: {message}</c>, then the
/// same for <c>reader</c> with the number of companies it sees.</remarks>
internal static class OpenProbe
{
    public static int Run(IReadOnlyList<string> directories)
    {
        foreach (string directory in directories)
        {
            Console.Out.WriteLine($"{directory} writer: {Describe(() =>
            {
                using var writer = IndexDirectory.Open(FileStorageDevice.Instance, directory);
                return "opened";
            })}");
            Console.Out.WriteLine($"{directory} reader: {Describe(() =>
            {
                using var reader = IndexDirectory.Open(FileStorageDevice.Instance, directory, new IndexDirectoryOptions { ReadOnly = true });
                using var snapshot = reader.OpenSnapshot();
                return string.Create(CultureInfo.InvariantCulture, $"opened {snapshot.Companies.Count} companies");
            })}");
        }
        return 0;
    }

    private static string Describe(Func<string> open)
    {
        try
        {
            return open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{ex.GetType().FullName}: {ex.Message.ReplaceLineEndings(" ")}";
        }
    }
}
