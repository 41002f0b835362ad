using System.Diagnostics;
using System.Net;

namespace EduVpnActors.Benchmarks.Failover;

/// <summary>
/// A namespace whose veth end 10.221.K.2 routes 10.22(1+K).0.0/22 into the namespace, where a local
/// route answers every address of it (or an nftables rule drops the echo requests). Static
/// neighbours and no IPv6 on the namespace side keep the root end's rx counter still unless replies
/// arrive. Dispose deletes the namespace and with it the veth pair and its routes.
/// </summary>
internal sealed class BenchLab : IDisposable
{
    private BenchLab(int k, string ns, string rootLink)
    {
        K = k;
        Namespace = ns;
        RootLink = rootLink;
    }

    public int K { get; }

    public string Namespace { get; }

    public string RootLink { get; }

    /// <summary>Distinct gateway <paramref name="i"/> (0..1019) of this lab.</summary>
    public IPAddress Gateway(int i) => new([10, (byte)(221 + K), (byte)(i / 255), (byte)(i % 255 + 1)]);

    public static string? Unavailable()
    {
        var probe = $"evbchk{Environment.ProcessId}";
        var (code, error) = Run(null, "ip", "netns", "add", probe);
        if (code != 0)
        {
            return $"ip netns add: {error.Trim()}";
        }
        Run(null, "ip", "netns", "del", probe);
        return Run(null, "nft", "--version").Code == 0 ? null : "nft is not installed";
    }

    public static BenchLab Create(int k, bool drop)
    {
        var pid = Environment.ProcessId;
        var ns = $"evbns{pid}x{k}";
        var root = $"evb{pid % 1000000}x{k}";
        var peer = $"evq{k}";
        var rootMac = $"02:00:0a:dd:{k:x2}:01";
        var peerMac = $"02:00:0a:dd:{k:x2}:02";
        var range = $"10.{221 + k}.0.0/22";
        var lab = new BenchLab(k, ns, root);
        try
        {
            Must(null, "ip", "netns", "add", ns);
            Must(null, "ip", "link", "add", "name", root, "address", rootMac, "type", "veth", "peer", "name", peer, "address", peerMac, "netns", ns);
            Must(null, "ip", "-n", ns, "link", "set", "lo", "up");
            Must(null, "ip", "netns", "exec", ns, "sysctl", "-qw", $"net.ipv6.conf.{peer}.disable_ipv6=1");
            Must(null, "ip", "addr", "add", $"10.221.{k}.1/24", "dev", root);
            Must(null, "ip", "-n", ns, "addr", "add", $"10.221.{k}.2/24", "dev", peer);
            Must(null, "ip", "link", "set", root, "up");
            Must(null, "ip", "-n", ns, "link", "set", peer, "up");
            Must(null, "ip", "neigh", "replace", $"10.221.{k}.2", "lladdr", peerMac, "dev", root, "nud", "permanent");
            Must(null, "ip", "-n", ns, "neigh", "replace", $"10.221.{k}.1", "lladdr", rootMac, "dev", peer, "nud", "permanent");
            Must(null, "ip", "-n", ns, "route", "add", "local", range, "dev", "lo");
            Must(null, "ip", "route", "add", range, "via", $"10.221.{k}.2", "dev", root);
            if (drop)
            {
                Must("table inet evb {\n chain pre {\n  type filter hook prerouting priority -300; policy accept;\n  icmp type echo-request drop\n }\n}\n",
                    "ip", "netns", "exec", ns, "nft", "-f", "-");
            }
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Run(null, "ip", "netns", "del", Namespace);
        Run(null, "ip", "link", "del", RootLink);
    }

    private static void Must(string? input, params string[] args)
    {
        var (code, error) = Run(input, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', args)}' failed ({code}): {error.Trim()}");
        }
    }

    private static (int Code, string Error) Run(string? input, params string[] args)
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
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
