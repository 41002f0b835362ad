using System.Text;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Discovery.Documents;

public sealed class DiscoveryDocumentsTests
{
    private const long SnapshotVersion = 1671801755;

    [Fact]
    public void RealServerList_Parsed_HasAllServersByType()
    {
        var list = DiscoveryDocuments.ParseServerList(ReadReal("server_list.json"));

        Assert.Equal(SnapshotVersion, list.Version);
        Assert.Equal(131, list.Servers.Count);
        Assert.Equal(117, list.Servers.Count(s => s.Type == ServerType.InstituteAccess));
        Assert.Equal(14, list.Servers.Count(s => s.Type == ServerType.SecureInternet));
        Assert.All(list.Servers.Where(s => s.Type == ServerType.SecureInternet), s => Assert.Matches("^[A-Z]{2}$", s.CountryCode));
        Assert.All(list.Servers, s => Assert.StartsWith("https://", s.BaseUrl, StringComparison.Ordinal));
    }

    [Fact]
    public void RealServerList_FirstSecureServer_HasAllFields()
    {
        var list = DiscoveryDocuments.ParseServerList(ReadReal("server_list.json"));

        var funet = Assert.Single(list.Servers, s => s.BaseUrl == "https://eduvpn1.funet.fi/");
        Assert.Equal(ServerType.SecureInternet, funet.Type);
        Assert.Equal("FI", funet.CountryCode);
        Assert.Equal("https://eduvpn1.funet.fi/Shibboleth.sso/Login?entityID=@ORG_ID@&target=@RETURN_TO@", funet.AuthenticationUrlTemplate);
        Assert.Equal(["mailto:eduvpn@csc.fi"], funet.SupportContacts);
        Assert.Single(funet.PublicKeys);
        Assert.True(funet.DisplayName.IsEmpty);
    }

    [Fact]
    public void RealServerList_DisplayNameAsStringAndAsMap_BothKept()
    {
        var list = DiscoveryDocuments.ParseServerList(ReadReal("server_list.json"));

        var institutes = list.Servers.Where(s => s.Type == ServerType.InstituteAccess).ToList();
        Assert.Contains(institutes, s => s.DisplayName.Values.Count == 1 && s.DisplayName.Values.ContainsKey("en"));
        Assert.Contains(institutes, s => s.DisplayName.Values.Count > 1);
        Assert.All(institutes, s => Assert.False(s.DisplayName.IsEmpty));
        Assert.All(institutes, s => Assert.Equal("", s.CountryCode));
    }

    [Fact]
    public void RealOrganizationList_Parsed_HasAllOrganizations()
    {
        var list = DiscoveryDocuments.ParseOrganizationList(ReadReal("organization_list.json"));

        Assert.Equal(SnapshotVersion, list.Version);
        Assert.Equal(857, list.Organizations.Count);
        Assert.All(list.Organizations, o => Assert.False(string.IsNullOrEmpty(o.OrgId)));
        Assert.All(list.Organizations, o => Assert.StartsWith("https://", o.SecureInternetHome, StringComparison.Ordinal));
        var surf = Assert.Single(list.Organizations, o => o.DisplayName.Values.GetValueOrDefault("en") == "SURF");
        Assert.Contains("surfnet", surf.Keywords.Values["en"], StringComparison.Ordinal);
    }

    [Fact]
    public void RealOrganizationList_ParsedTwice_GivesEqualButSeparateValues()
    {
        var bytes = ReadReal("organization_list.json");

        var first = DiscoveryDocuments.ParseOrganizationList(bytes);
        var second = DiscoveryDocuments.ParseOrganizationList(bytes);

        Assert.Equal(first, second);
        Assert.NotSame(first.Organizations, second.Organizations);
    }

    [Fact]
    public void LocalizedFields_StringOrMapOrAbsent_AreNormalised()
    {
        var list = DiscoveryDocuments.ParseServerList(Utf8("""
            {"v": 5, "server_list": [
              {"base_url": "https://a.example/", "server_type": "institute_access", "display_name": "Alpha", "keyword_list": "one two"},
              {"base_url": "https://b.example/", "server_type": "institute_access", "display_name": {"nl": "Bèta", "en": "Beta"}, "keyword_list": {"en": "kw"}},
              {"base_url": "https://c.example/", "server_type": "secure_internet", "country_code": "NL", "display_name": null}
            ]}
            """));

        Assert.Equal(5, list.Version);
        Assert.Equal(LocalizedText.English("Alpha"), list.Servers[0].DisplayName);
        Assert.Equal(LocalizedText.English("one two"), list.Servers[0].Keywords);
        Assert.Equal("Bèta", list.Servers[1].DisplayName.Values["nl"]);
        Assert.Equal("Beta", list.Servers[1].DisplayName.Values["en"]);
        Assert.Equal(LocalizedText.Empty, list.Servers[2].DisplayName);
        Assert.Equal(LocalizedText.Empty, list.Servers[2].Keywords);
        Assert.Equal("NL", list.Servers[2].CountryCode);
        Assert.Null(list.Servers[2].AuthenticationUrlTemplate);
        Assert.Empty(list.Servers[2].SupportContacts);
        Assert.Equal("", list.Servers[0].CountryCode);
    }

