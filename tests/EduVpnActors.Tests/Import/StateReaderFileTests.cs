using System.Text;
using EduVpnActors.Actors.Import;

namespace EduVpnActors.Tests.Import;

public sealed class StateReaderFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("eduvpn-import-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ReadFile_ValidFile_SameAsRead()
    {
        var path = Path.Combine(_directory, "state.json");
        File.WriteAllText(path, StateFiles.FullV2, new UTF8Encoding(false));

        var fromFile = EduVpnCommonStateReader.ReadFile(path);
        var fromBytes = StateFiles.Read(StateFiles.FullV2);

        Assert.Equal(fromBytes.Servers, fromFile.Servers, (a, b) => a.Key == b.Key && a.ExpireTime == b.ExpireTime);
        Assert.Equal(fromBytes.CurrentServer, fromFile.CurrentServer);
    }

    [Fact]
    public void ReadFile_Missing_FileNotFound()
    {
        var error = Assert.Throws<StateImportException>(() => EduVpnCommonStateReader.ReadFile(Path.Combine(_directory, "nope.json")));
        Assert.Equal(StateImportErrorKind.FileNotFound, error.Kind);
    }

    [Fact]
    public void ReadFile_Directory_NotARegularFile()
    {
        var error = Assert.Throws<StateImportException>(() => EduVpnCommonStateReader.ReadFile(_directory));
        Assert.Equal(StateImportErrorKind.NotARegularFile, error.Kind);
    }

    [Fact]
    public void ReadFile_Empty_NotJson()
    {
        var path = Path.Combine(_directory, "state.json");
        File.WriteAllBytes(path, []);
        Assert.Equal(StateImportErrorKind.NotJson, Assert.Throws<StateImportException>(() => EduVpnCommonStateReader.ReadFile(path)).Kind);
    }

    [Fact]
    public void ReadFile_Fifo_RejectedWithoutBlocking()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var path = Path.Combine(_directory, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", path))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        // Opening a FIFO for reading would block forever; the reader must not open it.
        var error = Assert.Throws<StateImportException>(() => EduVpnCommonStateReader.ReadFile(path));
        Assert.Equal(StateImportErrorKind.NotJson, error.Kind);
    }

    [Fact]
    public void ReadFile_Huge_TooLarge()
    {
        var path = Path.Combine(_directory, "state.json");
        using (var stream = File.Create(path))
        {
            stream.SetLength(EduVpnCommonStateReader.MaxStateBytes + 1L);
        }
        Assert.Equal(StateImportErrorKind.TooLarge, Assert.Throws<StateImportException>(() => EduVpnCommonStateReader.ReadFile(path)).Kind);
    }

    [Fact]
    public void ReadFile_Unreadable_Unreadable()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            return; // root reads any file regardless of mode
        }
        var path = Path.Combine(_directory, "state.json");
        File.WriteAllText(path, "{\"v2\":{}}");
        File.SetUnixFileMode(path, UnixFileMode.None);
        Assert.Equal(StateImportErrorKind.Unreadable, Assert.Throws<StateImportException>(() => EduVpnCommonStateReader.ReadFile(path)).Kind);
    }
}
