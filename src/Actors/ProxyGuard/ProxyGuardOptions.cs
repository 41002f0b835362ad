using System.Net;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Sessions;

namespace EduVpnActors.Actors.ProxyGuard;

/// <summary>What a proxy takes from its host besides the settings: its User-Agent, an extra trusted root, its resolver.</summary>
/// <param name="UserAgent">The upgrade request's User-Agent; <see cref="ProxyGuardUserAgent.For"/> builds the usual one.</param>
public sealed record ProxyGuardOptions(string UserAgent)
{
    /// <summary>A certificate trusted as a root besides the system's (a private CA, the test servers); host names are still checked.</summary>
    public X509Certificate2? ExtraTrustedCertificate { get; init; }

    /// <summary>Resolves the peer host to all its addresses at set-up (default: the system resolver).</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>
    /// The options of an engine configured by <paramref name="config"/>: the User-Agent from
    /// <c>eduvpn.client</c> and the extra root of <c>eduvpn.http.extra-trusted-certificate</c>.
    /// </summary>
    public static ProxyGuardOptions FromConfig(Config config) =>
        new(ProxyGuardUserAgent.FromConfig(config))
        {
            ExtraTrustedCertificate = HttpPolicy.FromConfig(config, "").ExtraTrustedCertificate,
        };
}

/// <summary>The ProxyGuard User-Agent: <c>&lt;host app name&gt;/&lt;version&gt; EduVpnActors/&lt;version&gt;</c>.</summary>
public static class ProxyGuardUserAgent
{
    /// <summary>This library's version (without build metadata).</summary>
    public static string LibraryVersion { get; } = ReadLibraryVersion();

    /// <summary>E.g. <c>eduVPN for Linux/4.2.1 EduVpnActors/0.1.0</c>.</summary>
    public static string For(string appName, string appVersion) => $"{appName}/{appVersion} EduVpnActors/{LibraryVersion}";

    /// <summary>The app name and version of <c>eduvpn.client</c> (as the engine's HTTP User-Agent names them).</summary>
    public static string FromConfig(Config config)
    {
        var (name, version) = ClientIdentity.AppNameAndVersion(config);
        return For(name, version);
    }

    private static string ReadLibraryVersion()
    {
        var assembly = typeof(ProxyGuardUserAgent).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
