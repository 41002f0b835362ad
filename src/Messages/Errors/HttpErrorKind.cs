namespace EduVpnActors.Messages.Errors;

/// <summary>Why an HTTP request of the engine failed.</summary>
public enum HttpErrorKind
{
    /// <summary>The URL is not https (every request of the engine is https only).</summary>
    NotHttps,
    /// <summary>A redirect pointed to a non-https URL.</summary>
    InsecureRedirect,
    /// <summary>More redirects than allowed, or a redirect loop.</summary>
    TooManyRedirects,
    /// <summary>The response body is larger than the configured cap.</summary>
    ResponseTooLarge,
    /// <summary>The request did not complete within its time-out.</summary>
    Timeout,
    /// <summary>Connection refused, reset, DNS failure or another transport error.</summary>
    Network,
    /// <summary>The TLS handshake failed (untrusted or mismatching certificate, protocol policy).</summary>
    Tls,
    /// <summary>The server answered with a non-success status.</summary>
    Status,
}
