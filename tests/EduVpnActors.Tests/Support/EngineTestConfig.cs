using Akka.Configuration;
using EduVpnActors.Actors.Configuration;

namespace EduVpnActors.Tests.Support;

/// <summary>Engine configuration for tests: the real HOCON defaults on a real SQLite file.</summary>
internal static class EngineTestConfig
{
    /// <summary>The production configuration on a SQLite database in <paramref name="dataDirectory"/>, plus <paramref name="hocon"/>.</summary>
    public static Config OnSqlite(string dataDirectory, string hocon = "") =>
        EngineConfiguration.ForDataDirectory(dataDirectory, ConfigurationFactory.ParseString(hocon));
}
