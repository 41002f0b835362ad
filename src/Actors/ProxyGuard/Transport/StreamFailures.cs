using System.Net.Sockets;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Transport;

/// <summary>Turns what a broken TCP/TLS stream throws into a typed, retried failure.</summary>
internal static class StreamFailures
{
    /// <param name="e">The exception of a read, write or handshake.</param>
    /// <param name="where">Where it happened, for the text.</param>
    public static ProxyGuardException Broken(Exception e, string where)
    {
        var socketError = (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode;
        return socketError switch
        {
            SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.OperationAborted =>
                new ProxyGuardException(ProxyGuardErrorKind.ConnectionReset, $"the connection was reset {where} ({socketError})", e),
            null when e is IOException =>
                new ProxyGuardException(ProxyGuardErrorKind.ConnectionClosed, $"the connection ended {where}: {e.Message}", e),
            _ => new ProxyGuardException(ProxyGuardErrorKind.ConnectionReset, $"the connection broke {where}: {e.GetType().Name}: {e.Message}", e),
        };
    }
}
