using System.Diagnostics;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Configuration;

/// <summary>
/// The whole configuration is checked once, up front (<see cref="EngineConfiguration.Validate"/>): every
/// bad value is an <see cref="EngineConfigurationException"/> naming its key, never Akka's overflow,
/// format or null-reference exception from deep inside an actor's start.
/// </summary>
public sealed class ConfigurationValidationTests : IDisposable
{
    private readonly TempDataDirectory _dir = new();

    public ConfigurationValidationTests() => Directory.CreateDirectory(_dir.Path);

    [Fact]
    public void Defaults_AreValid() => EngineConfiguration.Validate(EngineConfiguration.Defaults());

    [Fact]
    public void Rules_CoverExactlyTheKeysOfTheDefaults()
    {
        // A key added to hocon/ without a rule (or a rule for a key that is gone) fails here, not in production.
        var keys = ConfigurationRules.LeafKeys(EngineConfiguration.Defaults());

        Assert.Equal(keys.Order(StringComparer.Ordinal), ConfigurationRules.Rules.Select(r => r.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("eduvpn.http.max-redirects = 99999999999999999999", "eduvpn.http.max-redirects")]
    [InlineData("eduvpn.http.max-response-bytes = 99999999999999999999999", "eduvpn.http.max-response-bytes")]
    [InlineData("eduvpn.oauth.callback-port = 70000", "eduvpn.oauth.callback-port")]
    [InlineData("eduvpn.failover.count = 0", "eduvpn.failover.count")]
    [InlineData("eduvpn.failover.count = 1.5", "eduvpn.failover.count")]
    [InlineData("eduvpn.http.timeout = -5s", "eduvpn.http.timeout")]
    [InlineData("eduvpn.http.timeout = 0s", "eduvpn.http.timeout")]
    [InlineData("eduvpn.http.timeout = infinite", "eduvpn.http.timeout")]
    [InlineData("eduvpn.http.timeout = soon", "eduvpn.http.timeout")]
    [InlineData("eduvpn.oauth.expiry-margin = -1s", "eduvpn.oauth.expiry-margin")]
    [InlineData("eduvpn.connection.reply-timeout = { a = 1 }", "eduvpn.connection.reply-timeout")]
    [InlineData("eduvpn.connection.prefer-wireguard = maybe", "eduvpn.connection.prefer-wireguard")]
    [InlineData("eduvpn.connection.protocols = wireguard", "eduvpn.connection.protocols")]
    [InlineData("eduvpn.connection.protocols = [wireguard, [openvpn]]", "eduvpn.connection.protocols")]
    [InlineData("eduvpn.connection.protocols = [carrier-pigeon]", "eduvpn.connection.protocols")]
    [InlineData("eduvpn.client.id = \"\"", "eduvpn.client.id")]
    [InlineData("eduvpn.discovery.base-url = \"http://disco.example/\"", "eduvpn.discovery.base-url")]
    [InlineData("eduvpn.discovery.base-url = \"not a url\"", "eduvpn.discovery.base-url")]
    [InlineData("eduvpn.discovery.trusted-keys = []", "eduvpn.discovery")]
    [InlineData("eduvpn.http.minimum-tls = ssl3", "eduvpn.http.minimum-tls")]
    [InlineData("eduvpn.http.extra-trusted-certificate = \"/nonexistent/cert.pem\"", "eduvpn.http.extra-trusted-certificate")]
    [InlineData("eduvpn.oauth.loopback-host = localhost", "eduvpn.oauth.loopback-host")]
    [InlineData("eduvpn.htpp.timeout = 5s", "eduvpn.htpp.timeout")]
    [InlineData("eduvpn.http = 5", "eduvpn.http")]
    public void BadValue_IsATypedErrorNamingTheKey(string hocon, string key)
    {
        var error = Assert.Throws<EngineConfigurationException>(() => Validate(hocon));

        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eduvpn.http.timeout = 250ms")]
    [InlineData("eduvpn.oauth.expiry-margin = 0s")]
    [InlineData("eduvpn.discovery.extra-trusted-keys = []")]
    [InlineData("eduvpn.connection.protocols = [wireguard]")]
    [InlineData("eduvpn.connection.prefer-wireguard = on")]
    [InlineData("eduvpn.client.friendly-name = \"My VPN\"")]
    [InlineData("akka.loglevel = DEBUG")]
    public void GoodValue_IsAccepted(string hocon) => Validate(hocon);

    [Fact]
    public void CertificateFile_ThatIsNoCertificate_NamesTheKeyAndTheFile()
    {
        var notACertificate = Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");

        var error = Assert.Throws<EngineConfigurationException>(() => Validate($"eduvpn.http.extra-trusted-certificate = \"{notACertificate}\""));

        Assert.Equal("eduvpn.http.extra-trusted-certificate", error.Key);
        Assert.Equal(notACertificate, error.File);
        Validate($"eduvpn.http.extra-trusted-certificate = \"{TestCertificate.PemPath}\"");
    }

    [Fact]
    public void ForDataDirectory_ValidatesBeforeItCreatesAnything()
    {
        var data = Path.Combine(_dir.Path, "data");

        Assert.Throws<EngineConfigurationException>(() =>
            EngineConfiguration.ForDataDirectory(data, ConfigurationFactory.ParseString("eduvpn.http.timeout = -1s")));

        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public void Include_RelativeToTheIncludingFile_IsRead_AndALaterFileWins()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "conf.d"));
        Write("conf.d/http.conf", "eduvpn.http.timeout = 3s\neduvpn.http.max-redirects = 4\n");
        var main = Write("main.conf", "# a comment with [brackets] and {braces}\ninclude \"conf.d/http.conf\"\neduvpn.client.friendly-name = \"A [bracket] in a string\"\n");
        var later = Write("later.conf", "eduvpn.http.max-redirects = 5\n");

        var config = HoconFiles.Read([main, later]);

        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("eduvpn.http.timeout"));
        Assert.Equal(5, config.GetInt("eduvpn.http.max-redirects"));
        Assert.Equal("A [bracket] in a string", config.GetString("eduvpn.client.friendly-name"));
    }

