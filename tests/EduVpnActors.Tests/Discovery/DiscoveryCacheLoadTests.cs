using System.Text.Json.Nodes;
using Akka.Actor;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Tests.Discovery;

/// <summary>
/// The cached lists are verified again in every run, each when that run first needs it: a damaged stored copy is
/// set aside (and the discard journaled) when it is asked for, and a run that never asks for it does not check it.
/// </summary>
public sealed class DiscoveryCacheLoadTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly TempDataDirectory _dataDir = new();
    private readonly EngineHttpClient _http = new(TestCertificate.TrustingPolicy());
    private DiscoveryTestServer _server = null!;

    public async Task InitializeAsync() => _server = await DiscoveryTestServer.StartWithSnapshotAsync(DateTimeOffset.UtcNow.AddDays(-1));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        _dataDir.Dispose();
    }

    [Fact]
    public async Task TamperedOrganizationList_ServerListStillFromTheCache_OrganizationListSetAsideWhenAskedFor()
    {
        await RunAsync("fetching", async discovery =>
        {
            Assert.Equal(DiscoverySource.Network, (await discovery.Ask<ServerListResponse>(new GetServerList(), Wait)).Status.Source);
            Assert.Equal(DiscoverySource.Network, (await discovery.Ask<OrganizationListResponse>(new GetOrganizationList(), Wait)).Status.Source);
        });
        await _server.StopAsync();
        Assert.True(TamperStoredOrganizationList() > 0);

        await RunAsync("loading", async discovery =>
        {
            var servers = await discovery.Ask<ServerListResponse>(new GetServerList(AllowRefresh: false), Wait);
            Assert.Equal(DiscoverySource.Cache, servers.Status.Source);
            // The start-up refresh may have failed (discovery is down): that warning, never a damaged cache.
            Assert.NotEqual(DiscoveryWarningKind.DamagedCache, servers.Status.Warning?.Kind);
            Assert.Equal(0, RowsOf("discovery-list-discarded.v1"));

            // Set aside now: with no usable copy held the engine asks the network (down) and answers from the shipped snapshot.
            var organizations = await discovery.Ask<OrganizationListResponse>(new GetOrganizationList(AllowRefresh: false), Wait);
            Assert.Equal(DiscoverySource.Bundled, organizations.Status.Source);
            await Eventually.HoldsAsync(() => RowsOf("discovery-list-discarded.v1") == 1, Wait, "the discard was never journaled");
        });

        await RunAsync("after the discard", async discovery =>
        {
            var organizations = await discovery.Ask<OrganizationListResponse>(new GetOrganizationList(AllowRefresh: false), Wait);
            Assert.Equal(DiscoverySource.Bundled, organizations.Status.Source);
            Assert.Equal(1, RowsOf("discovery-list-discarded.v1"));
        });
    }

    private async Task RunAsync(string name, Func<IActorRef, Task> body)
    {
        var system = ActorSystem.Create(name.Replace(' ', '-'), EngineTestConfig.OnSqlite(_dataDir.Path));
        try
        {
            var settings = new DiscoverySettings(_server.BaseUrl, MinisignVerifier.ProductionKeys, false, TimeSpan.FromHours(1), 20);
            await body(system.ActorOf(DiscoveryActor.Props(settings, _http)));
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Changes one byte of every stored organization list document (journal and snapshot rows); returns how many.</summary>
    private int TamperStoredOrganizationList()
    {
        using var connection = Open();
        var rows = new List<(string Table, string Key, long Sequence, byte[] Payload)>();
        foreach (var (table, column) in new[] { ("journal", "message"), ("snapshot", "snapshot") })
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT persistence_id, sequence_number, {column} FROM {table}";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var json = JsonNode.Parse(reader.GetFieldValue<byte[]>(2));
                if (json is not null && Tamper(json))
                {
                    rows.Add((table, reader.GetString(0), reader.GetInt64(1), System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
                }
            }
        }
        foreach (var (table, key, sequence, payload) in rows)
        {
            using var update = connection.CreateCommand();
            update.CommandText = $"UPDATE {table} SET {(table == "journal" ? "message" : "snapshot")} = $p WHERE persistence_id = $id AND sequence_number = $n";
            update.Parameters.AddWithValue("$p", payload);
            update.Parameters.AddWithValue("$id", key);
            update.Parameters.AddWithValue("$n", sequence);
            update.ExecuteNonQuery();
        }
        return rows.Count;
    }

    /// <summary>Flips a letter in the middle of each organization list document under <paramref name="node"/>.</summary>
    private static bool Tamper(JsonNode node)
    {
        var changed = false;
        if (node is JsonObject obj)
        {
            if ((string?)obj["kind"] == "organizations" && obj["document"] is JsonValue document)
            {
                var bytes = Convert.FromBase64String((string)document!);
                var middle = Array.FindIndex(bytes, bytes.Length / 2, b => b is >= (byte)'a' and <= (byte)'y');
                bytes[middle]++;
                obj["document"] = Convert.ToBase64String(bytes);
                changed = true;
            }
            foreach (var child in obj.Select(p => p.Value).OfType<JsonNode>().ToArray())
            {
                changed |= Tamper(child);
            }
        }
        return changed;
    }

    private long RowsOf(string manifest)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal WHERE manifest = $m";
        command.Parameters.AddWithValue("$m", manifest);
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir.Path, "eduvpn-actors.db")};Pooling=False");
        connection.Open();
        return connection;
    }
}
