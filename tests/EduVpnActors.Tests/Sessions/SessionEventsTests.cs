using System.Text;
using Akka.Actor;
using Akka.Serialization;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Tests.Sessions;

/// <summary>The session events go through the engine serializer with their manifests and carry only the encrypted blob.</summary>
public sealed class SessionEventsTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("session-events", EngineConfiguration.Defaults());

    [Fact]
    public void TokensStored_RoundTrips_WithItsManifestAndNoTypeNames()
    {
        var evt = new SessionTokensStored([1, 2, 3, 250], 1234);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(evt);

        var bytes = serializer.ToBinary(evt);
        var back = (SessionTokensStored)serializer.FromBinary(bytes, serializer.Manifest(evt));

        Assert.IsType<EngineSerializer>(serializer);
        Assert.Equal("session-tokens-stored.v1", serializer.Manifest(evt));
        Assert.DoesNotContain("EduVpnActors", Encoding.UTF8.GetString(bytes));
        Assert.Equal(evt.ProtectedTokens, back.ProtectedTokens);
        Assert.Equal(1234, back.StoredAtMs);
    }

    [Fact]
    public void TokensDropped_RoundTrips()
    {
        var evt = new SessionTokensDropped(99);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(evt);

        Assert.Equal("session-tokens-dropped.v1", serializer.Manifest(evt));
        Assert.Equal(evt, serializer.FromBinary(serializer.ToBinary(evt), "session-tokens-dropped.v1"));
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));
}
