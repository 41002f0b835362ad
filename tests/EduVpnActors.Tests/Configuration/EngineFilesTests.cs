using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Configuration;

/// <summary>
/// The engine's own files are sacred: output paths that are (after links) the database, its companions, the key,
/// the lock file or the data directory are refused; configured file names stay inside the data directory; an
/// existing data directory is never chmod-ed, and one open to others is refused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EngineFilesTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode SharedTmp = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit;

    private readonly TempDataDirectory _work = new();

    [Theory]
    [InlineData("/d/eduvpn-actors.db", EngineFileKind.Database)]
    [InlineData("/d/eduvpn-actors.db-wal", EngineFileKind.DatabaseCompanion)]
    [InlineData("/d/eduvpn-actors.db-shm", EngineFileKind.DatabaseCompanion)]
    [InlineData("/d/eduvpn-actors.db-journal", EngineFileKind.DatabaseCompanion)]
    [InlineData("/d/session-tokens.key", EngineFileKind.TokenKey)]
    [InlineData("/d/eduvpn-actors.lock", EngineFileKind.LockFile)]
    [InlineData("/d", EngineFileKind.DataDirectory)]
    [InlineData("/d/", EngineFileKind.DataDirectory)]
    [InlineData("/d/wg0.conf", null)]
    [InlineData("/d/sub/eduvpn-actors.db", null)]
    [InlineData("/other/eduvpn-actors.db", null)]
    [InlineData("/d/eduvpn-actors.db.damaged-20260101T000000Z", null)]
    public void Classify_NamesTheEngineFile(string path, EngineFileKind? expected)
    {
        Assert.Equal(expected, EngineFiles.Classify(path, "/d", "eduvpn-actors.db", "session-tokens.key"));
    }

    [Fact]
    public void RefuseAsOutput_ThroughLinks_ToTheDatabaseTheKeyOrTheDirectory()
    {
        var data = Path.Combine(_work.Create(), "data");
        var files = new EngineFiles(DataDirectory.Ensure(data), "eduvpn-actors.db", "session-tokens.key");
        File.WriteAllText(Path.Combine(data, "eduvpn-actors.db"), "db");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_work.Path, "elsewhere")).FullName;
        var linkToDatabase = Path.Combine(elsewhere, "wg0.conf");
        File.CreateSymbolicLink(linkToDatabase, Path.Combine(data, "eduvpn-actors.db"));
        var linkToData = Path.Combine(elsewhere, "data-link");
        Directory.CreateSymbolicLink(linkToData, data);
        var relativeLink = Path.Combine(elsewhere, "relative.conf");
        File.CreateSymbolicLink(relativeLink, "data-link/session-tokens.key"); // dangling-safe: the key does not exist yet

        Assert.Equal(EngineFileKind.Database, Assert.Throws<EngineFileException>(() => files.RefuseAsOutput(linkToDatabase)).Kind);
        Assert.Equal(EngineFileKind.DatabaseCompanion, Assert.Throws<EngineFileException>(() => files.RefuseAsOutput(Path.Combine(linkToData, "eduvpn-actors.db-wal"))).Kind);
        Assert.Equal(EngineFileKind.TokenKey, Assert.Throws<EngineFileException>(() => files.RefuseAsOutput(relativeLink)).Kind);
        Assert.Equal(EngineFileKind.DataDirectory, Assert.Throws<EngineFileException>(() => files.RefuseAsOutput(linkToData)).Kind);
        Assert.Equal(EngineFileKind.LockFile, Assert.Throws<EngineFileException>(() => files.RefuseAsOutput(Path.Combine(data, "..", "data", "eduvpn-actors.lock"))).Kind);
        files.RefuseAsOutput(Path.Combine(elsewhere, "wg1.conf"));
        files.RefuseAsOutput(Path.Combine(linkToData, "wg1.conf"));
        Assert.Equal("db", File.ReadAllText(Path.Combine(data, "eduvpn-actors.db")));
    }

    [Fact]
    public void ResolveLinks_ACycle_IsAnIOExceptionNotAStackOverflow()
    {
        var a = Path.Combine(_work.Create(), "a");
        var b = Path.Combine(_work.Path, "b");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);

        Assert.Throws<IOException>(() => EngineFiles.ResolveLinks(Path.Combine(a, "x")));
    }

    [Theory]
    [InlineData("../../x.db")]
    [InlineData("/tmp/x.db")]
    [InlineData("sub/x.db")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    public void DatabaseFileNameOutsideTheDataDirectory_IsAConfigurationErrorNamingTheKey_NothingCreated(string name)
    {
        var data = Path.Combine(_work.Create(), "a", "b", "data");
        var overrides = ConfigurationFactory.ParseString($"eduvpn.database-file-name = \"{name}\"");

        var error = Assert.Throws<EngineConfigurationException>(() => EngineSystem.PrepareConfig(data, overrides));

        Assert.Contains("eduvpn.database-file-name", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_work.Path, "a", "x.db")));
        Assert.False(File.Exists("/tmp/x.db") && File.GetLastWriteTimeUtc("/tmp/x.db") > DateTime.UtcNow.AddMinutes(-1));
        Assert.Throws<EngineConfigurationException>(() => EngineConfiguration.ForDataDirectory(data, overrides));
    }

    [Fact]
    public void TokenKeyFileNameOutsideTheDataDirectory_IsAConfigurationError()
    {
        var overrides = ConfigurationFactory.ParseString("eduvpn.oauth.token-key-file-name = \"../stolen.key\"");

        var error = Assert.Throws<EngineConfigurationException>(() => EngineSystem.PrepareConfig(Path.Combine(_work.Create(), "data"), overrides));

        Assert.Contains("eduvpn.oauth.token-key-file-name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedDirectory_StartRefusedAsNotPrivate_ModeUnchanged_NothingWritten()
    {
        var shared = _work.Create();
        File.SetUnixFileMode(shared, SharedTmp);

        var error = Assert.Throws<StorageException>(() => EngineSystem.PrepareConfig(shared));

        Assert.Equal(StorageProblemKind.NotPrivate, error.Kind);
        Assert.Contains("chmod 700", error.Message, StringComparison.Ordinal);
        Assert.False(error.CanMoveAside);
        Assert.Equal(SharedTmp, File.GetUnixFileMode(shared));
        Assert.Empty(Directory.EnumerateFileSystemEntries(shared));
    }

    [Fact]
    public void LinkToASharedDirectory_Refused_TheTargetsModeUnchanged()
    {
        var shared = Directory.CreateDirectory(Path.Combine(_work.Create(), "shared")).FullName;
        File.SetUnixFileMode(shared, SharedTmp);
        var link = Path.Combine(_work.Path, "data");
        Directory.CreateSymbolicLink(link, shared);

        Assert.Equal(StorageProblemKind.NotPrivate, Assert.Throws<StorageException>(() => EngineSystem.PrepareConfig(link)).Kind);

        Assert.Equal(SharedTmp, File.GetUnixFileMode(shared));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute)] // 0755
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute)] // 0770
    [InlineData(UnixFileMode.OtherExecute)] // 0701
    public void ExistingDirectoryOpenToOthers_Refused_ModeUnchanged(UnixFileMode open)
    {
        var directory = _work.Create();
        File.SetUnixFileMode(directory, OwnerOnly | open);

        Assert.Equal(StorageProblemKind.NotPrivate, Assert.Throws<StorageException>(() => DataDirectory.Ensure(directory)).Kind);

        Assert.Equal(OwnerOnly | open, File.GetUnixFileMode(directory));
    }

    [Fact]
    public async Task PrivateExistingDirectory_OrAMissingOne_Starts_ModesKept()
    {
        var existing = _work.Create();
        var missing = Path.Combine(existing, "new", "data");

        foreach (var directory in new[] { existing, missing })
        {
            var offline = ConfigurationFactory.ParseString("eduvpn.discovery.base-url = \"https://127.0.0.1:9/\"");
            await EduVpnEngine.Start(new EduVpnEngineOptions(directory, offline)).DisposeAsync();
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(directory));
        }
    }

    public void Dispose() => _work.Dispose();
}
