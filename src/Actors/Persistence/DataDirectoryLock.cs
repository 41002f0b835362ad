using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// One engine per data directory: an exclusive OS lock on the data directory, held for the engine's life.
/// The kernel releases it when the holding process ends in any way (a SIGKILL included), so it never goes
/// stale. On Unix it is <c>flock(LOCK_EX)</c> on the directory itself (a locked file could not be read by
/// other .NET code, which takes a shared flock to read), and <see cref="FileName"/> beside it carries the
/// holder's process id for the message a second engine gets; on Windows <see cref="FileName"/> is held
/// open without write sharing and carries the pid itself.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The file in the data directory that names the holder's process id (and on Windows is the lock).</summary>
    public const string FileName = Configuration.EngineFiles.LockFileName;

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    // Directories this process holds: a pid of ours read from the file of one we do not hold is a stale one.
    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);

    private readonly Lock _gate = new();
    private IDisposable? _handle;

    private DataDirectoryLock(string directory, IDisposable handle)
    {
        DirectoryPath = directory;
        LockFilePath = Path.Combine(directory, FileName);
        _handle = handle;
    }

    /// <summary>The locked data directory (full path).</summary>
    public string DirectoryPath { get; }

    /// <summary>The file naming the holder.</summary>
    public string LockFilePath { get; }

    /// <summary>False once released.</summary>
    public bool IsHeld
    {
        get
        {
            lock (_gate)
            {
                return _handle is not null;
            }
        }
    }

    /// <summary>
    /// Takes the lock of <paramref name="dataDirectory"/> (which must exist), waiting up to <paramref name="wait"/>
    /// for another holder to let go (zero: fail at once).
    /// </summary>
    /// <exception cref="StorageException">
    /// <see cref="StorageProblemKind.DataDirectoryInUse"/> (with <see cref="StorageException.HolderProcessId"/> where known)
    /// when another engine still holds it; <see cref="StorageProblemKind.PermissionDenied"/> or
    /// <see cref="StorageProblemKind.Unavailable"/> when the directory cannot be opened.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait.</exception>
    public static DataDirectoryLock Acquire(string dataDirectory, TimeSpan wait = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var directory = Path.GetFullPath(dataDirectory);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryLock(directory) is { } handle)
            {
                lock (HeldHere)
                {
                    HeldHere.Add(directory);
                }
                var held = new DataDirectoryLock(directory, handle);
                if (!OperatingSystem.IsWindows())
                {
                    held.WriteHolder();
                }
                return held;
            }
            var left = wait - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw InUse(directory, LiveHolder(directory), wait);
            }
            cancellationToken.WaitHandle.WaitOne(left < RetryInterval ? left : RetryInterval);
        }
    }

    /// <summary>The process id in the lock file of <paramref name="dataDirectory"/>: its current (or last) holder, if readable.</summary>
    public static int? ReadHolder(string dataDirectory)
    {
        try
        {
            using var stream = new FileStream(Path.Combine(dataDirectory, FileName), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var text = reader.ReadToEnd().Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Releases the lock (idempotent). The file stays: it only names the last holder.</summary>
    public void Dispose()
    {
        IDisposable? handle;
        lock (_gate)
        {
            handle = _handle;
            _handle = null;
        }
        if (handle is null)
        {
            return;
        }
        lock (HeldHere)
        {
            HeldHere.Remove(DirectoryPath);
        }
        // Closing the descriptor releases flock (and the Windows share mode).
        handle.Dispose();
    }

    /// <summary>The lock's handle, or null when another holder has it.</summary>
    private static IDisposable? TryLock(string directory)
    {
        try
        {
            return OperatingSystem.IsWindows() ? TryLockFile(Path.Combine(directory, FileName)) : UnixDirectory.TryLock(directory);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException(StorageProblemKind.PermissionDenied, $"Cannot lock the data directory '{directory}': permission denied.", directory, e);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageProblemKind.Unavailable, $"Cannot lock the data directory '{directory}': {e.Message}", directory, e);
        }
    }

    private static FileStream? TryLockFile(string path)
    {
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            WritePid(file);
            return file;
        }
        catch (IOException e) when ((e.HResult & 0xFFFF) is 32 or 33)
        {
            return null; // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void WriteHolder()
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile };
            using var file = new FileStream(LockFilePath, options);
            WritePid(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only directory: the lock holds all the same; only the pid in a second
            // engine's message is missing (and the storage check reports the directory itself).
        }
    }

    private static void WritePid(FileStream file)
    {
        file.SetLength(0);
        file.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        file.Flush();
    }

    /// <summary>
    /// The pid in the file when it names a running process that may hold the lock: the file keeps the pid of a
    /// holder that was killed until the next one writes its own, and a holder that is not an engine writes none.
    /// </summary>
    private static int? LiveHolder(string directory)
    {
        if (ReadHolder(directory) is not { } pid)
        {
            return null;
        }
        if (pid == Environment.ProcessId)
        {
            lock (HeldHere)
            {
                return HeldHere.Contains(directory) ? pid : null;
            }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : pid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static StorageException InUse(string directory, int? holder, TimeSpan wait)
    {
        var who = holder is { } pid
            ? pid == Environment.ProcessId ? $"another engine in this process ({pid})" : $"another engine (process {pid})"
            : "another engine";
        var waited = wait > TimeSpan.Zero ? $"; it was not released within {wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : "";
        return new StorageException(StorageProblemKind.DataDirectoryInUse,
            $"The data directory '{directory}' is in use by {who}{waited}. One engine at a time may use a data directory.", directory)
        {
            HolderProcessId = holder,
        };
    }

    /// <summary>flock on a directory descriptor: .NET opens no directories, so this is libc.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static class UnixDirectory
    {
        private const int ReadOnly = 0;
        private const int LockExclusive = 2;
        private const int LockNonBlocking = 4;
        private const int NoSuchFile = 2;
        private const int AccessDenied = 13;

        // Without close-on-exec a child the engine starts (the browser) would inherit, and keep, the lock.
        private static int CloseOnExec => OperatingSystem.IsLinux() ? 0x80000 : 0x1000000;

        private static int WouldBlock => OperatingSystem.IsLinux() ? 11 : 35;

        public static SafeFileHandle? TryLock(string directory)
        {
            var fd = Open(directory, ReadOnly | CloseOnExec);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno switch
                {
                    AccessDenied => new UnauthorizedAccessException($"errno {errno}"),
                    NoSuchFile => new DirectoryNotFoundException($"'{directory}' does not exist"),
                    _ => new IOException($"open failed with errno {errno}"),
                };
            }
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (Flock(handle, LockExclusive | LockNonBlocking) == 0)
            {
                return handle;
            }
            var error = Marshal.GetLastPInvokeError();
            if (error == WouldBlock)
            {
                handle.Dispose();
                return null;
            }
            handle.Dispose();
            throw new IOException($"flock failed with errno {error}");
        }

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
        private static extern int Flock(SafeFileHandle fd, int operation);
    }
}
