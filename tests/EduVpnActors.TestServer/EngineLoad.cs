using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.TestServer;

/// <summary>What a load run measured.</summary>
public sealed record LoadFigures(
    int Servers,
    TimeSpan Duration,
    int QueriesSent,
    int QueriesAnswered,
    int TimeOuts,
    int QueryFailures,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    int Flows,
    int FlowFailures,
    int Logins,
    int DeadLetters,
    int DeadLetterAnswers,
    long HeapBeforeBytes,
    long HeapAfterBytes)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"servers {Servers}, {Duration.TotalSeconds:0.0} s: queries {QueriesSent} sent / {QueriesAnswered} answered ({QueriesAnswered / Duration.TotalSeconds:0}/s), time-outs {TimeOuts}, failures {QueryFailures}, "
        + $"latency p50 {P50Ms:0.0} ms p99 {P99Ms:0.0} ms max {MaxMs:0.0} ms; interactive flows {Flows} (failed {FlowFailures}, logins {Logins}); "
        + $"dead letters {DeadLetters} (answers among them {DeadLetterAnswers}); GC heap {HeapBeforeBytes / 1024.0 / 1024:0.0} MiB before, {HeapAfterBytes / 1024.0 / 1024:0.0} MiB after");
}

/// <summary>
/// Loads an engine the way a busy UI does: many servers in the list, a steady stream of ListServers
/// and GetConnectionState queries, and meanwhile a user who connects, disconnects and renews against
/// the portal double (custom server, browser double). Counts time-outs and the answers that ended as
/// dead letters, and the GC heap before and after.
/// </summary>
public static class EngineLoad
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    /// <param name="servers">Servers in the list (one of them the portal, added interactively; the rest custom, non-interactive).</param>
    public static async Task<LoadFigures> RunAsync(int servers, TimeSpan duration, int queriesPerSecond, string dataDirectory, CancellationToken cancellationToken = default)
    {
        await using var portal = await PortalTestServer.StartAsync(new PortalOptions { Profiles = [PortalProfile.Default, PortalProfile.WireGuardOnly] }).ConfigureAwait(false);
        var overrides = ConfigurationFactory.ParseString($$"""
            eduvpn.discovery.base-url = "https://127.0.0.1:9/"
            eduvpn.http.extra-trusted-certificate = "{{TestCertificate.PemPath.Replace("\\", "\\\\", StringComparison.Ordinal)}}"
            akka.loglevel = ERROR
            akka.log-dead-letters = off
            """);
        var engine = EduVpnEngine.Start(new EduVpnEngineOptions(dataDirectory, overrides, CultureInfo.InvariantCulture));
        await using var _ = engine.ConfigureAwait(false);
        var deadLetters = new DeadLetterCounter();
        var counter = engine.Runtime.System.ActorOf(Props.Create(() => new DeadLetterCounterActor(deadLetters)));
        engine.Runtime.System.EventStream.Subscribe(counter, typeof(AllDeadLetters));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logins = 0;
        var host = Task.Run(() => ActAsUserAsync(engine, () => Interlocked.Increment(ref logins), stop.Token), CancellationToken.None);

        var main = new ServerId(ServerType.Custom, portal.BaseUrl.AbsoluteUri);
        await engine.AddServerAsync(ServerType.Custom, portal.BaseUrl.AbsoluteUri, cancellationToken: cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        var ids = new List<ServerId> { main };
        for (var i = 1; i < servers; i++)
        {
            ids.Add((await engine.AddServerAsync(ServerType.Custom, $"https://load-{i}.example.org/", interactive: false, cancellationToken).ConfigureAwait(false)).Id);
        }

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var latencies = new ConcurrentBag<double>();
        int sent = 0, answered = 0, timeOuts = 0, failures = 0, flows = 0, flowFailures = 0;
        var clock = Stopwatch.StartNew();

        // The interactive user, for the whole run.
        var flow = Task.Run(async () =>
        {
            var round = 0;
            while (clock.Elapsed < duration && !stop.IsCancellationRequested)
            {
                try
                {
                    await engine.GetConfigAsync(main, cancellationToken: stop.Token).WaitAsync(TimeSpan.FromSeconds(30), stop.Token).ConfigureAwait(false);
                    foreach (var state in new[] { ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnecting, ConnectionState.Disconnected })
                    {
                        await engine.SetConnectionStateAsync(main, state, stop.Token).ConfigureAwait(false);
                    }
                    await engine.CleanupAsync(main, stop.Token).ConfigureAwait(false);
                    if (++round % 3 == 0)
                    {
                        await engine.RenewSessionAsync(main, stop.Token).WaitAsync(TimeSpan.FromSeconds(30), stop.Token).ConfigureAwait(false);
                    }
                    Interlocked.Increment(ref flows);
                }
                catch (Exception e) when (e is EduVpnException or TimeoutException)
                {
                    Interlocked.Increment(ref flowFailures);
                }
            }
        }, CancellationToken.None);

        // The query stream: one query every 1/rate seconds, never waiting for the previous one.
        var queries = new List<Task>();
        var interval = TimeSpan.FromSeconds(1.0 / queriesPerSecond);
        var random = new Random(7);
        while (clock.Elapsed < duration)
        {
            var due = interval * sent;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            }
            var server = ids[random.Next(ids.Count)];
            var list = sent % 2 == 0;
            sent++;
            queries.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                using var timeout = new CancellationTokenSource(QueryTimeout);
                try
                {
                    if (list)
                    {
                        var listed = await engine.ListServersAsync(timeout.Token).ConfigureAwait(false);
                        if (listed.Count != ids.Count)
                        {
                            throw new InvalidOperationException($"listed {listed.Count} servers, not {ids.Count}");
                        }
                    }
                    else
                    {
                        await engine.GetConnectionStateAsync(server, timeout.Token).ConfigureAwait(false);
                    }
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Increment(ref answered);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    Interlocked.Increment(ref timeOuts);
                }
                catch (Exception e) when (e is InvalidOperationException or AskTimeoutException or EduVpnException)
                {
                    Interlocked.Increment(ref failures);
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(queries).ConfigureAwait(false);
        await flow.ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        await stop.CancelAsync().ConfigureAwait(false);
        await host.ConfigureAwait(false);
        await Task.Delay(200, CancellationToken.None).ConfigureAwait(false); // late dead letters reach the counter
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        var sorted = latencies.OrderBy(x => x).ToArray();
        double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return new LoadFigures(ids.Count, elapsed, sent, answered, timeOuts, failures, Percentile(0.5), Percentile(0.99), sorted.LastOrDefault(),
            flows, flowFailures, logins, deadLetters.All, deadLetters.Answers, heapBefore, heapAfter);
    }

    /// <summary>The host: logs in when asked and answers profile questions (alternating the two profiles).</summary>
    private static async Task ActAsUserAsync(EduVpnEngine engine, Action loggedIn, CancellationToken ct)
    {
        var answers = 0;
        try
        {
            await foreach (var change in engine.StateChangesAsync(ct).ConfigureAwait(false))
            {
                switch (change.Data)
                {
                    case AuthorizationUrlData url:
                        _ = Task.Run(async () =>
                        {
                            using var browser = new TestBrowser();
                            var callback = await browser.AuthorizeAsync(url.Url, "alice", "alice-password", cancellationToken: ct).ConfigureAwait(false);
                            using var response = await browser.FollowAsync(callback, ct).ConfigureAwait(false);
                            loggedIn();
                        }, ct);
                        break;
                    case ProfileQuestion question:
                        try
                        {
                            var profile = question.Profiles[answers++ % question.Profiles.Count].Id;
                            await engine.AnswerAsync(ServerId.Parse(change.ConnectionId), question.QuestionId, profile, ct).ConfigureAwait(false);
                        }
                        catch (EduVpnException)
                        {
                            // The question was withdrawn meanwhile.
                        }
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class DeadLetterCounter
    {
        public int All;
        public int Answers;
    }

    /// <summary>Counts dead letters, and among them the engine's own messages (answers that found nobody).</summary>
    private sealed class DeadLetterCounterActor : ReceiveActor
    {
        public DeadLetterCounterActor(DeadLetterCounter counter) =>
            Receive<AllDeadLetters>(letter =>
            {
                Interlocked.Increment(ref counter.All);
                if (letter.Message.GetType().Namespace?.StartsWith("EduVpnActors.", StringComparison.Ordinal) == true)
                {
                    Interlocked.Increment(ref counter.Answers);
                }
            });
    }
}
