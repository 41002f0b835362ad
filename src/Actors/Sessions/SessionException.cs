using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>A typed session failure as an exception (async steps throw it; the actor replies with its <see cref="Failure"/>).</summary>
public sealed class SessionException(SessionFailure failure, Exception? inner = null) : Exception(failure.Message, inner)
{
    public SessionFailure Failure { get; } = failure;

    public SessionErrorKind Kind => Failure.Kind;

    public SessionException(SessionErrorKind kind, string message, int? httpStatus = null, Exception? inner = null)
        : this(new SessionFailure(kind, message, httpStatus), inner)
    {
    }
}
