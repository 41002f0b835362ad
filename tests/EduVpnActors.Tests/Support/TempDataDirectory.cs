namespace EduVpnActors.Tests.Support;

/// <summary>A private data directory for one test, deleted afterwards.</summary>
internal sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eduvpn-actors-tests", Guid.NewGuid().ToString("N"));
    }

    public string Path { get; }

    /// <summary>
    /// Creates the directory owner-only (0700), as the engine would: an existing data directory that
    /// others may read or write is refused. Returns <see cref="Path"/>.
    /// </summary>
    public string Create()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path);
        }
        else
        {
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return Path;
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held by a stopping actor system; the temp folder is cleaned by the OS later.
        }
    }
}
