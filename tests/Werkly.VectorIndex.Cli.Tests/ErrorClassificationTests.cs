using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>How <see cref="CommandRunner"/> maps the index's exceptions to exit codes and messages (in-process: a
/// read-only folder cannot be produced by a test running as root, which ignores permissions).</summary>
public sealed class ErrorClassificationTests
{
    [Fact]
    public void An_invalid_identifier_is_a_usage_error_without_the_internal_parameter_name()
    {
        var (code, message) = CommandRunner.Classify(new InvalidIdentifierException("Company id 'ACME' differs only in case from the existing company 'acme'.", "companyId"), CancellationToken.None);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("Company id 'ACME' differs only in case from the existing company 'acme'.", message);
        Assert.DoesNotContain("companyId", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_that_cannot_be_written_says_so_and_exits_6()
    {
        foreach (var error in new Exception[]
        {
            new UnauthorizedAccessException("Access to the path '/idx/LOCK' is denied."),
            new IndexLockedException("/idx/LOCK", new UnauthorizedAccessException("Access to the path '/idx/LOCK' is denied.")), // today's core
            new IOException("Read-only file system : '/idx/LOCK'"),
            new IOException("The index folder '/idx' is not writable."),                                                     // issue 10's wording
        })
        {
            var (code, message) = CommandRunner.Classify(error, CancellationToken.None);
            Assert.Equal(ExitCodes.IndexUnusable, code);
            Assert.Contains("not writable", message, StringComparison.Ordinal);
            Assert.DoesNotContain("another process", message, StringComparison.Ordinal);
        }
        var (lockedCode, locked) = CommandRunner.Classify(new IndexLockedException("/idx/LOCK", new IOException("held")), CancellationToken.None);
        Assert.Equal(ExitCodes.IndexUnusable, lockedCode);
        Assert.Contains("another process", locked, StringComparison.Ordinal); // a real lock is still reported as one
    }

    [Fact]
    public void Json_is_detected_in_the_raw_arguments_up_to_the_end_of_options()
    {
        Assert.True(CommandRunner.AsksForJson(["search", "x", "--json"]));
        Assert.False(CommandRunner.AsksForJson(["search", "--", "--json"]));
        Assert.False(CommandRunner.AsksForJson(["search", "--jsonx"]));
    }
}
