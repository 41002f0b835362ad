using System.Diagnostics;

namespace EduVpnActors.Tests.Support;

/// <summary>
/// A real file system that can be filled: a tmpfs of a few MiB mounted (as root) on a private temp directory,
/// so writes fail with ENOSPC exactly as on a full disk (SQLite reports SQLITE_FULL). <see cref="Fill"/> takes
/// every free byte, <see cref="Free"/> gives it back; disposing unmounts it and removes the directory.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private readonly string _filler;

    private SmallDisk(string mountPoint)
    {
        Path = mountPoint;
        _filler = System.IO.Path.Combine(mountPoint, ".filler");
    }

    /// <summary>The mount point (mode 0700).</summary>
    public string Path { get; }

    /// <summary>Why no small disk can be mounted here (not root, no tmpfs), or null.</summary>
    public static string? Unavailable { get; } = Probe();

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/>.</summary>
    public static SmallDisk Mount(long bytes = 4 << 20)
    {
        var mountPoint = Directory.CreateTempSubdirectory("eduvpn-small-disk-").FullName;
        var result = Run("mount", "-t", "tmpfs", "-o", $"size={bytes},mode=0700", "tmpfs", mountPoint);
        if (result is not null)
        {
            Directory.Delete(mountPoint);
            throw new InvalidOperationException($"mount failed: {result}");
        }
        return new SmallDisk(mountPoint);
    }

    /// <summary>Takes every free byte (a file written until ENOSPC).</summary>
    public void Fill()
    {
        using var stream = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var size in new[] { 1 << 16, 4096, 512, 1 })
        {
            var chunk = new byte[size];
            try
            {
                while (true)
                {
                    stream.Write(chunk);
                }
            }
            catch (IOException)
            {
                // ENOSPC: on to the next smaller chunk.
            }
        }
    }

    /// <summary>Gives the space taken by <see cref="Fill"/> back.</summary>
    public void Free() => File.Delete(_filler);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs mounts need Linux";
        }
        if (!Environment.IsPrivilegedProcess)
        {
            return "mounting a tmpfs needs root";
        }
        try
        {
            using var disk = Mount(64 << 10);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
    }

    /// <summary>Runs a command; null when it succeeded, else what it printed.</summary>
    private static string? Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"{file} exited {process.ExitCode}: {error.Trim()}";
    }
}

/// <summary>
/// A fact that needs <see cref="SmallDisk"/> (root and tmpfs). Where it cannot be mounted xunit reports the
/// test as skipped with the reason, never as passed; <c>EDUVPN_REQUIRE_SMALL_DISK=1</c> makes such a machine fail instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute() =>
        Skip = Environment.GetEnvironmentVariable("EDUVPN_REQUIRE_SMALL_DISK") == "1" || SmallDisk.Unavailable is null
            ? null
            : $"disk-full check not run: {SmallDisk.Unavailable}";
}
