using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli;
using Werkly.VectorIndex.Cli.Commands;

// The werkly command. Ctrl+C cancels the running command through a CancellationToken (a second Ctrl+C kills at once).
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested)
        return; // second Ctrl+C: let the runtime terminate the process
    e.Cancel = true;
    cancellation.Cancel();
};

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("werkly");
    config.PropagateExceptions();
    config.AddCommand<EvalCommand>("eval")
        .WithDescription("Score retrieval on a BEIR test collection (nDCG@10, MAP@100, Recall@100, P@10). " + ExitCodes.Help)
        .WithExample("eval", "tests/data/cranfield", "--mode", "hybrid")
        .WithExample("eval", "tests/data/cranfield", "--mode", "bm25", "--json");
});
return await CommandRunner.RunAsync(app, args, cancellation.Token).ConfigureAwait(false);
