using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Actors.Failover;

/// <summary>
/// The I/O of one failover probe, off the actor thread: its echo socket, its received-bytes counter and the
/// token that stops both. Every step ends as a message for the probe actor (its result, or a typed failure),
/// never as an exception, because host-supplied pingers and counters may throw anything.
/// </summary>
internal sealed class ProbeIo : IDisposable
{
    private readonly IEchoPinger _pinger;
    private readonly IRxBytesSource _rxSource;
    private readonly CancellationTokenSource _cts = new();

    private ProbeIo(IEchoPinger pinger, IRxBytesSource rxSource)
    {
        _pinger = pinger;
        _rxSource = rxSource;
    }

    /// <summary>Whether the probe stopped its I/O (a failure after that is only the stop echoing back).</summary>
    public bool Stopped => _cts.IsCancellationRequested;

    /// <summary>Opens the socket and the counter of <paramref name="start"/>, or says why not.</summary>
    public static ProbeIo? Open(FailoverDependencies dependencies, StartProbe start, int payloadLength, out ProbeError? error)
    {
        IEchoPinger? pinger = null;
        try
        {
            // Socket creation and connect are non-blocking system calls.
            pinger = dependencies.Pingers.Open(start.Gateway, payloadLength);
            var io = new ProbeIo(pinger, dependencies.RxSources.Create(start));
            error = null;
            return io;
        }
        catch (FailoverException e)
        {
            error = e.ToProbeError();
        }
        catch (Exception e)
        {
            // A host-supplied factory failed in its own way: still a typed verdict, not a crash loop.
            error = new ProbeError(pinger is null ? ProbeErrorKind.SocketFailed : ProbeErrorKind.RxCounterFailed, $"{e.GetType().Name}: {e.Message}");
        }
        pinger?.Dispose();
        return null;
    }

    /// <summary>Sends echo <paramref name="sequence"/>; ends as <see cref="EchoSent"/> or <see cref="StepFailed"/>.</summary>
    public Task<object> SendEcho(int sequence)
    {
        var token = _cts.Token;
        return Run(ProbeErrorKind.SendFailed, async () =>
        {
            await _pinger.SendEchoAsync(sequence, token).ConfigureAwait(false);
            return new EchoSent(sequence);
        });
    }

    /// <summary>Reads the counter; ends as <see cref="RxRead"/> or <see cref="StepFailed"/>.</summary>
    public Task<object> ReadCounter()
    {
        var token = _cts.Token;
        // Off the actor thread from the first instruction: a source may open files or look up interfaces.
        return Run(ProbeErrorKind.RxCounterFailed, () => Task.Run(async () => (object)new RxRead(await _rxSource.ReadRxBytesAsync(token).ConfigureAwait(false)), token));
    }

    /// <summary>Waits for a matching echo reply; ends as <see cref="ReplyReceived"/> or <see cref="ListenFailed"/>.</summary>
    public async Task<object> ReceiveReply()
    {
        var token = _cts.Token;
        try
        {
            return new ReplyReceived(await _pinger.ReceiveReplyAsync(token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return new ListenFailed("cancelled");
        }
        catch (Exception e)
        {
            return new ListenFailed(e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>Stops every step in flight.</summary>
    public void Stop() => _cts.Cancel();

    /// <inheritdoc/>
    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
        _pinger.Dispose();
    }

    private static async Task<object> Run(ProbeErrorKind unexpectedKind, Func<Task<object>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (FailoverException e)
        {
            return new StepFailed(e.ToProbeError());
        }
        catch (OperationCanceledException)
        {
            return new StepFailed(new ProbeError(ProbeErrorKind.Cancelled, "failover was stopped"));
        }
        catch (Exception e)
        {
            // Host-supplied sources may throw anything; the probe must still end with a verdict.
            return new StepFailed(new ProbeError(unexpectedKind, $"{e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>The counter was read.</summary>
    internal sealed record RxRead(long Bytes) : Akka.Actor.INoSerializationVerificationNeeded, Akka.Event.IDeadLetterSuppression;

    /// <summary>An echo request went out.</summary>
    internal sealed record EchoSent(int Sequence) : Akka.Actor.INoSerializationVerificationNeeded, Akka.Event.IDeadLetterSuppression;

    /// <summary>A matching echo reply came back.</summary>
    internal sealed record ReplyReceived(int Sequence) : Akka.Actor.INoSerializationVerificationNeeded, Akka.Event.IDeadLetterSuppression;

    /// <summary>No more replies can be received.</summary>
    internal sealed record ListenFailed(string Reason) : Akka.Actor.INoSerializationVerificationNeeded, Akka.Event.IDeadLetterSuppression;

    /// <summary>A step failed with a typed error.</summary>
    internal sealed record StepFailed(ProbeError Error) : Akka.Actor.INoSerializationVerificationNeeded, Akka.Event.IDeadLetterSuppression;
}
