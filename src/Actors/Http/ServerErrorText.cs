using System.Text;
using System.Text.Json;

namespace EduVpnActors.Actors.Http;

/// <summary>
/// The server's own words about a failed request (client rule 32: shown and logged, for support): the
/// <c>error</c> of a JSON error body (with its <c>error_description</c>), or a short plain-text body. It is
/// data, never parsed for meaning (the engine branches on the status), capped at <see cref="MaxLength"/>
/// characters; whoever prints it escapes it (<see cref="Display.TerminalText"/>).
/// </summary>
public static class ServerErrorText
{
    /// <summary>The longest text kept; a longer one is cut and ends in "…".</summary>
    public const int MaxLength = 300;

    /// <summary>
    /// The server's message in <paramref name="body"/> (of media type <paramref name="contentType"/>), or null.
    /// Any of <paramref name="secrets"/> (the tokens or code the request carried) that a server echoes back
    /// becomes <c>***</c>: the text is logged and shown, secrets never are.
    /// </summary>
    public static string? From(byte[] body, string? contentType, params string?[] secrets)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(secrets);
        // HTML error pages carry markup, not a message; only plain text is taken as it is.
        var text = FromJson(body) ?? (string.Equals(contentType, "text/plain", StringComparison.OrdinalIgnoreCase)
            ? Cap(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxLength * 4)))
            : null);
        foreach (var secret in secrets)
        {
            if (text is not null && !string.IsNullOrEmpty(secret))
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }
        return text;
    }

    private static string? FromJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var error = Field(root, "error");
            var description = Field(root, "error_description");
            return error is null ? Cap(description) : Cap(description is null ? error : $"{error}: {description}");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Field(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    private static string? Cap(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (text.Length <= MaxLength)
        {
            return text;
        }
        // Never cut a surrogate pair in two.
        var end = char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return string.Concat(text.AsSpan(0, end), "…");
    }
}
