using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Discovery.Search;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Tests.Discovery.Search;

/// <summary>Ranking properties on the real discovery snapshot.</summary>
public sealed class RealDataSearchTests
{
    private static readonly Lazy<OrganizationList> Organizations = new(() =>
        DiscoveryDocuments.ParseOrganizationList(File.ReadAllBytes(TestPaths.Shared("data", "discovery", "organization_list.json"))));

    private static readonly Lazy<ServerList> Servers = new(() =>
        DiscoveryDocuments.ParseServerList(File.ReadAllBytes(TestPaths.Shared("data", "discovery", "server_list.json"))));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptyQuery_Organizations_AllInDiscoveryOrderWithScoreZero(string? query)
    {
        var hits = DiscoverySearch.SearchOrganizations(Organizations.Value.Organizations, query);

        Assert.Equal(Organizations.Value.Organizations, hits.Select(h => h.Item));
        Assert.All(hits, h => Assert.Equal(0, h.Score));
    }

    [Fact]
    public void EmptyQuery_Servers_AllInDiscoveryOrder()
    {
        var hits = DiscoverySearch.SearchServers(Servers.Value.Servers, "");

        Assert.Equal(Servers.Value.Servers, hits.Select(h => h.Item));
    }

    [Fact]
    public void Amsterdam_Organizations_NamesWithAmsterdamComeFirst()
    {
        var hits = DiscoverySearch.SearchOrganizations(Organizations.Value.Organizations, "amsterdam");

        Assert.NotEmpty(hits);
        Assert.Contains("Amsterdam", LanguageMatcher.Display(hits[0].Item.DisplayName, "en"), StringComparison.Ordinal);
        AssertNameMatchesFirst(hits, "amsterdam", h => h.Item.DisplayName);
        AssertEveryHitContains(hits, ["amsterdam"], h => h.Item.DisplayName, h => h.Item.Keywords);
    }

    [Fact]
    public void Utrecht_Organizations_NameMatchesBeforeKeywordOnlyMatches()
    {
        var hits = DiscoverySearch.SearchOrganizations(Organizations.Value.Organizations, "Utrecht");

        Assert.True(hits.Count >= 3);
        Assert.Equal("Hogeschool Utrecht", LanguageMatcher.Display(hits[0].Item.DisplayName, "nl"));
        AssertNameMatchesFirst(hits, "utrecht", h => h.Item.DisplayName);
        // Prinses Máxima Centrum only has Utrecht among its keywords.
        Assert.Contains(hits, h => LanguageMatcher.Display(h.Item.DisplayName, "en") == "Prinses Máxima Centrum");
    }

    [Fact]
    public void ExactName_Organizations_RanksFirstWithScoreZero()
    {
        var hits = DiscoverySearch.SearchOrganizations(Organizations.Value.Organizations, "surf");

        Assert.Equal("SURF", LanguageMatcher.Display(hits[0].Item.DisplayName, "en"));
        Assert.Equal(0, hits[0].Score);
    }

    [Fact]
    public void DiacriticsInQueryOrData_Servers_StillMatch()
    {
        var plain = DiscoverySearch.SearchServers(Servers.Value.Servers, "geant");
        var accented = DiscoverySearch.SearchServers(Servers.Value.Servers, "GÉANT");

        Assert.Equal("GÉANT", LanguageMatcher.Display(plain[0].Item.DisplayName, "en"));
        Assert.Equal(plain, accented);
    }

    [Fact]
    public void TwoWords_Organizations_EveryHitContainsBothWords()
    {
        var hits = DiscoverySearch.SearchOrganizations(Organizations.Value.Organizations, "hogeschool   utrecht");

        Assert.NotEmpty(hits);
        AssertEveryHitContains(hits, ["hogeschool", "utrecht"], h => h.Item.DisplayName, h => h.Item.Keywords);
        Assert.Equal("Hogeschool Utrecht", LanguageMatcher.Display(hits[0].Item.DisplayName, "nl"));
    }

    [Fact]
    public void TuDelft_Servers_FindsDelftThroughKeywords()
    {
        var hits = DiscoverySearch.SearchServers(Servers.Value.Servers, "tu delft");

        var hit = Assert.Single(hits);
        Assert.Equal("Delft University of Technology", LanguageMatcher.Display(hit.Item.DisplayName, "en"));
    }

    [Fact]
    public void University_Organizations_SortedAscendingAndStableAmongTies()
    {
        var all = Organizations.Value.Organizations;
        var hits = DiscoverySearch.SearchOrganizations(all, "university");

        Assert.True(hits.Count > 20);
        Assert.All(hits, h => Assert.True(h.Score >= 0));
        for (var i = 1; i < hits.Count; i++)
        {
            Assert.True(hits[i - 1].Score <= hits[i].Score);
            if (hits[i - 1].Score == hits[i].Score)
            {
                Assert.True(IndexOf(all, hits[i - 1].Item) < IndexOf(all, hits[i].Item), "ties keep discovery order");
            }
        }
    }

    [Fact]
    public void NonsenseQuery_Organizations_NoHits()
    {
        Assert.Empty(DiscoverySearch.SearchOrganizations(Organizations.Value.Organizations, "qqxzzyq"));
    }

    private static int IndexOf(IReadOnlyList<DiscoveryOrganization> list, DiscoveryOrganization item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], item))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool Contains(LocalizedText text, string word) =>
        text.Values.Values.Any(v => TextFolding.Normalize(v).Contains(word, StringComparison.Ordinal));

    /// <summary>Every hit whose name contains the word ranks before every hit that matched only by keyword.</summary>
    private static void AssertNameMatchesFirst<T>(IReadOnlyList<SearchHit<T>> hits, string word, Func<SearchHit<T>, LocalizedText> names)
    {
        var seenKeywordOnly = false;
        foreach (var hit in hits)
        {
            var byName = Contains(names(hit), word);
            Assert.False(byName && seenKeywordOnly, "a name match ranks after a keyword-only match");
            seenKeywordOnly |= !byName;
        }
    }

    private static void AssertEveryHitContains<T>(
        IReadOnlyList<SearchHit<T>> hits, string[] words, Func<SearchHit<T>, LocalizedText> names, Func<SearchHit<T>, LocalizedText> keywords)
    {
        Assert.All(hits, hit => Assert.True(
            words.All(w => Contains(names(hit), w)) || words.All(w => Contains(keywords(hit), w)),
            "every word is in one name or one keyword text"));
    }
}
