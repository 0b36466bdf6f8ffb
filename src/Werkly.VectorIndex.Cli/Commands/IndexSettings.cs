using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Partitions;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Options every index command takes: where the index is, and whether to print JSON.</summary>
public class IndexSettings : CommandSettings
{
    /// <summary>The default index folder, relative to the current directory.</summary>
    public const string DefaultIndexDirectory = ".werkly";

    /// <summary>The index folder.</summary>
    [CommandOption("--index <DIR>")]
    [Description("Index folder. Default: ./.werkly in the current directory.")]
    public string? Index { get; init; }

    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print exactly one JSON object on stdout (progress and tables are left out).")]
    public bool Json { get; init; }

    /// <summary>The embedding model's precision.</summary>
    [CommandOption("--precision <PRECISION>")]
    [Description(EmbeddingModel.PrecisionHelp)]
    public string? Precision { get; init; }

    /// <summary>The embedding model.</summary>
    [CommandOption("--model <MODEL>")]
    [Description(EmbeddingModel.ModelHelp)]
    public string? Model { get; init; }

    /// <summary>The checked <see cref="Model"/> (null for the default).</summary>
    /// <exception cref="CommandFailedException">Neither a known model nor an existing folder.</exception>
    public string? ModelName => EmbeddingModel.ParseName(Model);

    /// <summary>The parsed <see cref="Precision"/>.</summary>
    /// <exception cref="CommandFailedException">Not a known precision.</exception>
    public Embeddings.Onnx.ModelPrecision ModelPrecision => EmbeddingModel.ParsePrecision(Precision);

    /// <summary>The index folder as a full path.</summary>
    public string IndexPath => Path.GetFullPath(string.IsNullOrWhiteSpace(Index) ? DefaultIndexDirectory : Index);

    /// <summary>Checks a company id against the index's rule, for <see cref="CommandSettings.Validate"/>.</summary>
    protected static ValidationResult ValidateCompany(string? company)
    {
        if (string.IsNullOrWhiteSpace(company))
            return ValidationResult.Error("--company is required: the company (tenant) id, for example --company acme.");
        try
        {
            InvalidIdentifierException.ThrowIfInvalidCompanyId(company);
            return ValidationResult.Success();
        }
        catch (InvalidIdentifierException e)
        {
            return ValidationResult.Error(e.Reason);
        }
    }
}

/// <summary>Index options plus the company a command works on.</summary>
public class CompanySettings : IndexSettings
{
    /// <summary>The company (tenant) id.</summary>
    [CommandOption("--company <ID>")]
    [Description("Company (tenant) id: 1 to 64 characters from [[A-Za-z0-9_.-]], not starting with a dot.")]
    public string? Company { get; init; }

    /// <summary>The validated company id.</summary>
    public string CompanyId => Company!;

    /// <inheritdoc />
    public override ValidationResult Validate() => ValidateCompany(Company);
}
