using System.Runtime.InteropServices;

namespace EduVpnActors.Tests.Failover;

/// <summary>
/// Linux capabilities belong to a thread, not the process: dropping one from the calling thread's
/// effective set lets a test see what an unprivileged process sees, without touching the rest of
/// the test run. Used on throw-away threads only (<see cref="NetnsLab.InNamespace{T}"/>,
/// <c>StorageFiles.WithoutPermissionBypass</c>).
/// </summary>
internal static class ThreadCapabilities
{
    /// <summary>Bypasses file read, write and execute permission checks.</summary>
    public const int DacOverride = 1;

    /// <summary>Bypasses file read and directory search permission checks.</summary>
    public const int DacReadSearch = 2;

    public const int NetRaw = 13;

    private const uint Version3 = 0x20080522;

    /// <summary>Removes <paramref name="capability"/> from the calling thread's effective set.</summary>
    public static void DropEffective(int capability)
    {
        var header = new CapHeader { Version = Version3, Pid = 0 };
        var data = new CapData[2];
        if (CapGet(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed: errno {Marshal.GetLastPInvokeError()}");
        }
        data[capability / 32].Effective &= ~(1u << (capability % 32));
        if (CapSet(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [DllImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static extern int CapGet(ref CapHeader header, [In, Out] CapData[] data);

    [DllImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static extern int CapSet(ref CapHeader header, [In] CapData[] data);
}
