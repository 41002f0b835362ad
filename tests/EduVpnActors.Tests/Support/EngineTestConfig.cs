using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;

namespace EduVpnActors.Tests.Support;

/// <summary>Engine configuration for tests: the real HOCON defaults on a real SQLite file.</summary>
internal static class EngineTestConfig
{
    /// <summary>The production configuration on a SQLite database in <paramref name="dataDirectory"/>, plus <paramref name="hocon"/>.</summary>
    public static Config OnSqlite(string dataDirectory, string hocon = "")
    {
        var config = EngineConfiguration.ForDataDirectory(dataDirectory, ConfigurationFactory.ParseString(hocon));
        // What the boot path adds through the plugin's hosting options, for an actor system built without it.
        return config.WithFallback(EnginePersistence.ToConfig(EngineConfiguration.ConnectionString(config)));
    }
}
