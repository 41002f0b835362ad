using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Actors.Failover;

/// <summary>
/// Reads <c>/sys/class/net/&lt;interface&gt;/statistics/rx_bytes</c>. Without an interface name it
/// finds the interface whose address the kernel would use to reach the gateway (once, on first read).
/// </summary>
public sealed class SysfsRxBytesSource : IRxBytesSource
{
    private readonly IPAddress _gateway;
    private readonly string _sysfsRoot;
    private string? _interfaceName;

    /// <param name="interfaceName">The interface, or <c>null</c> to derive it from <paramref name="gateway"/>.</param>
    /// <param name="gateway">Used only when <paramref name="interfaceName"/> is null.</param>
    /// <param name="sysfsRoot">Root of the net class directory (tests point it elsewhere).</param>
    public SysfsRxBytesSource(string? interfaceName, IPAddress gateway, string sysfsRoot = "/sys/class/net")
    {
        _interfaceName = interfaceName;
        _gateway = gateway;
        _sysfsRoot = sysfsRoot;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Synchronous inside: a sysfs counter read never blocks on a device, and an asynchronous file
    /// read would only add a thread-pool hop per read (the probe already calls this off its thread).
    /// </remarks>
    public ValueTask<long> ReadRxBytesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _interfaceName ??= InterfaceTowards(_gateway);
        if (!IsValidInterfaceName(_interfaceName))
        {
            throw new FailoverException(ProbeErrorKind.RxCounterFailed, $"'{_interfaceName}' is not a valid interface name");
        }
        var path = Path.Combine(_sysfsRoot, _interfaceName, "statistics", "rx_bytes");
        // A 20-digit counter and a newline: one small read, no stream or reader buffers per probe.
        Span<byte> buffer = stackalloc byte[32];
        int length;
        try
        {
            using var handle = File.OpenHandle(path);
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FailoverException(ProbeErrorKind.RxCounterFailed, $"cannot read the received-bytes counter of '{_interfaceName}': {e.Message}", e);
        }
        if (!long.TryParse(System.Text.Encoding.ASCII.GetString(buffer[..length]).AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new FailoverException(ProbeErrorKind.RxCounterFailed, $"the received-bytes counter of '{_interfaceName}' is not a number");
        }
        return ValueTask.FromResult(value);
    }

    /// <summary>Linux interface names: 1..15 bytes, no slash, not "." or "..".</summary>
    public static bool IsValidInterfaceName(string name) =>
        name.Length is > 0 and < 16 && name != "." && name != ".." &&
        !name.Contains('/', StringComparison.Ordinal) && !name.Any(char.IsWhiteSpace);

    /// <summary>The interface holding the source address the kernel picks for <paramref name="gateway"/>.</summary>
    public static string InterfaceTowards(IPAddress gateway)
    {
        IPAddress local;
        try
        {
            // Connecting a UDP socket only asks the routing table; nothing is sent.
            using var probe = new Socket(gateway.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(gateway, 9));
            local = ((IPEndPoint)probe.LocalEndPoint!).Address;
        }
        catch (SocketException e)
        {
            throw new FailoverException(ProbeErrorKind.RxCounterFailed, $"no route to {gateway}: {e.SocketErrorCode}", e);
        }
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.GetIPProperties().UnicastAddresses.Any(a => a.Address.Equals(local)))
            {
                return nic.Name;
            }
        }
        throw new FailoverException(ProbeErrorKind.RxCounterFailed, $"no interface holds {local}, the source address towards {gateway}");
    }
}

/// <summary>The default counter: sysfs, for the request's interface (or the one routing to the gateway).</summary>
public sealed class SysfsRxBytesSourceFactory : IRxBytesSourceFactory
{
    /// <inheritdoc />
    public IRxBytesSource Create(StartProbe request) => new SysfsRxBytesSource(request.InterfaceName, request.Gateway);
}
