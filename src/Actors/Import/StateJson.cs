using System.Collections.Immutable;
using System.Text.Json;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Import;

/// <summary>
/// Typed access to the JSON of a state file with Go's <c>encoding/json</c> rules where they matter:
/// a missing field and <c>null</c> both mean "zero value", a duplicated name keeps the last value,
/// unknown fields are ignored. A wrong JSON type is an error naming the field, never its value.
/// </summary>
internal static class StateJson
{
    public static readonly ImmutableSortedDictionary<string, string> EmptyStrings =
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The last property called <paramref name="name"/>; null when absent or JSON null.</summary>
    public static JsonElement? Property(JsonElement obj, string name)
    {
        JsonElement? found = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (property.NameEquals(name))
            {
                found = property.Value;
            }
        }
        return found is { ValueKind: JsonValueKind.Null } ? null : found;
    }

    /// <summary>The properties of an object in document order, duplicates resolved to the last value.</summary>
    public static IReadOnlyList<(string Name, JsonElement Value)> Members(JsonElement obj)
    {
        var order = new List<string>();
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (!values.ContainsKey(property.Name))
            {
                order.Add(property.Name);
            }
            values[property.Name] = property.Value;
        }
        return order.Select(name => (name, values[name])).ToList();
    }

    public static JsonElement? Object(JsonElement parent, string name, string path)
    {
        var value = Property(parent, name);
        if (value is { } v && v.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(Join(path, name), "expected an object");
        }
        return value;
    }

    public static JsonElement? Array(JsonElement parent, string name, string path)
    {
        var value = Property(parent, name);
        if (value is { } v && v.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(Join(path, name), "expected an array");
        }
        return value;
    }

    public static string String(JsonElement parent, string name, string path) =>
        StringValue(Property(parent, name), Join(path, name));

    public static string StringValue(JsonElement? value, string path) => value switch
    {
        null => "",
        { ValueKind: JsonValueKind.String } v => v.GetString()!,
        _ => throw Invalid(path, "expected a string"),
    };

    public static bool Bool(JsonElement parent, string name, string path) => Property(parent, name) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw Invalid(Join(path, name), "expected true or false"),
    };

    public static ulong UInt64(JsonElement parent, string name, string path) => Property(parent, name) switch
    {
        null => 0,
        { ValueKind: JsonValueKind.Number } v when v.TryGetUInt64(out var n) => n,
        _ => throw Invalid(Join(path, name), "expected an unsigned integer"),
    };

    public static long Int64(JsonElement parent, string name, string path) => Property(parent, name) switch
    {
        null => 0,
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out var n) => n,
        _ => throw Invalid(Join(path, name), "expected an integer"),
    };

    /// <summary>A Go <c>time.Time</c>; null for the zero time, for a missing field and for JSON null.</summary>
    public static DateTimeOffset? Time(JsonElement parent, string name, string path)
    {
        var field = Join(path, name);
        return Property(parent, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } v when GoTime.TryParse(v.GetString()!, out var time) => time,
            { ValueKind: JsonValueKind.String } =>
                throw new StateImportException(StateImportErrorKind.InvalidTime, field, "not an RFC 3339 time"),
            _ => throw new StateImportException(StateImportErrorKind.InvalidTime, field, "expected an RFC 3339 time string"),
        };
    }

    /// <summary>An object of strings, e.g. <c>location_profiles</c>.</summary>
    public static ImmutableSortedDictionary<string, string> StringMap(JsonElement parent, string name, string path)
    {
        var field = Join(path, name);
        var obj = Object(parent, name, path);
        if (obj is not { } o)
        {
            return EmptyStrings;
        }
        var builder = EmptyStrings.ToBuilder();
        foreach (var (key, value) in Members(o))
        {
            builder[key] = StringValue(value.ValueKind == JsonValueKind.Null ? null : value, Index(field, key));
        }
        return builder.ToImmutable();
    }

    /// <summary>A display name: a map of language → text, or a bare string meaning English.</summary>
    public static LocalizedText Localized(JsonElement parent, string name, string path)
    {
        var value = Property(parent, name);
        return value switch
        {
            null => LocalizedText.Empty,
            { ValueKind: JsonValueKind.String } v => LocalizedText.English(v.GetString()!),
            { ValueKind: JsonValueKind.Object } => new LocalizedText(StringMap(parent, name, path)),
            _ => throw Invalid(Join(path, name), "expected a string or an object of strings"),
        };
    }

    /// <summary>A server type as a JSON value: an integer 0..3 or a legacy name (§0).</summary>
    public static void CheckServerType(JsonElement parent, string name, string path)
    {
        var field = Join(path, name);
        switch (Property(parent, name))
        {
            case null:
                return;
            case { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out var n):
                if (n is < (int)ServerType.Unknown or > (int)ServerType.Custom)
                {
                    throw new StateImportException(StateImportErrorKind.InvalidServerType, field, $"invalid server type: {n}");
                }
                return;
            case { ValueKind: JsonValueKind.String } v
                when v.ValueEquals("institute_access") || v.ValueEquals("secure_internet") || v.ValueEquals("custom_server"):
                return;
            default:
                throw new StateImportException(StateImportErrorKind.InvalidServerType, field, "invalid server type");
        }
    }

    public static string Join(string path, string name) => $"{path}.{name}";

    public static string Index(string path, string key) => $"{path}[{JsonSerializer.Serialize(key)}]";

    public static StateImportException Invalid(string field, string message) =>
        new(StateImportErrorKind.InvalidField, field, message);
}
