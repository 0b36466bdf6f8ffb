using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.VectorData.ConformanceSuite;

/// <summary>DI registrations for every lifetime, keyed and unkeyed (the conformance tests' DependencyInjectionTests):
/// concrete and abstract types resolve with the right sharing, null and empty arguments are rejected, and the
/// container's embedding generator is resolved.</summary>
public abstract class DependencyInjectionSuite(VectorStoreFixture fixture)
{
    public static TheoryData<ServiceLifetime, object?> LifetimesAndKeys()
    {
        var data = new TheoryData<ServiceLifetime, object?>();
        foreach (var lifetime in new[] { ServiceLifetime.Singleton, ServiceLifetime.Scoped, ServiceLifetime.Transient })
        {
            data.Add(lifetime, null);
            data.Add(lifetime, "key");
            data.Add(lifetime, 8);
        }
        return data;
    }

    private static void Verify(IServiceProvider provider, Type type, ServiceLifetime lifetime, object? key)
    {
        object Resolve(IServiceProvider p) => key is null ? p.GetRequiredService(type) : p.GetRequiredKeyedService(type, key);
        object first, second, secondAgain;
        using (var scope = provider.CreateScope()) first = Resolve(scope.ServiceProvider);
        using (var scope = provider.CreateScope())
        {
            second = Resolve(scope.ServiceProvider);
            secondAgain = Resolve(scope.ServiceProvider);
        }
        Assert.IsAssignableFrom(type, first);
        switch (lifetime)
        {
            case ServiceLifetime.Singleton:
                Assert.Same(first, second);
                Assert.Same(second, secondAgain);
                break;
            case ServiceLifetime.Scoped:
                Assert.NotSame(first, second);
                Assert.Same(second, secondAgain);
                break;
            default:
                Assert.NotSame(first, second);
                Assert.NotSame(second, secondAgain);
                break;
        }
    }

    [Theory, MemberData(nameof(LifetimesAndKeys))]
    public void The_store_registers_as_itself_and_as_VectorStore(ServiceLifetime lifetime, object? key)
    {
        var services = fixture.RegisterStore(new ServiceCollection(), key, lifetime);
        using var provider = services.BuildServiceProvider();
        Verify(provider, fixture.StoreType, lifetime, key);
        Verify(provider, typeof(VectorStore), lifetime, key);
    }

    [Theory, MemberData(nameof(LifetimesAndKeys))]
    public void The_store_registers_after_another_VectorStore(ServiceLifetime lifetime, object? key)
    {
        var services = new ServiceCollection();
        services.Add(new ServiceDescriptor(typeof(VectorStore), key, (_, _) => throw new InvalidOperationException("not this one"), lifetime));
        fixture.RegisterStore(services, key, lifetime);
        using var provider = services.BuildServiceProvider();
        Verify(provider, fixture.StoreType, lifetime, key);
    }

    [Theory, MemberData(nameof(LifetimesAndKeys))]
    public void Collections_register_as_every_abstraction(ServiceLifetime lifetime, object? key)
    {
        var services = fixture.RegisterCollection<string, BasicRecord<string>>(new ServiceCollection(), key, fixture.NewName("di"), lifetime);
        using var provider = services.BuildServiceProvider();
        Verify(provider, fixture.CollectionType<string, BasicRecord<string>>(), lifetime, key);
        Verify(provider, typeof(VectorStoreCollection<string, BasicRecord<string>>), lifetime, key);
        Verify(provider, typeof(IVectorSearchable<BasicRecord<string>>), lifetime, key);
        Verify(provider, typeof(IKeywordHybridSearchable<BasicRecord<string>>), lifetime, key);
    }

    [Fact]
    public void Null_services_and_names_throw_argument_exceptions()
    {
        foreach (var key in new object?[] { null, "key" })
        {
            Assert.Throws<ArgumentNullException>(() => fixture.RegisterStore(null!, key, ServiceLifetime.Singleton));
            Assert.Throws<ArgumentNullException>(() => fixture.RegisterCollection<string, BasicRecord<string>>(null!, key, "name", ServiceLifetime.Singleton));
            Assert.Throws<ArgumentNullException>(() => fixture.RegisterCollection<string, BasicRecord<string>>(new ServiceCollection(), key, null!, ServiceLifetime.Singleton));
            Assert.Throws<ArgumentException>(() => fixture.RegisterCollection<string, BasicRecord<string>>(new ServiceCollection(), key, "", ServiceLifetime.Singleton));
        }
    }

    [Theory, MemberData(nameof(LifetimesAndKeys))]
    public void The_containers_embedding_generator_is_resolved_lazily(ServiceLifetime lifetime, object? key)
    {
        var services = new ServiceCollection();
        var resolved = false;
        services.AddSingleton<IEmbeddingGenerator>(_ =>
        {
            resolved = true;
            return null!;
        });
        fixture.RegisterCollection<string, BasicRecord<string>>(services, key, fixture.NewName("di"), lifetime);
        Assert.False(resolved);
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        var type = fixture.CollectionType<string, BasicRecord<string>>();
        _ = key is null ? scope.ServiceProvider.GetRequiredService(type) : scope.ServiceProvider.GetRequiredKeyedService(type, key);
        Assert.True(resolved);
    }
}
