using Spectre.Console;
using Werkly.VectorIndex.Cli.Evaluation;

namespace Werkly.VectorIndex.Cli.Output;

/// <summary>Progress bars on stdout for the long phases of a command.</summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/> with one progress bar per phase it reports.</summary>
    /// <param name="title">Not shown when the terminal cannot render progress; kept for the log line.</param>
    /// <param name="work">The work; receives the progress sink and the token.</param>
    /// <param name="cancellationToken">Passed to <paramref name="work"/>.</param>
    public static Task RunAsync(string title, Func<IProgress<EvaluationProgress>, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return NewProgress().StartAsync(async context =>
        {
            var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
            var sink = new SynchronousProgress<EvaluationProgress>(p =>
            {
                if (!tasks.TryGetValue(p.Phase, out var task))
                    tasks[p.Phase] = task = context.AddTask($"{Markup.Escape(title)}: {Markup.Escape(p.Phase)}", maxValue: Math.Max(1, p.Total));
                task.Value = p.Done;
                if (p.Done >= p.Total) task.StopTask();
            });
            await work(sink, cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>The progress display every command uses.</summary>
    public static Spectre.Console.Progress NewProgress() => Terminal.Out.Progress()
        .AutoClear(false)
        .HideCompleted(false)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn());
}

/// <summary>An <see cref="IProgress{T}"/> that calls its handler on the reporting thread (no synchronization context hop),
/// so a report is visible before the next line of the reporter runs.</summary>
/// <typeparam name="T">The report type.</typeparam>
/// <param name="handler">Called for each report.</param>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => handler(value);
}
