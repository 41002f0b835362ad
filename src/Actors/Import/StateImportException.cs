namespace EduVpnActors.Actors.Import;

/// <summary>Why an eduvpn-common <c>state.json</c> could not be imported.</summary>
public enum StateImportErrorKind
{
    /// <summary>The file does not exist.</summary>
    FileNotFound,
    /// <summary>The path is a directory or another non-regular file.</summary>
    NotARegularFile,
    /// <summary>The file could not be read (permissions, I/O).</summary>
    Unreadable,
    /// <summary>The input is larger than <see cref="EduVpnCommonStateReader.MaxStateBytes"/>.</summary>
    TooLarge,
    /// <summary>The input is empty or not well-formed JSON.</summary>
    NotJson,
    /// <summary>Valid JSON, but neither a <c>v2</c> nor a <c>v1</c> state object.</summary>
    UnknownFormat,
    /// <summary>A server key is not <c>&lt;type&gt;,&lt;id&gt;</c>.</summary>
    InvalidServerKey,
    /// <summary>A server type number or name is not one eduvpn-common knows.</summary>
    InvalidServerType,
    /// <summary>A time is not an RFC 3339 time Go could have written.</summary>
    InvalidTime,
    /// <summary>A field has the wrong JSON type or an impossible value.</summary>
    InvalidField,
}

/// <summary>
/// A state file that cannot be imported. The message names the field (a JSON path) but never
/// echoes field values, so an unexpected secret in the file cannot leak into logs.
/// </summary>
public sealed class StateImportException : Exception
{
    /// <summary>Creates the exception for a failure of <paramref name="kind"/> (at <paramref name="field"/> when known).</summary>
    public StateImportException(StateImportErrorKind kind, string? field, string message, Exception? inner = null)
        : base(field is null ? message : $"{field}: {message}", inner)
    {
        Kind = kind;
        Field = field;
    }

    /// <summary>The category of the problem.</summary>
    public StateImportErrorKind Kind { get; }

    /// <summary>The JSON path of the offending field, when there is one.</summary>
    public string? Field { get; }
}
