using System.Text;

namespace EduVpnActors.Actors.ProxyGuard.Handshake;

/// <summary>
/// The upgrade request of proxyguard.md §2.1, in the reference's header order: request line,
/// <c>Host</c>, <c>User-Agent</c>, <c>Connection: Upgrade</c> (the whole value: the server compares all
/// of it), <c>Upgrade: UoTLV/1</c>, no body. Go's <c>Accept-Encoding: gzip</c> is left out (no body is
/// ever read, so it means nothing).
/// </summary>
public static class UpgradeRequest
{
    /// <summary>The request bytes (ASCII; built once per tunnel).</summary>
    /// <param name="peer">The parsed peer URL.</param>
    /// <param name="userAgent">E.g. <c>eduVPN for Linux/4.2 EduVpnActors/0.1.0</c>; control and non-ASCII characters become '?'.</param>
    public static byte[] Build(ProxyGuardPeer peer, string userAgent)
    {
        var text = new StringBuilder()
            .Append("GET ").Append(peer.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(peer.HostHeader).Append("\r\n")
            .Append("User-Agent: ").Append(HeaderSafe(userAgent)).Append("\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Upgrade: ").Append(Framing.UoTlv.UpgradeToken).Append("\r\n")
            .Append("\r\n")
            .ToString();
        return Encoding.ASCII.GetBytes(text);
    }

    /// <summary>A header value without CR, LF or anything outside printable ASCII (no header injection).</summary>
    internal static string HeaderSafe(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= ' ' and <= '~' ? c : '?';
            }
        });
}
