namespace EduVpnActors.Messages.Discovery;

/// <summary>Why a discovery signature was rejected; one value per rule of the verification order.</summary>
public enum SignatureErrorKind
{
    /// <summary>The expected file name is not a discovery document name.</summary>
    InvalidFilename,
    /// <summary>The signature text is not a four-line minisign signature.</summary>
    InvalidSignatureFormat,
    /// <summary>Prehashed signatures are required but the signature is a legacy one.</summary>
    InvalidAlgorithm,
    /// <summary>A configured trusted key cannot be decoded.</summary>
    InvalidPublicKey,
    /// <summary>The signature or the signature over the trusted comment does not verify.</summary>
    InvalidSignature,
    /// <summary>The trusted comment is not <c>timestamp:N file:NAME</c>.</summary>
    InvalidTrustedComment,
    /// <summary>The signed file name is not the expected one.</summary>
    WrongFilename,
    /// <summary>The signature is older than the copy already held (rollback).</summary>
    SignTimeTooOld,
    /// <summary>No trusted key has the signature's key ID.</summary>
    UnknownKey,
}
