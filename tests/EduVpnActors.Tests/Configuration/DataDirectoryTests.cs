using EduVpnActors.Actors.Configuration;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Configuration;

/// <summary>Private files and directories: 0600 files, 0700 directories the engine owns, other folders left alone.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryTests
{
    private const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.OtherWrite
        | UnixFileMode.StickyBit;

    [Fact]
    public void WritePrivateFile_IntoAnExistingFolder_KeepsTheFoldersMode()
    {
        using var temp = new TempDataDirectory();
        // Like /tmp or a home directory: `connect -o /tmp/wg.conf` must not make it owner-only.
        Directory.CreateDirectory(temp.Path);
        File.SetUnixFileMode(temp.Path, Shared);
        var file = Path.Combine(temp.Path, "wg0.conf");

        DataDirectory.WritePrivateFile(file, "[Interface]\n"u8);

        Assert.Equal(Shared, File.GetUnixFileMode(temp.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal("[Interface]\n", File.ReadAllText(file));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void WritePrivateFile_IntoAMissingFolder_CreatesItOwnerOnly()
    {
        using var temp = new TempDataDirectory();
        var folder = Path.Combine(temp.Path, "configs");

        DataDirectory.WritePrivateFile(Path.Combine(folder, "wg0.conf"), "x"u8);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
    }

    [Fact]
    public void WritePrivateFile_ReplacesAnOlderFileAtomically()
    {
        using var temp = new TempDataDirectory();
        var file = Path.Combine(temp.Path, "wg0.conf");
        DataDirectory.WritePrivateFile(file, "old"u8);

        DataDirectory.WritePrivateFile(file, "new"u8);

        Assert.Equal("new", File.ReadAllText(file));
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}
