using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Actors.Discovery.Signatures;

/// <summary>A discovery signature was rejected; <see cref="Kind"/> says by which rule.</summary>
public sealed class SignatureException : Exception
{
    /// <summary>Creates the exception for a failure of <paramref name="kind"/>.</summary>
    public SignatureException(SignatureErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>The rule that rejected the signature.</summary>
    public SignatureErrorKind Kind { get; }
}
