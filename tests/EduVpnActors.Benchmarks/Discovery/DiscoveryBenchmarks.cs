using System.Text;
using BenchmarkDotNet.Attributes;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Discovery.Search;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Benchmarks.Discovery;

/// <summary>
/// Discovery search, parsing and signature verification on the real snapshot in ../shared.
/// Run: dotnet run -c Release --project tests/EduVpnActors.Benchmarks -- --filter '*DiscoveryBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class DiscoveryBenchmarks
{
    private byte[] _serverBytes = [];
    private byte[] _organizationBytes = [];
    private string _serverSignature = "";
    private string _organizationSignature = "";
    private ServerList _servers = ServerList.Empty;
    private OrganizationList _organizations = OrganizationList.Empty;
    private MinisignVerifier _verifier = null!;

    /// <summary>
    /// A short prefix, a common word, a multi-word query, an accented one, and a miss. Passed as
    /// arguments rather than [Params] so the verification and parsing benchmarks run only once.
    /// </summary>
    public static IEnumerable<string> Queries => ["uni", "amsterdam", "hogeschool utrecht", "GÉANT", "qqxzzyq"];

    [GlobalSetup]
    public void Setup()
    {
        _serverBytes = File.ReadAllBytes(SnapshotPath("server_list.json"));
        _organizationBytes = File.ReadAllBytes(SnapshotPath("organization_list.json"));
        _serverSignature = Encoding.UTF8.GetString(File.ReadAllBytes(SnapshotPath("server_list.json.minisig")));
        _organizationSignature = Encoding.UTF8.GetString(File.ReadAllBytes(SnapshotPath("organization_list.json.minisig")));
        _servers = DiscoveryDocuments.ParseServerList(_serverBytes);
        _organizations = DiscoveryDocuments.ParseOrganizationList(_organizationBytes);
        _verifier = new MinisignVerifier(MinisignVerifier.ProductionKeys, requirePrehashed: false);
    }

    [Benchmark]
    [ArgumentsSource(nameof(Queries))]
    public int SearchOrganizations(string query) => DiscoverySearch.SearchOrganizations(_organizations.Organizations, query).Count;

    [Benchmark]
    [ArgumentsSource(nameof(Queries))]
    public int SearchServers(string query) => DiscoverySearch.SearchServers(_servers.Servers, query).Count;

    [Benchmark]
    public ulong VerifyServerList() =>
        _verifier.Verify(_serverBytes, _serverSignature, "server_list.json", 0).Timestamp;

    [Benchmark]
    public ulong VerifyOrganizationList() =>
        _verifier.Verify(_organizationBytes, _organizationSignature, "organization_list.json", 0).Timestamp;

    [Benchmark]
    public int ParseOrganizationList() => DiscoveryDocuments.ParseOrganizationList(_organizationBytes).Organizations.Count;

    private static string SnapshotPath(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EduVpnActors.sln")))
            {
                return Path.Combine(dir.FullName, "..", "shared", "data", "discovery", file);
            }
        }
        throw new InvalidOperationException("EduVpnActors.sln not found above the benchmark binaries.");
    }
}
