using Microsoft.Extensions.Options;

namespace Werkly.VectorIndex.VectorData;

/// <summary>Validates <see cref="WerklyVectorStoreOptions"/> at start-up (source-generated from its data annotations).</summary>
[OptionsValidator]
internal sealed partial class WerklyVectorStoreOptionsValidator : IValidateOptions<WerklyVectorStoreOptions>
{
}
