using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Npgsql;
using Werkly.VectorIndex.Postgres.Tests.Conformance;
using Werkly.VectorIndex.VectorData.ConformanceSuite;

namespace Werkly.VectorIndex.Postgres.Tests.DependencyInjection;

/// <summary>What the shared DI suite cannot see: registered stores and collections reach the server, share one pool per
/// registration, and reject bad options and connection strings at the door.</summary>
public sealed class RegistrationTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly BasicRecord<string>[] Records =
    [
        new() { Key = "a", Text = "first", Number = 1, Vector = new([1, 0, 0]) },
        new() { Key = "b", Text = "second", Number = 2, Vector = new([0, 1, 0]) },
        new() { Key = "c", Text = "third", Number = 3, Vector = new([0, 0, 1]) },
    ];

    [Theory]
    [InlineData(ServiceLifetime.Singleton)]
    [InlineData(ServiceLifetime.Transient)]
    public async Task A_keyed_collection_in_a_registered_store_writes_and_searches_on_the_server(ServiceLifetime lifetime)
    {
        var name = fixture.NewName("di-roundtrip");
        var services = new ServiceCollection()
            .AddKeyedWerklyPostgresVectorStore("pg", fixture.ConnectionString, lifetime: lifetime)
            .AddKeyedWerklyPostgresCollection<string, BasicRecord<string>>("pg", name, lifetime: lifetime);
        await using (var provider = services.BuildServiceProvider())
        {
            var collection = provider.GetRequiredKeyedService<VectorStoreCollection<string, BasicRecord<string>>>("pg");
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(Records);

            var top = await collection.SearchAsync(new ReadOnlyMemory<float>([0.1f, 1, 0]), top: 2).ToListAsync();
            Assert.Equal(["b", "a"], top.Select(r => r.Record.Key));
            var again = provider.GetRequiredKeyedService<PostgresCollection<string, BasicRecord<string>>>("pg");
            Assert.Equal("third", (await again.GetAsync("c"))!.Text);

            // Every store the registration creates, of any lifetime, draws on one pool.
            var first = provider.GetRequiredKeyedService<PostgresVectorStore>("pg");
            var second = provider.GetRequiredKeyedService<PostgresVectorStore>("pg");
            Assert.Same(first.DataSource, second.DataSource);
            Assert.True(await provider.GetRequiredKeyedService<VectorStore>("pg").CollectionExistsAsync(name));
        }

        // The container disposed the registration's data source and stores; the data survives on the server.
        using var store = new PostgresVectorStore(fixture.DataSource);
        var reopened = store.GetCollection<string, BasicRecord<string>>(name);
        Assert.Equal(3, await reopened.GetAsync(["a", "b", "c"]).CountAsync());
        await reopened.EnsureCollectionDeletedAsync();
    }

    [Fact]
    public async Task A_store_on_the_containers_data_source_uses_it_and_leaves_it_open()
    {
        var name = fixture.NewName("di-container");
        var services = new ServiceCollection()
            .AddSingleton(fixture.DataSource)
            .AddWerklyPostgresVectorStore(_ => new PostgresVectorStoreOptions { Name = "werkly-di" })
            .AddWerklyPostgresCollection<string, BasicRecord<string>>(name, _ => new PostgresCollectionOptions { Probes = 4 });
        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<PostgresVectorStore>();
            Assert.Same(fixture.DataSource, store.DataSource);
            Assert.Equal("werkly-di", store.Name);
            var collection = provider.GetRequiredService<IVectorSearchable<BasicRecord<string>>>();
            var typed = Assert.IsType<PostgresCollection<string, BasicRecord<string>>>(collection);
            await typed.EnsureCollectionExistsAsync();
            await typed.UpsertAsync(Records);
            var top = await collection.SearchAsync(new ReadOnlyMemory<float>([0, 0, 1]), top: 1).SingleAsync();
            Assert.Equal("c", top.Record.Key);
            await typed.EnsureCollectionDeletedAsync();
        }

        // Not the container's to dispose: the fixture's data source still serves.
        await using var connection = await fixture.DataSource.OpenConnectionAsync();
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);
    }

    [Fact]
    public void Invalid_store_options_fail_start_up_validation_naming_the_setting()
    {
        var services = new ServiceCollection()
            .AddKeyedWerklyPostgresVectorStore("bad", fixture.ConnectionString, _ => new PostgresVectorStoreOptions { IvfFlatThreshold = 0 });
        using var provider = services.BuildServiceProvider();
        var startup = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("IvfFlatThreshold", startup.Message, StringComparison.Ordinal);
        var resolve = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<PostgresVectorStore>("bad"));
        Assert.Contains("IvfFlatThreshold", resolve.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_connection_strings_are_rejected_at_registration()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddWerklyPostgresVectorStore(connectionString: " "));
        Assert.Throws<ArgumentNullException>(() => services.AddWerklyPostgresVectorStore(connectionString: null!));
        Assert.Throws<ArgumentException>(() => services.AddWerklyPostgresVectorStore("Host=localhost;NoSuchKeyword=1"));
        Assert.Throws<ArgumentException>(() => services.AddWerklyPostgresCollection<string, BasicRecord<string>>("docs", "Port=notanumber"));
        Assert.Empty(services);
    }

    [Fact]
    public void A_store_without_a_data_source_names_what_is_missing()
    {
        using var provider = new ServiceCollection().AddWerklyPostgresVectorStore().BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<VectorStore>());
        Assert.Contains(nameof(NpgsqlDataSource), error.Message, StringComparison.Ordinal);

        using var collections = new ServiceCollection().AddWerklyPostgresCollection<string, BasicRecord<string>>("docs").BuildServiceProvider();
        error = Assert.Throws<InvalidOperationException>(() => collections.GetRequiredService<VectorStoreCollection<string, BasicRecord<string>>>());
        Assert.Contains("AddWerklyPostgresVectorStore", error.Message, StringComparison.Ordinal);
    }
}
