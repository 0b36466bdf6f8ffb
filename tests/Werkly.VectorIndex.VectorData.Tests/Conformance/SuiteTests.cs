using Werkly.VectorIndex.VectorData.ConformanceSuite;

namespace Werkly.VectorIndex.VectorData.Tests.Conformance;

// The shared suites over the in-memory store, and (where persistence can change the outcome) over a store on disk.

public sealed class MemoryFilterTests(MemoryFixture fixture) : FilterSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskFilterTests(DiskFixture fixture) : FilterSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryRecordTests(MemoryFixture fixture) : RecordSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskRecordTests(DiskFixture fixture) : RecordSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryDynamicModelTests(MemoryFixture fixture) : DynamicModelSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskDynamicModelTests(DiskFixture fixture) : DynamicModelSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryDataTypeTests(MemoryFixture fixture) : DataTypeSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskDataTypeTests(DiskFixture fixture) : DataTypeSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryModelTests(MemoryFixture fixture) : ModelSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskModelTests(DiskFixture fixture) : ModelSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryCollectionManagementTests(MemoryFixture fixture) : CollectionManagementSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskCollectionManagementTests(DiskFixture fixture) : CollectionManagementSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryDistanceFunctionTests(MemoryFixture fixture) : DistanceFunctionSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskDistanceFunctionTests(DiskFixture fixture) : DistanceFunctionSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryEmbeddingGenerationTests(MemoryFixture fixture) : EmbeddingGenerationSuite(fixture), IClassFixture<MemoryFixture>;

public sealed class MemoryHybridSearchTests(MemoryFixture fixture) : HybridSearchSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskHybridSearchTests(DiskFixture fixture) : HybridSearchSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryTenantTests(MemoryFixture fixture) : TenantSuite(fixture), IClassFixture<MemoryFixture>;
public sealed class DiskTenantTests(DiskFixture fixture) : TenantSuite(fixture), IClassFixture<DiskFixture>;

public sealed class MemoryFilteredTopTests(MemoryFixture fixture) : FilteredTopSuite(fixture), IClassFixture<MemoryFixture>;

public sealed class MemoryDependencyInjectionTests(MemoryFixture fixture) : DependencyInjectionSuite(fixture), IClassFixture<MemoryFixture>;
