namespace Werkly.VectorIndex.Cli;

/// <summary>The process exit codes of the <c>werkly</c> command; every non-zero code comes with a message on stderr
/// that says what to do.</summary>
internal static class ExitCodes
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

    /// <summary>The index cannot be used: damaged, written by a newer version, locked by another writer, or its folder is
    /// not writable (for commands that write).</summary>
    public const int IndexUnusable = 6;

    /// <summary>The embedding model makes vectors of other dimensions than the index holds (an index imported from
    /// pgvector with <c>--shorten 512</c>, say): commands that embed text (search by text, ingest, serve) cannot use it;
    /// commands that only read it can.</summary>
    public const int ModelMismatch = 7;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, as shells report it); documents already written stay written.</summary>
    public const int Canceled = 130;

    /// <summary>The table, one line per code, that <c>werkly --help</c> prints once (command help points to it).</summary>
    public static IReadOnlyList<(int Code, string Meaning)> Table { get; } =
    [
        (Ok, "ok"),
        (Failure, "unexpected error (stack trace on stderr)"),
        (Usage, "bad command line: unknown command or option, invalid value or company id"),
        (IndexNotFound, "index folder not found, or it holds no index"),
        (NotFound, "unknown company or document"),
        (UnreadableInput, "unreadable, missing or unsupported file"),
        (IndexUnusable, "index damaged, too new, locked by another writer, or not writable"),
        (ModelMismatch, "the model's dimensions differ from the index's (keyword search, stats, export still work)"),
        (Canceled, "cancelled (Ctrl+C); documents already written stay written"),
    ];

    /// <summary>The stable name of an exit code, for the <c>"code"</c> of a <c>--json</c> error object
    /// (<c>usage</c>, <c>index_not_found</c>, …).</summary>
    /// <param name="code">One of the codes above.</param>
    public static string Name(int code) => code switch
    {
        Ok => "ok",
        Usage => "usage",
        IndexNotFound => "index_not_found",
        NotFound => "not_found",
        UnreadableInput => "unreadable_input",
        IndexUnusable => "index_unusable",
        ModelMismatch => "model_mismatch",
        Canceled => "canceled",
        _ => "failure",
    };
}
