using System.Globalization;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Messages.Client;

namespace EduVpnActors.Actors.Facade;

/// <summary>
/// A failed engine operation. <see cref="Exception.Message"/> is English and technical (for logs);
/// <see cref="LocalizedMessage"/> is the sentence to show the user, in the engine's language.
/// Neither ever contains a token or a key.
/// </summary>
public sealed class EduVpnException(ClientError error, CultureInfo culture) : Exception(error.Message)
{
    /// <summary>The typed error the host branches on.</summary>
    public ClientError Error { get; } = error;

    /// <summary>The category of <see cref="Error"/>.</summary>
    public ClientErrorKind Kind => Error.Kind;

    /// <summary>
    /// The server's own error text (e.g. a portal that refuses API downloads says why), as data: show it
    /// escaped beside <see cref="LocalizedMessage"/> and log it (client rule 32); null when it said nothing.
    /// </summary>
    public string? ServerMessage => Error.Session?.ServerMessage;

    /// <summary>
    /// A user-facing sentence in the requested language: what stopped the connection when that is known
    /// ("the server refused the connection", "the certificate has expired"), else the session's reason, else the error's.
    /// </summary>
    public string LocalizedMessage { get; } = error.Session switch
    {
        { Transport: { } transport } => ErrorTexts.For(transport, culture),
        { } session => ErrorTexts.For(session.Kind, culture),
        _ => ErrorTexts.For(error.Kind, culture),
    };
}
