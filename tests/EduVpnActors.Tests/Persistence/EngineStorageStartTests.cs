using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Tests.Support;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Persistence;

/// <summary>
/// The engine start on damaged storage: a typed <see cref="StorageException"/>, the file untouched,
/// and after <see cref="StorageHealth.MoveAside"/> a fresh start whose discovery answers from the bundled copy.
/// </summary>
public sealed class EngineStorageStartTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDataDirectory _dir = new();

    [Fact]
    public async Task CorruptDatabase_StartRefusedWithTheFileUntouched_MoveAsideThenStartsAndDiscoveryAnswersFromBundled()
    {
        var path = await StorageFiles.CreatePopulatedAsync(_dir.Path);
        StorageFiles.Scribble(path, 0, 100);
        var damaged = File.ReadAllBytes(path);

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

        Assert.Equal(StorageProblemKind.Corrupt, error.Kind);
        Assert.Equal(path, error.DatabasePath);
        Assert.True(error.CanMoveAside);
        Assert.Equal(damaged, File.ReadAllBytes(path));

        var kept = StorageHealth.MoveAside(error.DatabasePath!);
        await AssertStartsAndAnswersFromBundledAsync();
        Assert.Equal(damaged, File.ReadAllBytes(kept));
    }

    [Fact]
    public async Task JournalFromANewerVersion_StartRefused_MoveAsideThenStarts()
    {
        var path = await StorageFiles.CreatePopulatedAsync(_dir.Path);
        Assert.True(StorageFiles.Execute(path, "UPDATE journal SET manifest = 'discovery-list-accepted.v9', deleted = 0") > 0);
        var rows = StorageFiles.Scalar(path, "SELECT COUNT(*) FROM journal");

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

        Assert.Equal(StorageProblemKind.NewerVersion, error.Kind);
        Assert.Contains("discovery-list-accepted.v9", error.Message, StringComparison.Ordinal);
        Assert.Equal(rows, StorageFiles.Scalar(path, "SELECT COUNT(*) FROM journal"));

        StorageHealth.MoveAside(error.DatabasePath!);
        await AssertStartsAndAnswersFromBundledAsync();
    }

    [Theory]
    [InlineData("snapshot")]
    [InlineData("journal")]
    public async Task GarbagePayloadUnderAKnownManifest_StartRefusedAsCorrupt_MoveAsideThenStarts(string table)
    {
        // Without the check, recovery throws in the serializer and the back-off supervisor restarts
        // the discovery actor forever; the start must refuse with a typed error instead.
        var path = await StorageFiles.CreatePopulatedAsync(_dir.Path);
        var (persistenceId, sequenceNr, manifest) = StorageFiles.Damage(path, table, "randomblob(48)");
        var damaged = File.ReadAllBytes(path);

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

        Assert.Equal(StorageProblemKind.Corrupt, error.Kind);
        Assert.Equal(path, error.DatabasePath);
        Assert.True(error.CanMoveAside);
        Assert.Contains($"'{manifest}' of '{persistenceId}' #{sequenceNr}", error.Message, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(path));

        var kept = StorageHealth.MoveAside(error.DatabasePath!);
        await AssertStartsAndAnswersFromBundledAsync();
        Assert.Equal(damaged, File.ReadAllBytes(kept));
    }

    [Fact]
    public void DataDirectoryUnderARegularFile_StartRefusedAsUnavailable()
    {
        Directory.CreateDirectory(_dir.Path);
        var file = Path.Combine(_dir.Path, "file");
        File.WriteAllText(file, "x");

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(Path.Combine(file, "data"), Offline())));

        Assert.Equal(StorageProblemKind.Unavailable, error.Kind);
        Assert.False(error.CanMoveAside);
    }

    [Fact]
    public async Task DatabaseLockedByAnotherConnection_StartRefusedAsLocked_AndStartsOnceReleased()
    {
        var path = await StorageFiles.CreatePopulatedAsync(_dir.Path);
        using (var holder = StorageFiles.Open(path))
        {
            using var command = holder.CreateCommand();
            command.CommandText = "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; DELETE FROM journal WHERE 0;";
            command.ExecuteNonQuery();

            var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

            Assert.Equal(StorageProblemKind.Locked, error.Kind);
            Assert.False(error.CanMoveAside);
        }

        await EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())).DisposeAsync();
    }

    [Fact]
    public void DataDirectoryWithoutWritePermission_StartRefusedAsPermissionDenied_AlsoForRootWithoutItsBypass()
    {
        Directory.CreateDirectory(_dir.Path);
        var database = Path.Combine(_dir.Path, StorageFiles.DatabaseFileName);
        StorageFiles.WithMode(_dir.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute, () =>
        {
            if (!StorageFiles.WithoutPermissionBypass(StartOrRefuse, out var error, out var whyNot))
            {
                // Root with its bypass may write into a 0500 directory, so the engine rightly starts.
                output.WriteLine($"PermissionDenied NOT exercised: {whyNot}. Only root's bypass is checked.");
                Assert.Null(StartOrRefuse());
                Assert.True(File.Exists(database));
                return;
            }
            Assert.NotNull(error);
            Assert.Equal(StorageProblemKind.PermissionDenied, error.Kind);
            Assert.False(error.CanMoveAside);
            Assert.False(File.Exists(database));
        });
    }

    /// <summary>Starts the engine and stops it again (null), or returns why it refused.</summary>
    private StorageException? StartOrRefuse()
    {
        try
        {
            EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())).DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
            return null;
        }
        catch (StorageException e)
        {
            return e;
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(33)]
    public async Task TokenKeyFileOfTheWrongLength_FacadeStartRefusedAsTokenKeyDamaged_MoveAsideThenStartsWithANewKey(int length)
    {
        _dir.Create();
        var keyPath = Path.Combine(_dir.Path, "session-tokens.key");
        var damaged = new byte[length];
        Random.Shared.NextBytes(damaged);
        File.WriteAllBytes(keyPath, damaged);

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

        output.WriteLine(error.Message);
        Assert.Equal(StorageProblemKind.TokenKeyDamaged, error.Kind);
        Assert.Equal(keyPath, error.DatabasePath);
        Assert.True(error.CanMoveAside);
        Assert.Contains($"'{keyPath}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(keyPath));

        var kept = StorageHealth.MoveAside(error.DatabasePath!);
        await using (var engine = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())))
        {
            var servers = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(), TimeSpan.FromSeconds(30));
            Assert.NotEmpty(servers.List.Servers);
        }
        Assert.Equal(32, new FileInfo(keyPath).Length);
        Assert.Equal(damaged, File.ReadAllBytes(kept));
    }

    [Fact]
    public async Task HealthyDatabase_StartsAndKeepsItsCache()
    {
        await StorageFiles.CreatePopulatedAsync(_dir.Path);

        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline()));
        var response = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(AllowRefresh: false), TimeSpan.FromSeconds(30));
        Assert.Equal(DiscoverySource.Cache, response.Status.Source);
    }

    public void Dispose() => _dir.Dispose();

    private async Task AssertStartsAndAnswersFromBundledAsync()
    {
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline()));
        var response = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(), TimeSpan.FromSeconds(30));
        Assert.Equal(DiscoverySource.Bundled, response.Status.Source);
        Assert.NotEmpty(response.List.Servers);
    }

    /// <summary>Discovery pointed at a closed loopback port: every fetch fails fast with a network error.</summary>
    private static Config Offline()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return ConfigurationFactory.ParseString($"""
            eduvpn.discovery.base-url = "https://127.0.0.1:{port}/"
            akka.loglevel = WARNING
            """);
    }
}