    [Fact]
    public void Include_OfAMissingFile_NamesIt()
    {
        var main = Write("main.conf", "include \"missing.conf\"\n");

        var error = Assert.Throws<EngineConfigurationException>(() => HoconFiles.Read([main]));

        Assert.Equal(Path.Combine(_dir.Path, "missing.conf"), error.File);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("self")]
    [InlineData("mutual")]
    public void Include_Cycle_IsAnError(string shape)
    {
        var main = Write("a.conf", shape == "self" ? "include \"a.conf\"\n" : "include \"b.conf\"\n");
        Write("b.conf", "include \"a.conf\"\n");

        var error = Assert.Throws<EngineConfigurationException>(() => HoconFiles.Read([main]));

        Assert.Equal(main, error.File);
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_NamesIt() =>
        Assert.Equal(Path.Combine(_dir.Path, "nope.conf"),
            Assert.Throws<EngineConfigurationException>(() => HoconFiles.Read([Path.Combine(_dir.Path, "nope.conf")])).File);

    [Theory]
    [InlineData("a = [1, 2\nb = 3\n", "line 1")] // Akka's parser loops forever on this one
    [InlineData("eduvpn {\n  http {\n", "line 2")]
    [InlineData("a = 1 }\n", "line 1")]
    [InlineData("a = [1, 2}\n", "line 1")]
    [InlineData("a = \"not closed\nb = 2\n", "line 1")]
    [InlineData("a = \"\"\"never closed\n", "line 1")]
    [InlineData("x = 1\ninclude file(\"other.conf\")\n", "line 2")]
    [InlineData("include required(\"other.conf\")\n", "line 1")]
    public void BrokenSyntax_IsAnErrorWithTheLine_AtOnce(string text, string line)
    {
        var file = Write("broken.conf", text);
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<EngineConfigurationException>(() => HoconFiles.Read([file]));

        Assert.Equal(file, error.File);
        Assert.Contains(line, error.Message, StringComparison.Ordinal);
        // Found by the syntax check, not by the parser's deadline.
        Assert.True(clock.Elapsed < HoconFiles.ParseDeadline, $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("include \"other.conf\"")]
    [InlineData("a = [1, 2\nb = 3")]
    public void HostingOptionsHocon_WithoutAFile_IncludeOrBrokenSyntax_IsTyped(string hocon)
    {
        var options = new EduVpnActors.Actors.Hosting.EduVpnHostingOptions { Hocon = hocon };

        var error = Assert.Throws<EngineConfigurationException>(() => options.ToOverrides());

        Assert.Null(error.File);
    }

    [Fact]
    public void HostingOptionsHocon_Valid_IsRead() =>
        Assert.Equal(7, new EduVpnActors.Actors.Hosting.EduVpnHostingOptions { Hocon = "eduvpn.http.max-redirects = 7" }.ToOverrides().GetInt("eduvpn.http.max-redirects"));

    public void Dispose() => _dir.Dispose();

    private static void Validate(string hocon) =>
        EngineConfiguration.Validate(ConfigurationFactory.ParseString(hocon).WithFallback(EngineConfiguration.Defaults()));

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }
}
