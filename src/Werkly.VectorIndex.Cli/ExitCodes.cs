namespace Werkly.VectorIndex.Cli;

/// <summary>The process exit codes of the <c>werkly</c> command; every non-zero code comes with a message on stderr
/// that says what to do.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected error (a bug or an environment problem); the message and stack trace are on stderr.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line: unknown option, invalid value, invalid company id, missing argument.</summary>
    public const int Usage = 2;

    /// <summary>The index folder does not exist (run <c>werkly ingest</c> first, or pass <c>--index</c>).</summary>
    public const int IndexNotFound = 3;

    /// <summary>The index holds no such company (or, for <c>delete --document</c>, no such document).</summary>
    public const int NotFound = 4;

    /// <summary>A file or folder could not be read: missing, unreadable, corrupt, or of an unsupported format.</summary>
    public const int UnreadableInput = 5;

    /// <summary>The index cannot be used: damaged, written by a newer version, or locked by another writer.</summary>
    public const int IndexUnusable = 6;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, as shells report it); documents already written stay written.</summary>
    public const int Canceled = 130;

    /// <summary>The table printed by every command's help.</summary>
    public const string Help =
        "Exit codes: 0 ok; 1 unexpected error; 2 bad command line; 3 index folder not found; 4 unknown company or document; " +
        "5 unreadable, missing or unsupported file; 6 index damaged, too new or locked; 130 cancelled (Ctrl+C).";
}
