using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Documents.Exceptions;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Cli;

/// <summary>Runs a <see cref="CommandApp"/> and turns every failure into a stderr message and an <see cref="ExitCodes"/>
/// code, plus, when the command line asks for <c>--json</c>, a JSON error object on stdout.</summary>
internal static class CommandRunner
{
    /// <summary>Runs the app.</summary>
    /// <param name="app">The configured app (with <c>PropagateExceptions</c>).</param>
    /// <param name="args">The command line.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CommandApp app, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(args);
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
            if (AsksForJson(args))
                WriteJsonError(code, message);
            return code;
        }
    }

    /// <summary>Whether the command line has <c>--json</c> (before a <c>--</c> that ends the options). Looked up in the
    /// raw arguments, so that a command line that fails to parse still gets its JSON error object.</summary>
    public static bool AsksForJson(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        foreach (var arg in args)
        {
            if (arg == "--") return false;
            if (arg == "--json") return true;
        }
        return false;
    }

    /// <summary>Writes <c>{"error":{"code":"usage","exit_code":2,"message":"…"}}</c> to stdout.</summary>
    public static void WriteJsonError(int code, string message) => Terminal.WriteJson(w =>
    {
        w.WriteStartObject("error");
        w.WriteString("code", ExitCodes.Name(code));
        w.WriteNumber("exit_code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
    });

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
            InvalidIdentifierException e => (ExitCodes.Usage, WithoutParameterName(e)),
            CompanyNotFoundException e => (ExitCodes.NotFound, $"{e.Message} Run 'werkly stats' to list the companies in the index."),
            UnsupportedDocumentFormatException e => (ExitCodes.UnreadableInput, e.Message),
            DocumentExtractionException e => (ExitCodes.UnreadableInput, e.Message + " Fix or remove the file and run the command again."),
            IndexLockedException { InnerException: UnauthorizedAccessException } e => (ExitCodes.IndexUnusable, NotWritable(e.InnerException!)),
            IndexLockedException e => (ExitCodes.IndexUnusable, e.Message),
            IndexCorruptedException e => (ExitCodes.IndexUnusable, e.Message + " Delete the index folder and ingest again, or restore it from a backup."),
            IncompatibleFormatException e => (ExitCodes.IndexUnusable, e.Message + " Use the werkly version that wrote it, or ingest again into a new folder."),
            UnauthorizedAccessException e => (ExitCodes.IndexUnusable, NotWritable(e)),
            IOException e when IsNotWritable(e) => (ExitCodes.IndexUnusable, NotWritable(e)),
            _ => (ExitCodes.Failure, $"Unexpected {exception.GetType().Name}: {exception.Message}"),
        };
    }

    /// <summary>Whether an I/O error says a folder or file system cannot be written: a read-only file system (EROFS),
    /// or the core's own "not writable" wording.</summary>
    internal static bool IsNotWritable(IOException e) =>
        e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("not writable", StringComparison.OrdinalIgnoreCase)
        || (OperatingSystem.IsLinux() && e.HResult == 30); // EROFS

    /// <summary>The message for an index folder the command may not write to.</summary>
    internal static string NotWritable(Exception e) =>
        $"The index folder is not writable ({e.Message}). Check the folder's permissions and that its file system is not mounted read-only, or pass another --index DIR.";

    /// <summary>An argument exception's message without the " (Parameter 'companyId')" that .NET appends: users never see parameter names.</summary>
    internal static string WithoutParameterName(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
}
