using System.Text;
using System.Text.Json.Nodes;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Import;
using EduVpnActors.Tests.Import;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>The JSON parsers (discovery lists, well-known, /info, eduvpn-common state.json) under generated input.</summary>
public sealed class JsonDocumentFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void ServerList_GeneratedInputs_ParseOrThrowDiscoveryFormatException()
    {
        var seeds = new[] { TrimmedSnapshot("server_list.json", "server_list", 12), Utf8("""{"v":1,"server_list":[]}""") };
        var counts = FuzzRunner.Run(output, "DiscoveryDocuments.ParseServerList", Mix(seeds),
            input => DiscoveryDocuments.ParseServerList(input.Bytes) is not null,
            e => e is DiscoveryFormatException);

        Assert.True(counts.Accepted > 0, "the structure-aware generator never produced a valid list");
    }

    [Fact]
    public void OrganizationList_GeneratedInputs_ParseOrThrowDiscoveryFormatException()
    {
        var seeds = new[] { TrimmedSnapshot("organization_list.json", "organization_list", 12), Utf8("""{"v":1,"organization_list":[]}""") };
        var counts = FuzzRunner.Run(output, "DiscoveryDocuments.ParseOrganizationList", Mix(seeds),
            input => DiscoveryDocuments.ParseOrganizationList(input.Bytes) is not null,
            e => e is DiscoveryFormatException);

        Assert.True(counts.Accepted > 0, "the structure-aware generator never produced a valid list");
    }

    [Fact]
    public void WellKnown_GeneratedInputs_ParseOrThrowApiException()
    {
        var seeds = new[]
        {
            Utf8("""
                {"api":{"http://eduvpn.org/api#3":{"api_endpoint":"https://vpn.example.org/vpn-user-portal/api/v3",
                "authorization_endpoint":"https://vpn.example.org/vpn-user-portal/oauth/authorize",
                "token_endpoint":"https://vpn.example.org/vpn-user-portal/oauth/token"},
                "http://eduvpn.org/api#2":{"api_endpoint":"https://old"}},"v":"3.4.0-1"}
                """),
            Utf8("""{"api":{"http://eduvpn.org/api#3":{"api_endpoint":"https://[::1]:8443/api","authorization_endpoint":"https://[::1]:8443/a","token_endpoint":"https://[::1]:8443/t"}}}"""),
        };
        var counts = FuzzRunner.Run(output, "WellKnownDocument.Parse", Mix(seeds),
            input => WellKnownDocument.Parse(input.Bytes) is not null,
            e => e is ApiException);

        Assert.True(counts.Accepted > 0, "the structure-aware generator never produced a valid document");
    }

    [Fact]
    public void Info_GeneratedInputs_ParseOrThrowApiException()
    {
        var seeds = new[]
        {
            Utf8("""
                {"info":{"profile_list":[
                  {"profile_id":"internet","display_name":{"en":"Internet","nl":"Internet (NL)"},"default_gateway":true,
                   "vpn_proto_list":["openvpn","wireguard"],"vpn_proto_transport_list":["wireguard+udp","openvpn+tcp"],
                   "dns_search_domain_list":["example.org"]},
                  {"profile_id":"office","display_name":"Office","default_gateway":false,"vpn_proto_list":["wireguard"]}]}}
                """),
            Utf8("""{"info":{"profile_list":null}}"""),
        };
        var counts = FuzzRunner.Run(output, "InfoDocument.Parse", Mix(seeds),
            input => InfoDocument.Parse(input.Bytes) is not null,
            e => e is ApiException);

        Assert.True(counts.Accepted > 0, "the structure-aware generator never produced a valid document");
    }

    [Fact]
    public void EduVpnCommonState_GeneratedInputs_ReadOrThrowStateImportException()
    {
        var seeds = new[]
        {
            Utf8(StateFiles.FullV2),
            Utf8(StateFiles.V1(isSecureInternet: 1)),
            Utf8(StateFiles.V1(isSecureInternet: 0)),
        };
        var counts = FuzzRunner.Run(output, "EduVpnCommonStateReader.Read", Mix(seeds),
            input => EduVpnCommonStateReader.Read(input.Bytes) is not null,
            e => e is StateImportException);

        Assert.True(counts.Accepted > 0, "the structure-aware generator never produced a valid state");
    }

    private static FsCheck.Gen<FuzzInput> Mix(byte[][] seeds) =>
        FuzzGen.Mix(FuzzGen.RandomBytes(), FuzzGen.Mutations(seeds), FuzzGen.StructuredJson(seeds));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The real signed snapshot cut to its first entries, so 10,000 parses stay fast.</summary>
    private static byte[] TrimmedSnapshot(string fileName, string listName, int entries)
    {
        var root = JsonNode.Parse(File.ReadAllBytes(TestPaths.Shared("data", "discovery", fileName)))!.AsObject();
        var list = root[listName]!.AsArray();
        while (list.Count > entries)
        {
            list.RemoveAt(list.Count - 1);
        }
        return Utf8(root.ToJsonString());
    }
}
