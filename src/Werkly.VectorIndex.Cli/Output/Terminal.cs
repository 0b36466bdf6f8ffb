using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Werkly.VectorIndex.Cli.Output;

/// <summary>Where the command writes: tables and progress to stdout, errors and warnings to stderr, and with
/// <c>--json</c> exactly one JSON object to stdout and nothing else.</summary>
/// <remarks>Not thread-safe beyond what Spectre.Console guarantees; commands write from one thread.</remarks>
public static class Terminal
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
    public static void WriteError(string message) => Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");

    /// <summary>Writes a warning line to stderr.</summary>
    /// <param name="message">Plain text (not markup).</param>
    public static void WriteWarning(string message) => Error.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");

    /// <summary>Writes one JSON object (and a newline) to stdout, built by <paramref name="write"/>.</summary>
    /// <param name="write">Writes the object's properties (the braces are written here).</param>
    public static void WriteJson(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
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

    /// <summary>A UTF-8 encoding without a byte-order mark, for stdout.</summary>
    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}
