using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>A typed session failure as an exception (async steps throw it; the actor replies with its <see cref="Failure"/>).</summary>
public sealed class SessionException(SessionFailure failure, Exception? inner = null) : Exception(failure.Message, inner)
{
    /// <summary>The typed failure.</summary>
    public SessionFailure Failure { get; } = failure;

    /// <summary>What kind of failure this is.</summary>
    public SessionErrorKind Kind => Failure.Kind;

    /// <summary>Creates the exception for a failure of <paramref name="kind"/>.</summary>
    public SessionException(SessionErrorKind kind, string message, int? httpStatus = null, Exception? inner = null)
        : this(new SessionFailure(kind, message, httpStatus), inner)
    {
    }
}
