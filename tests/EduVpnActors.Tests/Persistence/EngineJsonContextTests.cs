using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Tests.Persistence;

/// <summary>The compiled JSON metadata covers every persisted type and writes and reads exactly what reflection does.</summary>
public sealed class EngineJsonContextTests
{
    private static readonly JsonSerializerOptions ReflectionOnly =
        new(EngineSerializer.JsonOptions) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    [Fact]
    public void EveryPersistedType_HasCompiledMetadata()
    {
        var missing = PersistedTypeRegistry.ManifestsByType.Keys
            .Where(type => EngineJsonContext.Default.GetTypeInfo(type) is null)
            .Select(type => type.FullName)
            .ToArray();

        Assert.Empty(missing);
    }

    public static TheoryData<string, object> Samples()
    {
        var entry = new RegistryServerEntry(ServerType.SecureInternet, "https://org.example/", "https://home.example/",
            new Dictionary<string, string> { ["en"] = "Home", ["nl"] = "Thuis" }, "https://org.example/", "nl", "https://nl.example/",
            "default", new Dictionary<string, string> { ["https://nl.example/"] = "default" }, 1, 2, null, 4);
        var list = new DiscoveryListAccepted(DiscoveryListKind.Organizations, 7, [1, 2, 3, 250], "sig", "Wed, 21 Oct 2015 07:28:00 GMT", 99);
        object[] samples =
        [
            new ServerAdded(ServerType.InstituteAccess, "https://a.example/", "https://a.example/", new Dictionary<string, string> { ["en"] = "A" }, null, 5),
            new ServerRemoved(ServerType.Custom, "https://c.example/", 6),
            new CurrentServerSelected(null, null, 7),
            new ProfileChosen(ServerType.Custom, "https://c.example/", "p", 8),
            new LocationChosen(ServerType.SecureInternet, "https://org.example/", "de", "https://de.example/", 9),
            new ServerAuthorized(ServerType.Custom, "https://c.example/", 10),
            new ServerConfigObtained(ServerType.Custom, "https://c.example/", 11, 12),
            new ServerConfigReleased(ServerType.Custom, "https://c.example/", 13),
            new ServerImported(entry, 14),
            new ServerRegistrySnapshot([entry, entry with { Type = ServerType.Custom, OrganizationId = null }], ServerType.SecureInternet, "https://org.example/"),
            list,
            new DiscoveryListConfirmed(DiscoveryListKind.Servers, null, 15),
            new DiscoverySnapshot(null, 0, list, 16),
            new DiscoveryListDiscarded(DiscoveryListKind.Servers, "bad signature", 17),
            new SessionTokensStored([9, 8, 7], 18),
            new SessionTokensDropped(19),
        ];
        var data = new TheoryData<string, object>();
        foreach (var sample in samples)
        {
            data.Add(sample.GetType().Name, sample);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void CompiledMetadata_WritesAndReadsWhatReflectionDoes(string name, object sample)
    {
        var compiled = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(sample, sample.GetType(), EngineSerializer.JsonOptions));
        var reflected = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(sample, sample.GetType(), ReflectionOnly));
        Assert.Equal(reflected, compiled);

        // Decoded by the serializer (compiled metadata) and written again by reflection: nothing lost or renamed.
        var decoded = EngineSerializer.Decode(Encoding.UTF8.GetBytes(reflected), PersistedTypeRegistry.ManifestOf(sample.GetType()));
        Assert.Equal(reflected, Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(decoded, sample.GetType(), ReflectionOnly)));
        Assert.False(string.IsNullOrEmpty(name));
    }
}
