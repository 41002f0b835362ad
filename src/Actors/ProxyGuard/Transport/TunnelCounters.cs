using EduVpnActors.Actors.ProxyGuard.Framing;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Transport;

/// <summary>The live counters of one tunnel; each field has one writing pump, any thread may read.</summary>
internal sealed class TunnelCounters
{
    private long _datagramsToServer;
    private long _datagramsFromServer;
    private long _droppedUndeliverable;
    private long _bytesToServer;
    private long _bytesFromServer;

    public void SentToServer(int frames, int bytes)
    {
        Interlocked.Add(ref _datagramsToServer, frames);
        Interlocked.Add(ref _bytesToServer, bytes);
    }

    public void ReadFromServer(int bytes) => Interlocked.Add(ref _bytesFromServer, bytes);

    public void DeliveredToWireGuard() => Interlocked.Increment(ref _datagramsFromServer);

    public void Undeliverable() => Interlocked.Increment(ref _droppedUndeliverable);

    public ProxyGuardCounters Snapshot(FrameQueue? queue) => new(
        Interlocked.Read(ref _datagramsToServer),
        Interlocked.Read(ref _datagramsFromServer),
        queue?.DroppedOldest ?? 0,
        queue?.DroppedTooLarge ?? 0,
        Interlocked.Read(ref _droppedUndeliverable),
        Interlocked.Read(ref _bytesToServer),
        Interlocked.Read(ref _bytesFromServer));
}
