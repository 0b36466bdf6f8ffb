using Microsoft.Extensions.Options;

namespace Werkly.VectorIndex.Postgres;

/// <summary>Validates <see cref="PostgresVectorStoreOptions"/> at start-up, by the rules the store's constructor applies.</summary>
internal sealed class PostgresVectorStoreOptionsValidator : IValidateOptions<PostgresVectorStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresVectorStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"PostgresVectorStoreOptions '{name}': {ex.Message}");
        }
    }
}
