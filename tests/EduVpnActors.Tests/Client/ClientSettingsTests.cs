using Akka.Configuration;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Configuration;

namespace EduVpnActors.Tests.Client;

/// <summary><c>eduvpn.connection</c> as the client flow reads it.</summary>
public sealed class ClientSettingsTests
{
    [Fact]
    public void BundledDefaults_ReplyTimeoutIs30Seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), ClientSettings.FromConfig(EngineConfiguration.Defaults()).ReplyTimeout);
        Assert.Equal(ClientSettings.DefaultReplyTimeout, ClientSettings.Default.ReplyTimeout);
    }

    [Fact]
    public void HostOverride_ReplyTimeoutTaken()
    {
        var config = ConfigurationFactory.ParseString("eduvpn.connection.reply-timeout = 2500ms").WithFallback(EngineConfiguration.Defaults());
        Assert.Equal(TimeSpan.FromMilliseconds(2500), ClientSettings.FromConfig(config).ReplyTimeout);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("0ms")]
    public void NotPositive_Refused(string value)
    {
        var config = ConfigurationFactory.ParseString($"eduvpn.connection.reply-timeout = {value}").WithFallback(EngineConfiguration.Defaults());
        Assert.Throws<ConfigurationException>(() => ClientSettings.FromConfig(config));
    }
}
