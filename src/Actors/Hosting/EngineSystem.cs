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

    /// <summary>
    /// The User-Agent of every request: eduvpn-common's format, from <c>eduvpn.client</c>.
    /// </summary>
    public static string UserAgent(Config config)
    {
        var client = config.GetConfig("eduvpn.client");
        var friendly = client.GetString("friendly-name", "");
        if (string.IsNullOrWhiteSpace(friendly))
        {
            friendly = "eduVPN for Linux";
        }
        return $"{friendly}/{client.GetString("version", "0.1.0")} eduvpn-common/2.1.0";
    }
}
