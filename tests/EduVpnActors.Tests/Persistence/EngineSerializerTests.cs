using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Tests.Persistence;

public sealed class EngineSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer", EngineConfiguration.Defaults());

    [Fact]
    public void EveryPersistedType_HasAUniqueVersionedManifest()
    {
        var manifests = PersistedTypeRegistry.ManifestsByType;
        Assert.NotEmpty(manifests);
        Assert.All(manifests.Values, m => Assert.Matches(@"^[a-z0-9-]+\.v[0-9]+$", m));
        Assert.Equal(manifests.Count, manifests.Values.Distinct().Count());
    }

    [Fact]
    public void PersistedMessage_IsBoundToEngineSerializer()
    {
        var evt = new DiscoveryListConfirmed(DiscoveryListKind.Servers, "Wed, 21 Oct 2015 07:28:00 GMT", 42);
        var serializer = _system.Serialization.FindSerializerFor(evt);
        Assert.IsType<EngineSerializer>(serializer);
    }

    [Fact]
    public void RoundTrip_WritesManifestAndNoTypeNames()
    {
        var evt = new DiscoveryListAccepted(DiscoveryListKind.Organizations, 7, [1, 2, 3], "sig", null, 99);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(evt);
        var bytes = serializer.ToBinary(evt);
        var json = Encoding.UTF8.GetString(bytes);
        Assert.Equal("discovery-list-accepted.v1", serializer.Manifest(evt));
        Assert.DoesNotContain("EduVpnActors", json);
        Assert.DoesNotContain("$type", json);
        var back = (DiscoveryListAccepted)serializer.FromBinary(bytes, "discovery-list-accepted.v1");
        Assert.Equal(evt.Version, back.Version);
        Assert.Equal(evt.Document, back.Document);
        Assert.Equal(evt.Kind, back.Kind);
    }

    [Fact]
    public void UnknownManifest_IsATypedSerializationError()
    {
        var serializer = new EngineSerializer((ExtendedActorSystem)_system);
        var error = Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "from-the-future.v9"));
        Assert.Contains("from-the-future.v9", error.Message);
    }

    [Fact]
    public void CorruptPayload_IsATypedSerializationError()
    {
        var serializer = new EngineSerializer((ExtendedActorSystem)_system);
        Assert.Throws<SerializationException>(() => serializer.FromBinary("{\"kind\":"u8.ToArray(), "discovery-list-confirmed.v1"));
    }

    [Fact]
    public void UnregisteredType_IsRefusedInsteadOfFallingBackToJson()
    {
        Assert.ThrowsAny<Exception>(() => _system.Serialization.FindSerializerForType(typeof(NotPersisted)));
    }

    private sealed record NotPersisted(int Value);

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));
}
