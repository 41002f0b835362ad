using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard;

/// <summary>The peer resolved at set-up.</summary>
internal sealed record PeerResolved(IReadOnlyList<IPAddress> Addresses) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

/// <summary>The peer did not resolve at set-up.</summary>
internal sealed record ResolveFailed(ProxyGuardError Error) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

/// <summary>The checks and the one DNS lookup of a set-up (proxyguard.md §4.1), apart from the actor.</summary>
internal static class SetUpArguments
{
    /// <summary>Why the ports or the fwmark are out of range; null when they are fine.</summary>
    public static ProxyGuardError? Invalid(SetUpProxyGuard request) =>
        request.ListenPort is < 0 or > 65535 ? Error($"the listen port {request.ListenPort} is not between 0 and 65535")
        : request.TcpSourcePort is < 0 or > 65535 ? Error($"the TCP source port {request.TcpSourcePort} is not between 0 and 65535")
        : request.Fwmark < 0 ? Error($"the fwmark {request.Fwmark} is negative")
        : null;

    /// <summary>
    /// All addresses of <paramref name="host"/>, in the resolver's order, without duplicates, within
    /// <paramref name="timeout"/> (also when the resolver ignores its token). Never throws.
    /// </summary>
    public static async Task<object> ResolveAsync(Func<string, CancellationToken, Task<IPAddress[]>> resolve, string host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var addresses = (await resolve(host, deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false)).Distinct().ToArray();
            return addresses.Length == 0
                ? new ResolveFailed(DnsFailed($"'{host}' resolved to no address"))
                : new PeerResolved(addresses);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ResolveFailed(DnsFailed($"'{host}' did not resolve within {timeout.TotalSeconds:0.###} s"));
        }
        catch (SocketException e)
        {
            return new ResolveFailed(DnsFailed($"'{host}' did not resolve: {e.SocketErrorCode}"));
        }
        catch (Exception e)
        {
            // A host-supplied resolver may throw anything; the set-up still gets a typed answer.
            return new ResolveFailed(DnsFailed($"'{host}' did not resolve: {e.GetType().Name}: {e.Message}"));
        }
    }

    private static ProxyGuardError Error(string message) => new(ProxyGuardErrorKind.InvalidArgument, message);

    private static ProxyGuardError DnsFailed(string message) => new(ProxyGuardErrorKind.DnsFailed, message);
}
