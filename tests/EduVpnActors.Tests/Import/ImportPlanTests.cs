using EduVpnActors.Actors.Import;

namespace EduVpnActors.Tests.Import;

public sealed class ImportPlanTests
{
    [Fact]
    public void Describe_FullV2_OneLinePerServerThenCurrentAndDiscovery()
    {
        var lines = ImportPlan.Describe(StateFiles.Read(StateFiles.FullV2));

        Assert.Equal(
        [
            "eduvpn-common state format v2: 3 server(s)",
            "server institute access https://institute.example.org/ (no profile chosen, 0 known profile(s), never authorized, no expiry)",
            "server secure internet https://idp.example.org/ (location nl, profile 'all', 1 known profile(s), profiles for 2 location(s), authorized 2024-02-01T08:00:00Z, expires 2024-02-08T08:00:00Z)",
            "server custom https://custom.example.org/ (profile 'internet', 2 known profile(s), authorized 2024-03-01T12:34:56Z, expires 2024-03-08T11:34:56Z)",
            "current server: custom https://custom.example.org/",
            "discovery cache: servers v 1700000002 (fetched 2024-03-01T11:00:00Z), organizations v 1700000001 (fetched 2024-03-01T10:00:00Z)",
        ], lines);
    }

    [Fact]
    public void Describe_EmptyState_NoneLines()
    {
        var lines = ImportPlan.Describe(StateFiles.Read("""{"v1":{}}"""));

        Assert.Equal(["eduvpn-common state format v1: 0 server(s)", "current server: none", "discovery cache: none"], lines);
    }

    [Fact]
    public void Describe_OnlyOneCache_OtherNone()
    {
        var lines = ImportPlan.Describe(StateFiles.Read("""{"v2":{"discovery":{"organizations":{"v":5,"organization_list":[{"org_id":"x"}]}}}}"""));
        Assert.Equal("discovery cache: servers none, organizations v 5", lines[^1]);
    }

    [Fact]
    public void Describe_ControlCharactersInIdentifier_Escaped()
    {
        var lines = ImportPlan.Describe(StateFiles.Read("{\"v1\":{\"servers\":{\"custom_servers\":{\"map\":{\"https://a/\\u001b[2J\":{}}}}}}"));
        Assert.Contains(lines, l => l.Contains("https://a/\\u001b[2J", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains('\u001b'));
    }
}
