using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EduVpnActors.Actors.Failover;

/// <summary>
/// eduvpn-common's CalculateGateway (§5.7, client rule 39): the first host of the tunnel's subnet,
/// i.e. the network address + 1, never "last octet = 1".
/// </summary>
public static class GatewayCalculator
{
    /// <summary>
    /// The gateway of <paramref name="cidr"/> (e.g. <c>10.10.10.130/25</c> → <c>10.10.10.129</c>), or
    /// false with eduvpn-common's error text ("invalid CIDR address: …" or "IP network does not
    /// contain incremented IP: …").
    /// </summary>
    public static bool TryCalculate(string cidr, out IPAddress? gateway, out string? error)
    {
        gateway = null;
        if (!TryParseCidr(cidr, out var address, out var prefix))
        {
            error = $"invalid CIDR address: {cidr}";
            return false;
        }
        var bytes = address.GetAddressBytes();
        var network = Mask(bytes, prefix);
        var incremented = (byte[])network.Clone();
        for (var i = incremented.Length - 1; i >= 0; i--)
        {
            if (++incremented[i] != 0)
            {
                break;
            }
        }
        var candidate = new IPAddress(incremented);
        if (!Mask(incremented, prefix).AsSpan().SequenceEqual(network))
        {
            error = $"IP network does not contain incremented IP: {candidate}";
            return false;
        }
        gateway = candidate;
        error = null;
        return true;
    }

    private static byte[] Mask(byte[] bytes, int prefix)
    {
        var masked = new byte[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - i * 8, 0, 8);
            masked[i] = (byte)(bytes[i] & (0xFF << (8 - bits)));
        }
        return masked;
    }

    // Stricter than IPAddress.TryParse, like Go's ParseCIDR: dotted quads only, no zone, a prefix.
    private static bool TryParseCidr(string cidr, out IPAddress address, out int prefix)
    {
        address = IPAddress.None;
        prefix = 0;
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || cidr.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }
        var host = cidr[..slash];
        var prefixText = cidr[(slash + 1)..];
        if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix))
        {
            return false;
        }
        if (!IPAddress.TryParse(host, out var parsed))
        {
            return false;
        }
        if (parsed.AddressFamily == AddressFamily.InterNetwork
            && (host.Split('.').Length != 4 || !host.Replace(".", "", StringComparison.Ordinal).All(char.IsAsciiDigit)))
        {
            return false;
        }
        var maxPrefix = parsed.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > maxPrefix)
        {
            return false;
        }
        address = parsed;
        return true;
    }
}
