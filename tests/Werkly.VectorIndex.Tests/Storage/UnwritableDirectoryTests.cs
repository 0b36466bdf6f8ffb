using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Storage;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Storage;

/// <summary>
/// Opening a writer on a folder this process cannot write reports that (an <see cref="UnauthorizedAccessException"/>
/// or an <see cref="IOException"/> saying the folder is not writable), never <see cref="IndexLockedException"/>; only
/// a held lock is. A reader opens either way.
/// </summary>
/// <remarks>
/// The opens run in a child process (<c>CrashTest open-probe</c>) so the tests can control who runs it and what it
/// sees: when this process bypasses file modes (root, CAP_DAC_OVERRIDE: detected by writing into a 0555 folder), the
/// mode test runs the child as user 65534 through <c>setpriv</c> and hands it the folders; the read-only file system
/// test runs the child in a private mount namespace (<c>unshare -m</c>, or <c>unshare -rm</c> without root) where the
/// folders are bind-mounted read-only. Unix only: Windows has neither modes nor these tools.
/// </remarks>
public class UnwritableDirectoryTests(ITestOutputHelper output)
{
    private const string Nobody = "65534";

    [Fact]
    public void A_0555_folder_gives_a_writer_UnauthorizedAccessException_saying_not_writable_and_a_held_lock_still_gives_IndexLockedException()
    {
        if (OperatingSystem.IsWindows()) return; // no POSIX file modes
        using var temp = new TempDirectory("unwritable");
        string fresh = temp.Combine("fresh");          // no index yet: LOCK cannot be created
        string existing = temp.Combine("existing");    // an index whose LOCK exists and is itself writable
        string writable = temp.Combine("writable");    // the control: same user, folder writable
        Directory.CreateDirectory(fresh);
        CreateIndex(existing);
        CreateIndex(writable);

        bool privileged = BypassesFileModes(temp.Path);
        output.WriteLine(privileged ? $"this process bypasses file modes: the child runs as uid {Nobody}" : "the child runs as this user");
        if (privileged) Run("chown", "-R", $"{Nobody}:{Nobody}", fresh, existing, writable);
        File.SetUnixFileMode(fresh, ReadAndSearch);
        File.SetUnixFileMode(existing, ReadAndSearch);
        string[] asChild = privileged ? ["setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups"] : [];
        try
        {
            Dictionary<string, string> outcome;
            using (var holder = StorageTestData.Open(writable)) // this process holds the writable index's lock meanwhile
                outcome = Probe(asChild, fresh, existing, writable);

            AssertNotWritable<UnauthorizedAccessException>(outcome[$"{fresh} writer"], fresh);
            Assert.Equal("opened 0 companies", outcome[$"{fresh} reader"]);
            AssertNotWritable<UnauthorizedAccessException>(outcome[$"{existing} writer"], existing);
            Assert.Equal("opened 1 companies", outcome[$"{existing} reader"]);
            Assert.StartsWith(typeof(IndexLockedException).FullName + ": ", outcome[$"{writable} writer"], StringComparison.Ordinal);
            Assert.Equal("opened 1 companies", outcome[$"{writable} reader"]);

            // Control: the same child user opens the writable index once the lock is free, so the refusals above were the modes.
            Assert.Equal("opened", Probe(asChild, writable)[$"{writable} writer"]);
        }
        finally
        {
            File.SetUnixFileMode(fresh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(existing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void A_read_only_file_system_gives_a_writer_an_IOException_saying_not_writable_not_IndexLockedException()
    {
        if (OperatingSystem.IsWindows()) return; // no mount namespaces
        using var temp = new TempDirectory("rofs");
        string fresh = temp.Combine("fresh");
        string existing = temp.Combine("existing");
        Directory.CreateDirectory(fresh);
        CreateIndex(existing);

        // A private mount namespace in which the temp folder is a read-only bind mount of itself (root: unshare -m;
        // otherwise a user namespace maps this user to root in it: unshare -rm). Nothing outside the child sees it.
        string[] unshare = Environment.UserName == "root" ? ["unshare", "-m"] : ["unshare", "-rm"];
        string[] readOnly = [.. unshare, "sh", "-c", "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\"", "sh", temp.Path];
        var outcome = Probe(readOnly, fresh, existing);

        AssertNotWritable<IOException>(outcome[$"{fresh} writer"], fresh);
        Assert.Contains("Read-only file system", outcome[$"{fresh} writer"], StringComparison.Ordinal);
        Assert.Equal("opened 0 companies", outcome[$"{fresh} reader"]);
        AssertNotWritable<IOException>(outcome[$"{existing} writer"], existing);
        Assert.Equal("opened 1 companies", outcome[$"{existing} reader"]);
        // Outside the namespace the folder is writable as before.
        using var writer = StorageTestData.Open(existing);
    }

    [Fact]
    public void A_second_writer_fails_at_once_with_one_lock_attempt()
    {
        using var temp = new TempDirectory("lock-once");
        using var first = StorageTestData.Open(temp.Path);
        var device = new FlakyStorageDevice(FileStorageDevice.Instance);
        var ex = Assert.Throws<IndexLockedException>(() => StorageTestData.Open(temp.Path, device));
        Assert.Equal(1, device.LockAttempts); // no retry loop: the lock is tried once, without waiting
        Assert.Equal(temp.Combine(IndexDirectory.LockFileName), ex.LockFilePath);
    }

    private const UnixFileMode ReadAndSearch =
        UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static void CreateIndex(string path)
    {
        using var store = StorageTestData.Open(path);
        store.Commit([StorageTestData.Segment("acme", 0, 4)]);
    }

    private static void AssertNotWritable<TException>(string outcome, string folder) where TException : Exception
    {
        Assert.StartsWith(typeof(TException).FullName + ": ", outcome, StringComparison.Ordinal);
        Assert.Contains($"The index folder '{folder}' is not writable", outcome, StringComparison.Ordinal);
    }

    /// <summary>True when this process can create a file in a folder of mode 0555 (root or CAP_DAC_OVERRIDE).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool BypassesFileModes(string parent)
    {
        string probe = Path.Combine(parent, "mode-probe");
        Directory.CreateDirectory(probe);
        File.SetUnixFileMode(probe, ReadAndSearch);
        try
        {
            File.WriteAllBytes(Path.Combine(probe, "file"), []);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            File.SetUnixFileMode(probe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Runs <c>CrashTest open-probe</c> on <paramref name="folders"/> behind <paramref name="prefix"/>; returns
    /// "{folder} writer"/"{folder} reader" → outcome.</summary>
    private Dictionary<string, string> Probe(string[] prefix, params string[] folders)
    {
        var (exitCode, stdout, stderr) = Run([.. prefix, .. ChildProcess.Command(), "open-probe", .. folders]);
        output.WriteLine(stdout + stderr);
        Assert.True(exitCode == 0, $"the probe failed (exit {exitCode}): {stderr}{stdout}");
        var outcome = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            outcome[line[..colon]] = line[(colon + 2)..];
        }
        Assert.Equal(2 * folders.Length, outcome.Count);
        return outcome;
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] command)
    {
        var result = ChildProcess.RunToEnd(command, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode >= 0, $"'{string.Join(' ', command)}' did not finish within 2 minutes.");
        Assert.True(command[0] != "chown" || result.ExitCode == 0, $"chown failed: {result.Stderr}");
        return result;
    }
}
