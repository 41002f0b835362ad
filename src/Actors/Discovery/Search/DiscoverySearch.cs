using System.Runtime.CompilerServices;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Actors.Discovery.Search;

/// <summary>
/// Discovery search as in eduvpn-common (client rule 20: all languages of names and keywords),
/// with the keyword quirk fixed: a non-matching keyword language no longer hides a matching one.
/// </summary>
public static class DiscoverySearch
{
    /// <summary>Normalised values of each text, computed once per (immutable) text instance.</summary>
    private static readonly ConditionalWeakTable<LocalizedText, string[]> Folded = new();

    /// <summary>
    /// The score of one entry: −1 or −2 when it does not match, otherwise lower is better. Names
    /// score their distance to the query; keywords score twice theirs (at least 2), so a name match
    /// wins over an equally close keyword match.
    /// </summary>
    public static int Score(string query, LocalizedText names, LocalizedText keywords)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(keywords);
        var normalized = NormalizeQuery(query);
        return ScoreNormalized(normalized, Levenshtein.Words(normalized), names, keywords);
    }

    /// <summary>
    /// Servers matching <paramref name="query"/>, best first (stable: ties keep discovery order).
    /// An empty or blank query returns every server in discovery order with score 0.
    /// </summary>
    public static IReadOnlyList<SearchHit<DiscoveryServer>> SearchServers(IReadOnlyList<DiscoveryServer> servers, string? query)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return Search(servers, query, static s => s.DisplayName, static s => s.Keywords);
    }

    /// <summary>
    /// Organizations matching <paramref name="query"/>, best first (stable: ties keep discovery order).
    /// An empty or blank query returns every organization in discovery order with score 0.
    /// </summary>
    public static IReadOnlyList<SearchHit<DiscoveryOrganization>> SearchOrganizations(IReadOnlyList<DiscoveryOrganization> orgs, string? query)
    {
        ArgumentNullException.ThrowIfNull(orgs);
        return Search(orgs, query, static o => o.DisplayName, static o => o.Keywords);
    }

    private static SearchHit<T>[] Search<T>(
        IReadOnlyList<T> items, string? query, Func<T, LocalizedText> names, Func<T, LocalizedText> keywords)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            var all = new SearchHit<T>[items.Count];
            for (var i = 0; i < all.Length; i++)
            {
                all[i] = new SearchHit<T>(items[i], 0);
            }
            return all;
        }

        var normalized = NormalizeQuery(query);
        var words = Levenshtein.Words(normalized);
        var hits = new List<SearchHit<T>>();
        foreach (var item in items)
        {
            var score = ScoreNormalized(normalized, words, names(item), keywords(item));
            if (score >= 0)
            {
                hits.Add(new SearchHit<T>(item, score));
            }
        }
        // OrderBy is a stable sort; List.Sort is not.
        return [.. hits.OrderBy(static h => h.Score)];
    }

    /// <summary>Folds the query and collapses whitespace, so stray spaces do not add distance.</summary>
    private static string NormalizeQuery(string query) =>
        string.Join(' ', TextFolding.Normalize(query).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static int ScoreNormalized(string query, string[] words, LocalizedText names, LocalizedText keywords)
    {
        var nameScore = -1;
        foreach (var name in FoldedValues(names))
        {
            var adjusted = Levenshtein.Adjusted(query, words, name);
            if (adjusted >= 0 && (nameScore < 0 || adjusted < nameScore))
            {
                nameScore = adjusted;
            }
        }

        // −1: no keywords at all; −2: keywords exist but none matches (as upstream reports them).
        var keywordScore = keywords.IsEmpty ? -1 : -2;
        foreach (var keyword in FoldedValues(keywords))
        {
            var adjusted = Levenshtein.Adjusted(query, words, keyword);
            if (adjusted < 0)
            {
                continue;
            }
            var weighted = adjusted == 0 ? 2 : 2 * adjusted;
            if (keywordScore < 0 || weighted < keywordScore)
            {
                keywordScore = weighted;
            }
        }

        if (nameScore >= 0 && keywordScore >= 0)
        {
            return Math.Min(nameScore, keywordScore);
        }
        return nameScore >= 0 ? nameScore : keywordScore;
    }

    private static string[] FoldedValues(LocalizedText text) =>
        text.IsEmpty
            ? []
            : Folded.GetValue(text, static t => [.. t.Values.Values.Select(TextFolding.Normalize)]);
}
