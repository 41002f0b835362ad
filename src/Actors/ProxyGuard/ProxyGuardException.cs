using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard;

/// <summary>A typed ProxyGuard failure inside the I/O code; the actor turns it into state.</summary>
internal sealed class ProxyGuardException(ProxyGuardError error, Exception? inner = null) : Exception(error.Message, inner)
{
    public ProxyGuardError Error { get; } = error;

    public ProxyGuardException(ProxyGuardErrorKind kind, string message, Exception? inner = null)
        : this(new ProxyGuardError(kind, message), inner)
    {
    }
}