    [Fact]
    public void UnknownServerType_Parsed_EntryIsSkipped()
    {
        var list = DiscoveryDocuments.ParseServerList(Utf8("""
            {"v": 1, "server_list": [
              {"base_url": "https://a.example/", "server_type": "future_type"},
              {"base_url": "https://b.example/", "server_type": "institute_access", "new_field": [1, {"x": 2}]}
            ]}
            """));

        var server = Assert.Single(list.Servers);
        Assert.Equal("https://b.example/", server.BaseUrl);
    }

    [Fact]
    public void OrganizationList_StringDisplayName_BecomesEnglish()
    {
        var list = DiscoveryDocuments.ParseOrganizationList(Utf8("""
            {"v": 2, "organization_list": [{"org_id": "id", "display_name": "Org", "secure_internet_home": "https://h.example/"}]}
            """));

        var org = Assert.Single(list.Organizations);
        Assert.Equal(new DiscoveryOrganization("id", LocalizedText.English("Org"), LocalizedText.Empty, "https://h.example/"), org);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"v\": 1, \"server_list\": [", "not valid JSON")]
    [InlineData("{\"v\": 1, \"server_list\": []} {}", "not valid JSON")]
    [InlineData("[]", "the document is not a JSON object")]
    [InlineData("{\"server_list\": []}", "'v' is missing")]
    [InlineData("{\"v\": \"1\", \"server_list\": []}", "'v' is not a non-negative integer")]
    [InlineData("{\"v\": -1, \"server_list\": []}", "'v' is not a non-negative integer")]
    [InlineData("{\"v\": 1.5, \"server_list\": []}", "'v' is not a non-negative integer")]
    [InlineData("{\"v\": 1}", "'server_list' is missing")]
    [InlineData("{\"v\": 1, \"server_list\": {}}", "'server_list' in the document is not an array")]
    [InlineData("{\"v\": 1, \"server_list\": [1]}", "server_list[0] is not a JSON object")]
    [InlineData("{\"v\": 1, \"server_list\": [{\"server_type\": \"institute_access\"}]}", "server_list[0]: 'base_url' is missing")]
    [InlineData("{\"v\": 1, \"server_list\": [{\"base_url\": \"https://a/\"}]}", "server_list[0]: 'server_type' is missing")]
    [InlineData("{\"v\": 1, \"server_list\": [{\"base_url\": \"https://a/\", \"server_type\": 1}]}", "'server_type' is not a string")]
    [InlineData("{\"v\": 1, \"server_list\": [{\"base_url\": 5, \"server_type\": \"institute_access\"}]}", "'base_url' is not a string")]
    [InlineData("{\"v\": 1, \"server_list\": [{\"base_url\": \"https://a/\", \"server_type\": \"institute_access\", \"display_name\": 3}]}", "'display_name' is neither")]
    [InlineData("{\"v\": 1, \"server_list\": [{\"base_url\": \"https://a/\", \"server_type\": \"institute_access\", \"keyword_list\": {\"en\": 3}}]}", "'keyword_list' has a non-string value")]
    [InlineData("{\"v\": 1, \"server_list\": [{\"base_url\": \"https://a/\", \"server_type\": \"institute_access\", \"support_contact\": \"x\"}]}", "'support_contact' is not an array")]
    [InlineData("{\"v\": 1, \"server_list\": [{\"base_url\": \"https://a/\", \"server_type\": \"institute_access\", \"public_key_list\": [1]}]}", "'public_key_list' holds a non-string")]
    public void MalformedServerList_Parsed_ThrowsFormatExceptionNamingTheProblem(string json, string expectedProblem)
    {
        var error = Assert.Throws<DiscoveryFormatException>(() => DiscoveryDocuments.ParseServerList(Utf8(json)));

        Assert.Equal("server_list.json", error.FileName);
        Assert.Contains(expectedProblem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"v\": 1}", "'organization_list' is missing")]
    [InlineData("{\"v\": 1, \"organization_list\": [{\"secure_internet_home\": \"https://h/\"}]}", "organization_list[0]: 'org_id' is missing")]
    [InlineData("{\"v\": 1, \"organization_list\": [{\"org_id\": \"x\"}]}", "organization_list[0]: 'secure_internet_home' is missing")]
    [InlineData("{\"v\": 1, \"organization_list\": [{\"org_id\": \"x\", \"secure_internet_home\": \"https://h/\", \"display_name\": [\"a\"]}]}", "'display_name' is neither")]
    public void MalformedOrganizationList_Parsed_ThrowsFormatException(string json, string expectedProblem)
    {
        var error = Assert.Throws<DiscoveryFormatException>(() => DiscoveryDocuments.ParseOrganizationList(Utf8(json)));

        Assert.Equal("organization_list.json", error.FileName);
        Assert.Contains(expectedProblem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(30000)]
    public void RealServerList_Truncated_ThrowsFormatExceptionWithoutContent(int length)
    {
        var truncated = ReadReal("server_list.json")[..length];

        var error = Assert.Throws<DiscoveryFormatException>(() => DiscoveryDocuments.ParseServerList(truncated));

        Assert.StartsWith("server_list.json: not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerListDocument_ParsedAsOrganizationList_ThrowsFormatException()
    {
        var error = Assert.Throws<DiscoveryFormatException>(() =>
            DiscoveryDocuments.ParseOrganizationList(ReadReal("server_list.json")));

        Assert.Contains("'organization_list' is missing", error.Message, StringComparison.Ordinal);
    }

    private static byte[] ReadReal(string name) => File.ReadAllBytes(TestPaths.Shared("data", "discovery", name));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
