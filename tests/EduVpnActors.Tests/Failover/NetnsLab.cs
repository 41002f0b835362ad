using System.Diagnostics;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace EduVpnActors.Tests.Failover;

/// <summary>How a lab gateway treats echo requests.</summary>
internal enum GatewayBehaviour
{
    Answers,
    DropsIcmp,
    LinkDown,
}

/// <summary>
/// A network namespace with one veth pair: the root end (<c>evt…</c>) carries 10.200.N.1 and
/// fd00:200:N::1, the namespace end is the gateway 10.200.N.2 / fd00:200:N::2. The namespace also
/// answers (or drops) for the whole of 10.210.N.0/24 through a local route, so many probes can use
/// different gateways. Neighbours are static and IPv6 is off on the gateway side unless asked for
/// (then a dropping gateway's own ICMPv6 chatter is filtered), so nothing but echo replies ever
/// raises the root end's receive counter. Only addresses of this
/// private test range are used, and only on links this lab creates; Dispose deletes the namespace,
/// which removes the veth pair and its routes.
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    private static int _counter;
    private static readonly int Pid = Environment.ProcessId;

    private NetnsLab(int index, string ns, string rootLink)
    {
        Index = index;
        Namespace = ns;
        RootLink = rootLink;
    }

    public int Index { get; }

    public string Namespace { get; }

    /// <summary>The root-namespace end of the veth pair; its rx_bytes is the probe's counter.</summary>
    public string RootLink { get; }

    public IPAddress Gateway4 => IPAddress.Parse($"10.200.{Index}.2");

    public IPAddress Gateway6 => IPAddress.Parse($"fd00:200:{Index:x}::2");

    /// <summary>The root end's own IPv4 address (where the gateway sends non-echo traffic to).</summary>
    public IPAddress RootAddress4 => IPAddress.Parse($"10.200.{Index}.1");

    /// <summary>Host <paramref name="host"/> (1..254) of the extra range behind the gateway.</summary>
    public IPAddress ExtraGateway(int host) => IPAddress.Parse($"10.210.{Index}.{host}");

    /// <summary>Why namespaces cannot be used here, or null when they can.</summary>
    public static string? Unavailable(bool needsNft)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces exist only on Linux";
        }
        if (!CommandExists("ip"))
        {
            return "iproute2 (ip) is not installed";
        }
        if (needsNft && !CommandExists("nft"))
        {
            return "nftables (nft) is not installed";
        }
        var probe = $"evtchk{Pid}x{Interlocked.Increment(ref _counter)}";
        var (code, error) = Run("ip", "netns", "add", probe);
        if (code != 0)
        {
            return $"the kernel or our privileges forbid network namespaces (ip netns add: {error.Trim()})";
        }
        Run("ip", "netns", "del", probe);
        return null;
    }

    public static NetnsLab Create(GatewayBehaviour behaviour, bool ipv6 = false)
    {
        RemoveStaleLabs();
        var index = FreeIndex();
        var ns = $"evtns{Pid}x{index}";
        var root = $"evt{Pid % 1000000}x{index}";
        var peer = $"evp{index}";
        var rootMac = $"02:00:0a:c8:{index:x2}:01";
        var peerMac = $"02:00:0a:c8:{index:x2}:02";
        var lab = new NetnsLab(index, ns, root);
        try
        {
            Must("ip", "netns", "add", ns);
            Must("ip", "link", "add", "name", root, "address", rootMac, "type", "veth", "peer", "name", peer, "address", peerMac, "netns", ns);
            Must("ip", "-n", ns, "link", "set", "lo", "up");
            if (!ipv6)
            {
                Must("ip", "netns", "exec", ns, "sysctl", "-qw", $"net.ipv6.conf.{peer}.disable_ipv6=1");
            }
            else
            {
                // No link-local address, no router solicitations, no duplicate address detection:
                // as little IPv6 chatter from the gateway as the kernel allows.
                Must("ip", "netns", "exec", ns, "sysctl", "-qw", $"net.ipv6.conf.{peer}.addr_gen_mode=1");
                Must("ip", "netns", "exec", ns, "sysctl", "-qw", $"net.ipv6.conf.{peer}.router_solicitations=0");
                Must("ip", "netns", "exec", ns, "sysctl", "-qw", $"net.ipv6.conf.{peer}.accept_dad=0");
            }
            if (behaviour == GatewayBehaviour.DropsIcmp)
            {
                // Before the link comes up. The gateway drops echo requests; its remaining IPv6
                // chatter (MLD reports) is dropped on the way out too, so it is as silent as a
                // tunnel whose UDP is blocked and the counter decides as it would there.
                MustWithInput(
                    "table inet evt {\n chain pre {\n  type filter hook prerouting priority -300; policy accept;\n"
                    + "  icmp type echo-request drop\n  icmpv6 type echo-request drop\n }\n"
                    + " chain out {\n  type filter hook output priority 0; policy accept;\n"
                    + $"  oifname \"{peer}\" meta l4proto ipv6-icmp drop\n }}\n}}\n",
                    "ip", "netns", "exec", ns, "nft", "-f", "-");
            }
            Must("ip", "addr", "add", $"10.200.{index}.1/24", "dev", root);
            Must("ip", "-n", ns, "addr", "add", $"10.200.{index}.2/24", "dev", peer);
            if (ipv6)
            {
                Must("ip", "addr", "add", $"fd00:200:{index:x}::1/64", "dev", root, "nodad");
                Must("ip", "-n", ns, "addr", "add", $"fd00:200:{index:x}::2/64", "dev", peer, "nodad");
            }
            Must("ip", "link", "set", root, "up");
            Must("ip", "-n", ns, "link", "set", peer, "up");
            Must("ip", "neigh", "replace", $"10.200.{index}.2", "lladdr", peerMac, "dev", root, "nud", "permanent");
            Must("ip", "-n", ns, "neigh", "replace", $"10.200.{index}.1", "lladdr", rootMac, "dev", peer, "nud", "permanent");
            if (ipv6)
            {
                Must("ip", "neigh", "replace", $"fd00:200:{index:x}::2", "lladdr", peerMac, "dev", root, "nud", "permanent");
                Must("ip", "-n", ns, "neigh", "replace", $"fd00:200:{index:x}::1", "lladdr", rootMac, "dev", peer, "nud", "permanent");
            }
            Must("ip", "-n", ns, "route", "add", "local", $"10.210.{index}.0/24", "dev", "lo");
            Must("ip", "route", "add", $"10.210.{index}.0/24", "via", $"10.200.{index}.2", "dev", root);
            if (behaviour == GatewayBehaviour.LinkDown)
            {
                // Only the gateway end goes down: the root end keeps its route (no carrier), so
                // nothing leaks to the default route and sends still succeed into the void.
                Must("ip", "-n", ns, "link", "set", peer, "down");
            }
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Sets a sysctl inside the namespace only (ping_group_range is per namespace).</summary>
    public void Sysctl(string assignment) => Must("ip", "netns", "exec", Namespace, "sysctl", "-qw", assignment);

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread that joined the namespace, so sockets it opens
    /// belong to the namespace. Only the unprivileged-socket tests need this; the thread ends afterwards.
    /// </summary>
    public T InNamespace<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{Namespace}");
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns failed: errno {Marshal.GetLastPInvokeError()}");
                }
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
        return result;
    }

    private const int CloneNewNet = 0x40000000;

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);

    public long RxBytes() => long.Parse(File.ReadAllText($"/sys/class/net/{RootLink}/statistics/rx_bytes").Trim());

    public void Dispose()
    {
        // Deleting the namespace deletes the veth pair (both ends) and the routes through it.
        Run("ip", "netns", "del", Namespace);
        Run("ip", "link", "del", RootLink);
    }

    /// <summary>A subnet index no address of the root namespace uses (another test run may be active).</summary>
    private static int FreeIndex()
    {
        for (var attempt = 0; attempt < 250; attempt++)
        {
            var index = (Interlocked.Increment(ref _counter) + Pid) % 250 + 1;
            var (_, output) = RunOutput("ip", "-o", "addr", "show", "to", $"10.200.{index}.0/24");
            if (output.Trim().Length == 0)
            {
                return index;
            }
        }
        throw new InvalidOperationException("no free 10.200.N.0/24 test subnet");
    }

    /// <summary>Removes labs of test processes that died before their Dispose ran.</summary>
    private static void RemoveStaleLabs()
    {
        if (!Directory.Exists("/run/netns"))
        {
            return;
        }
        foreach (var path in Directory.GetFiles("/run/netns", "evtns*x*"))
        {
            var name = Path.GetFileName(path);
            var pidText = name["evtns".Length..name.IndexOf('x', StringComparison.Ordinal)];
            if (int.TryParse(pidText, out var pid) && pid != Pid && !Directory.Exists($"/proc/{pid}"))
            {
                Run("ip", "netns", "del", name);
            }
        }
    }

    private static bool CommandExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':')
            .Concat(["/usr/sbin", "/sbin"])
            .Any(dir => File.Exists(Path.Combine(dir, name)));

    private static void Must(params string[] args)
    {
        var (code, error) = Run(args);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', args)}' failed ({code}): {error.Trim()}");
        }
    }

    private static void MustWithInput(string input, params string[] args)
    {
        var (code, error) = Run(input, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', args)}' failed ({code}): {error.Trim()}");
        }
    }

    private static (int Code, string Error) Run(params string[] args)
    {
        var (code, error, _) = Execute(null, args);
        return (code, error);
    }

    private static (int Code, string Error) Run(string? input, string[] args)
    {
        var (code, error, _) = Execute(input, args);
        return (code, error);
    }

    private static (int Code, string Output) RunOutput(params string[] args)
    {
        var (code, _, output) = Execute(null, args);
        return (code, output);
    }

    private static (int Code, string Error, string Output) Execute(string? input, string[] args)
    {
        var info = new ProcessStartInfo(args[0])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(info)!;
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stderr.Result, stdout);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message, "");
        }
    }
}
