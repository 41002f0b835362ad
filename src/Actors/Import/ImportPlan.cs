using System.Globalization;
using System.Text;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Import;

/// <summary>Describes what an import would bring in, for a dry run shown to a user or a log.</summary>
public static class ImportPlan
{
    /// <summary>One line per server, then the current server and the discovery caches.</summary>
    public static IReadOnlyList<string> Describe(ImportedState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var lines = new List<string>
        {
            $"eduvpn-common state format v{state.FormatVersion}: {state.Servers.Count} server(s)",
        };
        foreach (var server in state.Servers)
        {
            lines.Add($"server {DescribeKey(server.Key)} ({DescribeDetails(server)})");
        }
        lines.Add(state.CurrentServer is { } current ? $"current server: {DescribeKey(current)}" : "current server: none");
        lines.Add(state.Discovery is { } discovery
            ? $"discovery cache: servers {DescribeList(discovery.Servers)}, organizations {DescribeList(discovery.Organizations)}"
            : "discovery cache: none");
        return lines;
    }

    private static string DescribeKey(ImportedServerKey key) => $"{TypeName(key.Type)} {Printable(key.Identifier)}";

    private static string TypeName(ServerType type) => type switch
    {
        ServerType.InstituteAccess => "institute access",
        ServerType.SecureInternet => "secure internet",
        ServerType.Custom => "custom",
        _ => "unknown type",
    };

    private static string DescribeDetails(ImportedServer server)
    {
        var parts = new List<string>();
        if (server.CountryCode is { } country)
        {
            parts.Add($"location {Printable(country)}");
        }
        parts.Add(server.CurrentProfile is { } profile ? $"profile '{Printable(profile)}'" : "no profile chosen");
        parts.Add($"{server.Profiles.Count} known profile(s)");
        if (server.LocationProfiles.Count > 0)
        {
            parts.Add($"profiles for {server.LocationProfiles.Count} location(s)");
        }
        parts.Add(server.LastAuthorizeTime is { } authorized ? $"authorized {Format(authorized)}" : "never authorized");
        parts.Add(server.ExpireTime is { } expires ? $"expires {Format(expires)}" : "no expiry");
        return string.Join(", ", parts);
    }

    private static string DescribeList(ImportedDiscoveryList? list) =>
        list is null
            ? "none"
            : list.Timestamp is { } fetched
                ? $"v {list.Version} (fetched {Format(fetched)})"
                : $"v {list.Version}";

    private static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Keeps a hostile identifier from breaking the one-line-per-item layout.</summary>
    private static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        }
        return builder.ToString();
    }
}
