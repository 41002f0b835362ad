using System.Security.Cryptography;
using System.Text;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions.OAuth;

/// <summary>What one callback request means for the authorization that waits for it.</summary>
public abstract record CallbackOutcome
{
    private CallbackOutcome()
    {
    }

    /// <summary>Not for this authorization (no or wrong <c>state</c>, malformed): answered, then ignored; the flow goes on.</summary>
    public sealed record Ignored(string Reason) : CallbackOutcome;

    /// <summary>The code to exchange. <see cref="ToString"/> hides it.</summary>
    public sealed record Code(string Value) : CallbackOutcome
    {
        /// <inheritdoc />
        public override string ToString() => "Code { Value = <redacted> }";
    }

    /// <summary>The authorization ended with an error (the state matched, so it is ours).</summary>
    public sealed record Failed(SessionFailure Failure) : CallbackOutcome;
}

/// <summary>
/// Checks a loopback callback: <c>state</c> first (a wrong one never ends the flow), then the RFC 9207
/// <c>iss</c> when present, then <c>error</c>, then <c>code</c>.
/// </summary>
public static class CallbackValidator
{
    /// <param name="query">The raw query, with or without the leading <c>?</c>.</param>
    /// <param name="expectedState">The <c>state</c> sent with the authorization request.</param>
    /// <param name="expectedIssuer">The server's issuer (<c>{origin}/</c> of the authorization endpoint).</param>
    public static CallbackOutcome Validate(string query, string expectedState, string expectedIssuer)
    {
        if (expectedState.Length == 0)
        {
            return new CallbackOutcome.Ignored("no authorization is waiting");
        }
        var parameters = ParseQuery(query);
        if (parameters is null)
        {
            return new CallbackOutcome.Ignored("malformed or repeated query parameters");
        }
        if (!parameters.TryGetValue("state", out var state) || !FixedTimeEquals(state, expectedState))
        {
            return new CallbackOutcome.Ignored("the state does not belong to this authorization");
        }
        if (parameters.TryGetValue("iss", out var issuer) && !SameIssuer(issuer, expectedIssuer))
        {
            return new CallbackOutcome.Failed(new SessionFailure(SessionErrorKind.IssuerMismatch,
                "The authorization response came from another issuer than the server that was asked (RFC 9207)."));
        }
        if (parameters.TryGetValue("error", out var error))
        {
            var description = parameters.GetValueOrDefault("error_description");
            var text = Printable(description is { Length: > 0 } ? $"{error}: {description}" : error);
            return new CallbackOutcome.Failed(error == "access_denied"
                ? new SessionFailure(SessionErrorKind.AccessDenied, $"The authorization was refused ({text}).")
                : new SessionFailure(SessionErrorKind.AuthorizationFailed, $"The server refused the authorization ({text})."));
        }
        if (!parameters.TryGetValue("code", out var code) || code.Length == 0)
        {
            return new CallbackOutcome.Failed(new SessionFailure(SessionErrorKind.AuthorizationFailed,
                "The authorization response has neither a code nor an error."));
        }
        return new CallbackOutcome.Code(code);
    }

    /// <summary>The issuer RFC 9207 expects for an authorization endpoint: its origin plus <c>/</c>.</summary>
    public static string IssuerOf(Uri authorizationEndpoint) => authorizationEndpoint.GetLeftPart(UriPartial.Authority) + "/";

    /// <summary>Parses <c>a=b&amp;c=d</c> (form encoding); null when a name repeats.</summary>
    internal static Dictionary<string, string>? ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..]);
            if (name is null || value is null || !result.TryAdd(name, value))
            {
                return null;
            }
        }
        return result;
    }

    private static string? Decode(string s)
    {
        try
        {
            return Uri.UnescapeDataString(s.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return null;
        }
    }

    private static bool SameIssuer(string received, string expected) =>
        string.Equals(received.TrimEnd('/'), expected.TrimEnd('/'), StringComparison.Ordinal);

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    // Server-chosen text goes into messages and logs: keep it short and printable.
    private static string Printable(string s)
    {
        var cleaned = new string([.. s.Where(c => !char.IsControl(c))]);
        return cleaned.Length > 200 ? cleaned[..200] : cleaned;
    }
}
