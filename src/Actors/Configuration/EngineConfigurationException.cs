using Akka.Configuration;

namespace EduVpnActors.Actors.Configuration;

/// <summary>
/// The engine's configuration cannot be used: a HOCON file that does not parse or includes what it may not,
/// a key of the wrong type, out of range, unknown, or naming a file that is not there. <see cref="Key"/>
/// and <see cref="File"/> say where; the message is English and names them too.
/// </summary>
public sealed class EngineConfigurationException : ConfigurationException
{
    /// <summary>Creates the exception for <paramref name="key"/> and/or <paramref name="file"/>.</summary>
    public EngineConfigurationException(string message, string? key = null, string? file = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Key = key;
        File = file;
    }

    /// <summary>The HOCON path at fault (e.g. <c>eduvpn.http.timeout</c>), when one is.</summary>
    public string? Key { get; }

    /// <summary>The configuration file at fault (a <c>--config</c> file or one it includes), when one is.</summary>
    public string? File { get; }
}
