using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client;

/// <summary>A typed failure of a client-flow step, turned into <see cref="ClientRequestFailed"/> by the connection actor.</summary>
public sealed class ClientFlowException(ClientErrorKind kind, string message, SessionFailure? session = null) : Exception(message)
{
    /// <summary>The category the host branches on.</summary>
    public ClientErrorKind Kind { get; } = kind;

    /// <summary>The session failure behind a <see cref="ClientErrorKind.Session"/> error.</summary>
    public SessionFailure? Session { get; } = session;

    /// <summary>The error as a message.</summary>
    public ClientError ToError() => new(Kind, Message, Session);
}
