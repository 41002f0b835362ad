using System.Net;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Actors.Failover;

/// <summary>
/// One probe's ICMP echo channel to its gateway. Sends and the receive loop may run concurrently;
/// sends are never concurrent with each other.
/// </summary>
public interface IEchoPinger : IDisposable
{
    /// <summary>Sends echo request number <paramref name="sequence"/> (1-based). Throws <see cref="FailoverException"/> on failure.</summary>
    ValueTask SendEchoAsync(int sequence, CancellationToken cancellationToken);

    /// <summary>
    /// Completes with the sequence number of the next echo reply that matches this pinger's
    /// identifier, a sequence it sent and the gateway as source; everything else is skipped.
    /// </summary>
    ValueTask<int> ReceiveReplyAsync(CancellationToken cancellationToken);
}

/// <summary>Opens echo channels; the seam that lets tests replace real ICMP.</summary>
public interface IEchoPingerFactory
{
    /// <summary>Opens a channel to <paramref name="gateway"/> whose requests carry <paramref name="payloadLength"/> bytes. Throws <see cref="FailoverException"/>.</summary>
    IEchoPinger Open(IPAddress gateway, int payloadLength);
}

/// <summary>The received-bytes counter of the interface the tunnel runs on.</summary>
public interface IRxBytesSource
{
    /// <summary>Current counter value. Throws <see cref="FailoverException"/> with <see cref="ProbeErrorKind.RxCounterFailed"/>.</summary>
    ValueTask<long> ReadRxBytesAsync(CancellationToken cancellationToken);
}

/// <summary>Chooses the counter for a probe request (hosts supply their own, e.g. from a tunnel library).</summary>
public interface IRxBytesSourceFactory
{
    /// <summary>The counter to watch for <paramref name="request"/>.</summary>
    IRxBytesSource Create(StartProbe request);
}

/// <summary>The probe's outside world: how to ping and where the counter comes from.</summary>
/// <param name="Pingers">Echo channel factory.</param>
/// <param name="RxSources">Counter factory.</param>
public sealed record FailoverDependencies(IEchoPingerFactory Pingers, IRxBytesSourceFactory RxSources)
{
    /// <summary>Real ICMP sockets and <c>/sys/class/net/&lt;if&gt;/statistics/rx_bytes</c>.</summary>
    public static FailoverDependencies Default { get; } = new(new IcmpEchoPingerFactory(), new SysfsRxBytesSourceFactory());
}

/// <summary>A typed failure of a failover step.</summary>
public sealed class FailoverException(ProbeErrorKind kind, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The category that ends up in <see cref="ProbeError.Kind"/>.</summary>
    public ProbeErrorKind Kind { get; } = kind;

    /// <summary>As a message value.</summary>
    public ProbeError ToProbeError() => new(Kind, Message);
}
