using Werkly.VectorIndex.VectorData.ConformanceSuite;

namespace Werkly.VectorIndex.Postgres.Tests.Conformance;

// The VectorData connector's shared suites, run against Postgres + pgvector (PGlite): same tests, same expected results.

public sealed class PostgresFilterTests(PostgresFixture fixture) : FilterSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresRecordTests(PostgresFixture fixture) : RecordSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresDynamicModelTests(PostgresFixture fixture) : DynamicModelSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresDataTypeTests(PostgresFixture fixture) : DataTypeSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresModelTests(PostgresFixture fixture) : ModelSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresCollectionManagementTests(PostgresFixture fixture) : CollectionManagementSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresDistanceFunctionTests(PostgresFixture fixture) : DistanceFunctionSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresEmbeddingGenerationTests(PostgresFixture fixture) : EmbeddingGenerationSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresHybridSearchTests(PostgresFixture fixture) : HybridSearchSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresTenantTests(PostgresFixture fixture) : TenantSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresFilteredTopTests(PostgresFixture fixture) : FilteredTopSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresDependencyInjectionTests(PostgresFixture fixture) : DependencyInjectionSuite(fixture), IClassFixture<PostgresFixture>;
public sealed class PostgresContainerDataSourceDependencyInjectionTests(PostgresContainerDataSourceFixture fixture)
    : DependencyInjectionSuite(fixture), IClassFixture<PostgresContainerDataSourceFixture>;
