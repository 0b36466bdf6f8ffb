using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Documents.Exceptions;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Cli;

/// <summary>Runs a <see cref="CommandApp"/> and turns every failure into a stderr message and an <see cref="ExitCodes"/> code.</summary>
public static class CommandRunner
{
    /// <summary>Runs the app.</summary>
    /// <param name="app">The configured app (with <c>PropagateExceptions</c>).</param>
    /// <param name="args">The command line.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CommandApp app, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            return await app.RunAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var (code, message) = Classify(e, cancellationToken);
            Terminal.WriteError(message);
            if (code == ExitCodes.Failure)
                Terminal.WriteErrorText(e.ToString());
            return code;
        }
    }

    /// <summary>Maps an exception to an exit code and a message that says what to do.</summary>
    public static (int Code, string Message) Classify(Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            CommandFailedException e => (e.ExitCode, e.Message),
            OperationCanceledException when cancellationToken.IsCancellationRequested =>
                (ExitCodes.Canceled, "Cancelled. Documents written before Ctrl+C stay in the index; the rest are untouched."),
            CommandAppException e => (ExitCodes.Usage, e.Message + " Run 'werkly --help' or 'werkly COMMAND --help' for usage."),
            InvalidIdentifierException e => (ExitCodes.Usage, e.Message),
            CompanyNotFoundException e => (ExitCodes.NotFound, $"{e.Message} Run 'werkly stats' to list the companies in the index."),
            UnsupportedDocumentFormatException e => (ExitCodes.UnreadableInput, e.Message),
            DocumentExtractionException e => (ExitCodes.UnreadableInput, e.Message + " Fix or remove the file and run the command again."),
            IndexLockedException e => (ExitCodes.IndexUnusable, e.Message),
            IndexCorruptedException e => (ExitCodes.IndexUnusable, e.Message + " Delete the index folder and ingest again, or restore it from a backup."),
            IncompatibleFormatException e => (ExitCodes.IndexUnusable, e.Message + " Use the werkly version that wrote it, or ingest again into a new folder."),
            _ => (ExitCodes.Failure, $"Unexpected {exception.GetType().Name}: {exception.Message}"),
        };
    }
}
