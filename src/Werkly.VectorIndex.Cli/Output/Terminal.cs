using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Werkly.VectorIndex.Cli.Output;

/// <summary>Where the command writes: tables and progress to stdout, errors and warnings to stderr, and with
/// <c>--json</c> exactly one JSON object to stdout and nothing else.</summary>
/// <remarks>Not thread-safe beyond what Spectre.Console guarantees; commands write from one thread.</remarks>
internal static class Terminal
{
    /// <summary>The console for human-readable output (stdout).</summary>
    public static IAnsiConsole Out { get; set; } = AnsiConsole.Console;

    /// <summary>The console for errors and warnings (stderr).</summary>
    public static IAnsiConsole Error { get; set; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    /// <summary>Writes an error line to stderr.</summary>
    /// <param name="message">Plain text (not markup).</param>
    /// <remarks>When stderr is redirected the line is written as is (no colour, no wrapping), so scripts and logs get it whole.</remarks>
    public static void WriteError(string message) => WriteDiagnostic("red", "error", message);

    /// <summary>Writes a warning line to stderr.</summary>
    /// <param name="message">Plain text (not markup).</param>
    public static void WriteWarning(string message) => WriteDiagnostic("yellow", "warning", message);

    /// <summary>Writes a note to stderr: something the user should know that is not a problem.</summary>
    /// <param name="message">Plain text (not markup).</param>
    public static void WriteNote(string message) => WriteDiagnostic("blue", "note", message);

    /// <summary>Writes a progress line to stderr (used when no live progress display is shown).</summary>
    /// <param name="message">Plain text (not markup).</param>
    public static void WriteProgress(string message) => WriteDiagnostic("grey", "progress", message);

    /// <summary>Writes plain text to stderr, whole (no wrapping) when stderr is redirected.</summary>
    public static void WriteErrorText(string text)
    {
        if (Console.IsErrorRedirected) Console.Error.WriteLine(text);
        else Error.WriteLine(text);
    }

    private static void WriteDiagnostic(string colour, string label, string message)
    {
        if (Console.IsErrorRedirected)
            Console.Error.WriteLine($"werkly: {label}: {message}");
        else
            Error.MarkupLine($"[{colour}]{label}:[/] {Markup.Escape(message)}");
    }

    /// <summary>Writes one JSON object (and a newline) to stdout, built by <paramref name="write"/>.</summary>
    /// <param name="write">Writes the object's properties (the braces are written here).</param>
    /// <remarks>Non-ASCII text and quotes are written as they are (valid JSON; not meant for embedding in HTML).</remarks>
    public static void WriteJson(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        stdout.Write("\n"u8);
        stdout.Flush();
    }

    /// <summary>Rounds a metric for output (4 decimals, like trec_eval).</summary>
    public static double Round4(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);
}
