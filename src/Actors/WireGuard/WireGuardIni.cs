using System.Text;

namespace EduVpnActors.Actors.WireGuard;

/// <summary>
/// The small INI dialect of eduvpn-common's WireGuard rewrite (behaviour reference §7.2): lines
/// trimmed; empty and <c>#</c> lines skipped; <c>[name]</c> opens (or re-opens) a section; lines
/// before the first section and lines without a usable key are ignored; a duplicate key keeps its
/// first value; names are case-sensitive. Serialises without comments or blank lines.
/// </summary>
public sealed class WireGuardIni
{
    private readonly List<IniSection> _sections = [];

    /// <summary>The sections in first-seen order.</summary>
    public IReadOnlyList<IniSection> Sections => _sections;

    /// <summary>Whether no section was found.</summary>
    public bool IsEmpty => _sections.Count == 0;

    /// <summary>Parses <paramref name="text"/>; never fails, invalid lines are skipped.</summary>
    public static WireGuardIni Parse(string text)
    {
        var ini = new WireGuardIni();
        IniSection? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line.StartsWith('[') && line.EndsWith(']') && line.Length >= 2)
            {
                var name = line[1..^1].Trim();
                if (name.Length > 0)
                {
                    current = ini.Section(name) ?? ini.AddSection(name);
                }
                continue;
            }
            if (current is null || !TryParseKeyValue(line, out var key, out var value, out _))
            {
                continue;
            }
            current.AddIfAbsent(key, value);
        }
        return ini;
    }

    /// <summary>Splits one line at its first <c>=</c>; throws for a line without one or with an empty key.</summary>
    public static KeyValuePair<string, string> ParseKeyValue(string line) =>
        TryParseKeyValue(line, out var key, out var value, out var error)
            ? new(key, value)
            : throw new WireGuardConfigException(error.GetValueOrDefault(), error == WireGuardErrorKind.EmptyKey ? "key cannot be empty" : "no key/value found");

    /// <summary>The section named exactly <paramref name="name"/>, or null.</summary>
    public IniSection? Section(string name) => _sections.Find(s => s.Name == name);

    /// <summary>The section named <paramref name="name"/>, or a <see cref="WireGuardErrorKind.MissingSection"/> failure.</summary>
    public IniSection RequireSection(string name) =>
        Section(name) ?? throw new WireGuardConfigException(WireGuardErrorKind.MissingSection, $"section: '{name}' does not exist");

    /// <summary>Appends a new empty section.</summary>
    public IniSection AddSection(string name)
    {
        var section = new IniSection(name);
        _sections.Add(section);
        return section;
    }

    /// <summary><c>[Name]\n</c>, then <c>Key = Value\n</c> (<c>Key =\n</c> for an empty value) per section.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var section in _sections)
        {
            sb.Append('[').Append(section.Name).Append("]\n");
            foreach (var (key, value) in section.Entries)
            {
                sb.Append(key).Append(value.Length == 0 ? " =" : " = ").Append(value).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static bool TryParseKeyValue(string line, out string key, out string value, out WireGuardErrorKind? error)
    {
        key = value = "";
        var eq = line.IndexOf('=');
        if (eq < 0)
        {
            error = WireGuardErrorKind.NoKeyValue;
            return false;
        }
        key = line[..eq].Trim();
        if (key.Length == 0)
        {
            error = WireGuardErrorKind.EmptyKey;
            return false;
        }
        value = line[(eq + 1)..].Trim();
        error = null;
        return true;
    }
}

/// <summary>One INI section: ordered, unique keys.</summary>
public sealed class IniSection
{
    private readonly List<KeyValuePair<string, string>> _entries = [];

    internal IniSection(string name) => Name = name;

    /// <summary>The section name (without brackets).</summary>
    public string Name { get; }

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entries;

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key)
    {
        var i = IndexOf(key);
        return i < 0 ? null : _entries[i].Value;
    }

    /// <summary>Replaces the value in place, or appends the key at the end of the section.</summary>
    public void Set(string key, string value)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            _entries.Add(new(key, value));
        }
        else
        {
            _entries[i] = new(key, value);
        }
    }

    /// <summary>Removes <paramref name="key"/> and returns its value; a missing key is a <see cref="WireGuardErrorKind.MissingKey"/> failure.</summary>
    public string Remove(string key)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            throw new WireGuardConfigException(WireGuardErrorKind.MissingKey, $"no key to remove with name: '{key}'");
        }
        var value = _entries[i].Value;
        _entries.RemoveAt(i);
        return value;
    }

    internal void AddIfAbsent(string key, string value)
    {
        if (IndexOf(key) < 0)
        {
            _entries.Add(new(key, value));
        }
    }

    private int IndexOf(string key) => _entries.FindIndex(e => e.Key == key);
}
