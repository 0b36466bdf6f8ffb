using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Werkly.VectorIndex.Cli.Output;

/// <summary>Spectre's help, plus the exit-code table once at the foot of <c>werkly --help</c>; each command's help
/// ends with one line pointing there instead of repeating the table.</summary>
internal sealed class ExitCodeHelpProvider(ICommandAppSettings settings) : HelpProvider(settings)
{
    /// <inheritdoc />
    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command)
    {
        foreach (var renderable in base.GetFooter(model, command))
            yield return renderable;
        yield return Spectre.Console.Text.NewLine;
        if (command is not null)
        {
            yield return new Markup("[yellow]EXIT CODES:[/] 0 on success; see 'werkly --help' for the others. " +
                "With --json, an error prints {\"error\":{\"code\",\"exit_code\",\"message\"}} on stdout.");
            yield return Spectre.Console.Text.NewLine;
            yield break;
        }
        yield return new Markup("[yellow]EXIT CODES:[/]");
        yield return Spectre.Console.Text.NewLine;
        var grid = new Grid().AddColumn(new GridColumn().PadLeft(4).PadRight(2).RightAligned()).AddColumn();
        foreach (var (code, meaning) in ExitCodes.Table)
            grid.AddRow(code.ToString(CultureInfo.InvariantCulture), Markup.Escape(meaning));
        yield return grid;
        yield return new Markup("    With --json, an error prints {\"error\":{\"code\",\"exit_code\",\"message\"}} on stdout (code: " +
            Markup.Escape(string.Join(", ", ExitCodes.Table.Skip(1).Select(r => ExitCodes.Name(r.Code)))) + ").");
        yield return Spectre.Console.Text.NewLine;
    }
}
