using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;

namespace EduVpnActors.Actors.Hosting;

/// <summary>Creates the engine's <see cref="ActorSystem"/> on its SQLite database.</summary>
public static class EngineSystem
{
    public const string DefaultName = "eduvpn";

    /// <summary>
    /// Creates an actor system whose journal and snapshots live in <paramref name="dataDirectory"/>
    /// (default: <see cref="DataDirectory.Default"/>). <paramref name="overrides"/> win over the HOCON defaults.
    /// </summary>
    public static ActorSystem Create(string? dataDirectory = null, Config? overrides = null, string name = DefaultName)
    {
        var config = EngineConfiguration.ForDataDirectory(dataDirectory ?? DataDirectory.Default(), overrides);
        return ActorSystem.Create(name, config);
    }
}
