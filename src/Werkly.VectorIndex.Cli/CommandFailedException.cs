namespace Werkly.VectorIndex.Cli;

/// <summary>A command failed in a way the user can fix: carries the exit code and a message that says what to do.</summary>
/// <remarks>Thrown by the commands and turned into a stderr line plus <see cref="ExitCode"/> by <c>Program</c>.</remarks>
internal sealed class CommandFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="exitCode">One of <see cref="ExitCodes"/>.</param>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CommandFailedException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code, one of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; }
}
