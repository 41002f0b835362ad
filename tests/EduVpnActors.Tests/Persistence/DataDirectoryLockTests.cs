using System.Diagnostics;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Persistence;

/// <summary>
/// <see cref="DataDirectoryLock"/> against itself and against other processes (util-linux <c>flock</c>, a
/// real OS lock on the same file): exclusive, waits a bounded time, names the holder, never stale after a kill.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly TempDataDirectory _dir = new();

    public DataDirectoryLockTests() => _dir.Create();

    private string LockFile => Path.Combine(_dir.Path, DataDirectoryLock.FileName);

    [Fact]
    public void SecondAcquire_InUse_NamesThisProcess_AndSucceedsAfterRelease()
    {
        var first = DataDirectoryLock.Acquire(_dir.Path);

        var error = Assert.Throws<StorageException>(() => DataDirectoryLock.Acquire(_dir.Path));

        Assert.Equal(StorageProblemKind.DataDirectoryInUse, error.Kind);
        Assert.Equal(Environment.ProcessId, error.HolderProcessId);
        Assert.Contains(_dir.Path, error.Message, StringComparison.Ordinal);
        Assert.False(error.CanMoveAside);
        first.Dispose();
        Assert.False(first.IsHeld);
        using var second = DataDirectoryLock.Acquire(_dir.Path);
        Assert.True(second.IsHeld);
    }

    [Fact]
    public void LockFile_IsOwnerOnly_AndHoldsThePid()
    {
        using var held = DataDirectoryLock.Acquire(_dir.Path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LockFile));
        Assert.Equal(Environment.ProcessId, DataDirectoryLock.ReadHolder(_dir.Path));
        // Readable by other .NET code while held (the lock is on the directory, not on this file).
        Assert.Equal($"{Environment.ProcessId}", File.ReadAllText(LockFile).Trim());
    }

    [Fact]
    public async Task Wait_HolderLetsGoInTime_Acquires()
    {
        var first = DataDirectoryLock.Acquire(_dir.Path);
        var release = Task.Run(async () =>
        {
            await Task.Delay(300);
            first.Dispose();
        });

        using var second = DataDirectoryLock.Acquire(_dir.Path, TimeSpan.FromSeconds(30));

        await release;
        Assert.True(second.IsHeld);
    }

    [Fact]
    public void Wait_HolderKeepsIt_FailsAfterTheWaitNotBefore()
    {
        using var first = DataDirectoryLock.Acquire(_dir.Path);
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<StorageException>(() => DataDirectoryLock.Acquire(_dir.Path, TimeSpan.FromMilliseconds(700)));

        Assert.Equal(StorageProblemKind.DataDirectoryInUse, error.Kind);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(690), $"gave up after {clock.ElapsedMilliseconds} ms");
        Assert.Contains("not released within 0.7 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wait_Cancelled_Throws()
    {
        using var first = DataDirectoryLock.Acquire(_dir.Path);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.ThrowsAny<OperationCanceledException>(() => DataDirectoryLock.Acquire(_dir.Path, TimeSpan.FromMinutes(5), cancel.Token));
    }

    [Fact]
    public async Task OtherProcessHoldsTheOsLock_InUse_ThenKilled_FreeAtOnce()
    {
        // util-linux flock(1) takes the same kernel lock (flock LOCK_EX) on the same directory; -o: only flock
        // itself holds it, not the command it runs.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", "-o", _dir.Path, "sleep", "120"]) { UseShellExecute = false })!;
        try
        {
            await Eventually.HoldsAsync(() => IsHeld(), TimeSpan.FromSeconds(30), "flock(1) never took the lock");

            var error = Assert.Throws<StorageException>(() => DataDirectoryLock.Acquire(_dir.Path));
            Assert.Equal(StorageProblemKind.DataDirectoryInUse, error.Kind);
            // flock(1) writes no pid, and the one our probe left behind is not a holder: none is named.
            Assert.Null(error.HolderProcessId);

            holder.Kill(entireProcessTree: true); // SIGKILL: the kernel drops the lock, nothing is left stale
            await holder.WaitForExitAsync();
            using var taken = DataDirectoryLock.Acquire(_dir.Path);
            Assert.True(taken.IsHeld);
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void WhileHeld_OtherProcessCannotTakeIt()
    {
        using var held = DataDirectoryLock.Acquire(_dir.Path);

        using var other = Process.Start(new ProcessStartInfo("flock", ["-x", "-n", _dir.Path, "true"]) { UseShellExecute = false })!;
        other.WaitForExit();

        Assert.Equal(1, other.ExitCode); // flock -n: "the lock is held"
    }

    [Fact]
    public void MissingDirectory_IsUnavailable()
    {
        var error = Assert.Throws<StorageException>(() => DataDirectoryLock.Acquire(Path.Combine(_dir.Path, "missing")));

        Assert.Equal(StorageProblemKind.Unavailable, error.Kind);
    }

    private bool IsHeld()
    {
        try
        {
            DataDirectoryLock.Acquire(_dir.Path).Dispose();
            return false;
        }
        catch (StorageException)
        {
            return true;
        }
    }

    public void Dispose() => _dir.Dispose();
}
