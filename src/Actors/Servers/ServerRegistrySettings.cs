using Akka.Configuration;

namespace EduVpnActors.Actors.Servers;

/// <summary>The <c>eduvpn.registry</c> configuration.</summary>
/// <param name="SnapshotEvery">Take a snapshot (and drop older events) after this many journal events.</param>
public sealed record ServerRegistrySettings(int SnapshotEvery)
{
    /// <summary>The defaults of <c>hocon/engine.conf</c>.</summary>
    public static readonly ServerRegistrySettings Default = new(20);

    /// <summary>Reads the registry's settings from the engine configuration.</summary>
    public static ServerRegistrySettings FromConfig(Config config) =>
        new(Math.Max(1, config.GetInt("eduvpn.registry.snapshot-every", Default.SnapshotEvery)));
}
