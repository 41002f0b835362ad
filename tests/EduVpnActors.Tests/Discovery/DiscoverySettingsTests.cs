using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Discovery.Signatures;

namespace EduVpnActors.Tests.Discovery;

/// <summary>Trusted discovery keys from the HOCON: the production keys stay unless a host replaces them on purpose.</summary>
public sealed class DiscoverySettingsTests
{
    private const string ExtraKey = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

    [Fact]
    public void Defaults_TrustTheTwoProductionKeys()
    {
        var settings = DiscoverySettings.FromConfig(EngineConfiguration.Defaults());

        Assert.Equal(MinisignVerifier.ProductionKeys, settings.TrustedKeys);
    }

    [Fact]
    public void ExtraTrustedKeys_AreAddedAfterTheProductionKeys()
    {
        var settings = Read($$"""eduvpn.discovery.extra-trusted-keys = ["{{ExtraKey}}", " {{ExtraKey}} "]""");

        Assert.Equal([.. MinisignVerifier.ProductionKeys, ExtraKey], settings.TrustedKeys);
    }

    [Fact]
    public void TrustedKeys_Replaced_DropTheProductionKeys()
    {
        var settings = Read($$"""eduvpn.discovery.trusted-keys = ["{{ExtraKey}}"]""");

        Assert.Equal([ExtraKey], settings.TrustedKeys);
    }

    [Fact]
    public void NoKeyAtAll_IsAConfigurationError()
    {
        var error = Assert.Throws<ConfigurationException>(() => Read("eduvpn.discovery.trusted-keys = []"));

        Assert.Contains("no trusted key", error.Message, StringComparison.Ordinal);
    }

    private static DiscoverySettings Read(string hocon) =>
        DiscoverySettings.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(EngineConfiguration.Defaults()));
}
