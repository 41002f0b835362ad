using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>proxyguard.md §4.3 as a pure policy, on the shipped defaults.</summary>
public sealed class RestartPolicyTests
{
    private static readonly ProxyGuardSettings Defaults = ProxyGuardSettings.FromConfig(EngineConfiguration.Defaults());
    private static readonly ProxyGuardError Refused = new(ProxyGuardErrorKind.ConnectFailed, "refused");
    private static readonly ProxyGuardError BadCertificate = new(ProxyGuardErrorKind.TlsFailed, "bad certificate");

    [Fact]
    public void QuickFailuresBackToBack_Wait2_4_8_10_10()
    {
        var waits = Run(Enumerable.Repeat((Refused, TimeSpan.FromSeconds(0.5)), 6));

        Assert.Equal([2, 4, 8, 10, 10, 10], waits);
    }

    [Fact]
    public void LongAttempt_StartsTheTableOver_OneSecond()
    {
        // Idle close after 60 s: back to the first entry (the reference's 1 s after an idle close).
        var waits = Run([(Refused, TimeSpan.FromSeconds(1)), (Refused, TimeSpan.FromSeconds(1)), (Refused, TimeSpan.FromSeconds(60.5)), (Refused, TimeSpan.FromSeconds(2))]);

        Assert.Equal([2, 4, 1, 2], waits);
    }

    [Fact]
    public void ExactlyTheResetThreshold_CountsAsLong()
    {
        Assert.Equal([2, 1], Run([(Refused, TimeSpan.FromSeconds(9.999)), (Refused, TimeSpan.FromSeconds(10))]));
    }

    [Theory]
    [InlineData(ProxyGuardErrorKind.UnexpectedStatus)]
    [InlineData(ProxyGuardErrorKind.BadConnectionHeader)]
    [InlineData(ProxyGuardErrorKind.BadUpgradeHeader)]
    [InlineData(ProxyGuardErrorKind.MalformedResponse)]
    [InlineData(ProxyGuardErrorKind.UnexpectedAlpn)]
    [InlineData(ProxyGuardErrorKind.SocketOptionRefused)]
    [InlineData(ProxyGuardErrorKind.UdpSocketFailed)]
    public void FatalError_EndsAtOnce(ProxyGuardErrorKind kind)
    {
        var error = new ProxyGuardError(kind, "x");

        var decision = RestartPolicy.Decide(Defaults, new RestartState(2, 0), error, TimeSpan.FromSeconds(1));

        Assert.False(decision.Retry);
        Assert.Same(error, decision.Fatal);
    }

    [Theory]
    [InlineData(ProxyGuardErrorKind.ConnectFailed)]
    [InlineData(ProxyGuardErrorKind.ConnectTimeout)]
    [InlineData(ProxyGuardErrorKind.SocketHookFailed)]
    [InlineData(ProxyGuardErrorKind.TlsFailed)]
    [InlineData(ProxyGuardErrorKind.HandshakeTimeout)]
    [InlineData(ProxyGuardErrorKind.ConnectionClosed)]
    [InlineData(ProxyGuardErrorKind.ConnectionReset)]
    [InlineData(ProxyGuardErrorKind.ReadTimeout)]
    [InlineData(ProxyGuardErrorKind.TruncatedFrame)]
    public void TransportError_Retried(ProxyGuardErrorKind kind)
    {
        var decision = RestartPolicy.Decide(Defaults, RestartState.Initial, new ProxyGuardError(kind, "x"), TimeSpan.FromSeconds(1));

        Assert.True(decision.Retry);
        Assert.Equal(TimeSpan.FromSeconds(2), decision.Wait);
    }

    [Fact]
    public void TlsFailuresInARow_FatalAtTheLimit_AnotherFailureInBetweenStartsTheCountOver()
    {
        var state = RestartState.Initial;
        for (var i = 1; i < Defaults.MaxConsecutiveTlsFailures; i++)
        {
            var retried = RestartPolicy.Decide(Defaults, state, BadCertificate, TimeSpan.FromSeconds(1));
            Assert.True(retried.Retry);
            state = retried.Next;
        }
        var interrupted = RestartPolicy.Decide(Defaults, state, Refused, TimeSpan.FromSeconds(1)).Next;
        Assert.Equal(0, interrupted.ConsecutiveTlsFailures);

        var last = RestartPolicy.Decide(Defaults, state, BadCertificate, TimeSpan.FromSeconds(1));

        Assert.False(last.Retry);
        Assert.Equal(ProxyGuardErrorKind.TlsFailed, last.Fatal!.Kind);
        Assert.Contains("5 TLS failures in a row", last.Fatal.Message, StringComparison.Ordinal);
        Assert.Contains("bad certificate", last.Fatal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoTlsLimit_RetriesForever()
    {
        var unlimited = Defaults with { MaxConsecutiveTlsFailures = 0 };
        var state = RestartState.Initial;
        for (var i = 0; i < 100; i++)
        {
            var decision = RestartPolicy.Decide(unlimited, state, BadCertificate, TimeSpan.FromSeconds(1));
            Assert.True(decision.Retry);
            state = decision.Next;
        }
    }

    [Fact]
    public void Settings_ShippedDefaults_AreTheReferencesNumbers()
    {
        Assert.Equal(ProxyGuardSettings.Default, Defaults with { Backoff = ProxyGuardSettings.Default.Backoff });
        Assert.Equal([1, 2, 4, 8, 10], Defaults.Backoff.Select(t => t.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(60), Defaults.ReadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), Defaults.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), Defaults.BackoffResetAfter);
    }

    [Theory]
    [InlineData("eduvpn.proxyguard.backoff = []")]
    [InlineData("eduvpn.proxyguard.read-timeout = 0s")]
    [InlineData("eduvpn.proxyguard.queue-bytes = 1000")]
    [InlineData("eduvpn.proxyguard.max-consecutive-tls-failures = -1")]
    public void Settings_OutOfRange_ConfigurationException(string hocon)
    {
        Assert.Throws<ConfigurationException>(() => ProxyGuardSettings.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(EngineConfiguration.Defaults())));
    }

    private static List<double> Run(IEnumerable<(ProxyGuardError Error, TimeSpan Duration)> attempts)
    {
        var state = RestartState.Initial;
        var waits = new List<double>();
        foreach (var (error, duration) in attempts)
        {
            var decision = RestartPolicy.Decide(Defaults, state, error, duration);
            Assert.True(decision.Retry);
            waits.Add(decision.Wait.TotalSeconds);
            state = decision.Next;
        }
        return waits;
    }
}
