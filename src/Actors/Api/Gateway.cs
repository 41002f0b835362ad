using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EduVpnActors.Actors.WireGuard;

namespace EduVpnActors.Actors.Api;

/// <summary>The VPN gateway address used by the failover probe (behaviour reference §5.7, client rule 39).</summary>
public static class Gateway
{
    /// <summary>
    /// The first host of the CIDR's network: network address + 1 with carry. Fails with
    /// <see cref="ApiErrorKind.GatewayOutsideNetwork"/> when that leaves the network (e.g. /32).
    /// </summary>
    /// <exception cref="ApiException"><see cref="ApiErrorKind.InvalidCidr"/> or <see cref="ApiErrorKind.GatewayOutsideNetwork"/>.</exception>
    public static IPAddress Calculate(string cidr)
    {
        var (address, prefix) = ParseCidr(cidr);
        var bytes = address.GetAddressBytes();
        var network = Mask(bytes, prefix);
        var gateway = (byte[])network.Clone();
        for (var i = gateway.Length - 1; i >= 0; i--)
        {
            if (++gateway[i] != 0)
            {
                break;
            }
        }
        var result = new IPAddress(gateway);
        if (!Mask(gateway, prefix).AsSpan().SequenceEqual(network))
        {
            throw new ApiException(ApiErrorKind.GatewayOutsideNetwork, $"IP network does not contain incremented IP: {result}");
        }
        return result;
    }

    /// <summary>
    /// The gateways of a WireGuard <c>Address</c> value (comma-separated CIDRs, IPv4 and/or IPv6),
    /// in order. Entries without room for a gateway (<c>/32</c>, <c>/128</c>) are skipped.
    /// </summary>
    /// <exception cref="ApiException"><see cref="ApiErrorKind.InvalidCidr"/> for an entry that is no CIDR.</exception>
    public static IReadOnlyList<IPAddress> FromAddressLine(string addressValue)
    {
        var result = ImmutableArray.CreateBuilder<IPAddress>();
        foreach (var entry in addressValue.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                result.Add(Calculate(entry));
            }
            catch (ApiException e) when (e.Kind == ApiErrorKind.GatewayOutsideNetwork)
            {
                // A single-host address has no gateway inside it; another entry may have one.
            }
        }
        return result.ToImmutable();
    }

    /// <summary>The gateways of <c>[Interface] Address</c> of a WireGuard configuration (empty if absent).</summary>
    public static IReadOnlyList<IPAddress> FromWireGuardConfig(string config) =>
        WireGuardIni.Parse(config).Section("Interface")?.Get("Address") is { } address ? FromAddressLine(address) : [];

    private static (IPAddress Address, int Prefix) ParseCidr(string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (slash < 0)
        {
            throw InvalidCidr(cidr);
        }
        var ipText = cidr[..slash];
        var prefixText = cidr[(slash + 1)..];
        if (!IsStrictIp(ipText) || !IPAddress.TryParse(ipText, out var address)
            || prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix > (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
        {
            throw InvalidCidr(cidr);
        }
        return (address, prefix);
    }

    // IPAddress.TryParse also takes "10.1", "0x0a.1.1.1" or zone IDs; Go's ParseCIDR does not.
    private static bool IsStrictIp(string s)
    {
        if (s.Contains(':'))
        {
            return !s.Contains('%') && s.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.');
        }
        var parts = s.Split('.');
        return parts.Length == 4 && parts.All(p =>
            p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private static byte[] Mask(byte[] bytes, int prefix)
    {
        var masked = new byte[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            masked[i] = (byte)(bytes[i] & (byte)(0xFF << (8 - bits)));
        }
        return masked;
    }

    private static ApiException InvalidCidr(string cidr) =>
        new(ApiErrorKind.InvalidCidr, $"invalid CIDR address: {cidr}");
}
