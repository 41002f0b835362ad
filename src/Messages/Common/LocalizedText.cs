using System.Collections.Immutable;

namespace EduVpnActors.Messages.Common;

/// <summary>
/// A text in several languages keyed by BCP-47 tag, as discovery's <c>display_name</c> and
/// <c>keyword_list</c>. A bare string in a document becomes the single entry <c>en</c>.
/// </summary>
public sealed record LocalizedText(ImmutableSortedDictionary<string, string> Values)
{
    /// <summary>No text in any language.</summary>
    public static readonly LocalizedText Empty = new(ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>A text known only in English (or language-less).</summary>
    public static LocalizedText English(string text) =>
        new(ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal).Add("en", text));

    /// <summary>Whether no language has a value.</summary>
    public bool IsEmpty => Values.Count == 0;

    /// <inheritdoc />
    public bool Equals(LocalizedText? other) =>
        other is not null && Values.Count == other.Values.Count
        && Values.All(kv => other.Values.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <inheritdoc />
    public override int GetHashCode() => Values.Aggregate(Values.Count, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));
}
