using EduVpnActors.Actors.WireGuard;

namespace EduVpnActors.Tests.WireGuard;

public sealed class WireGuardIniTests
{
    [Fact]
    public void ParseKeyValue_NoEquals_FailsNoKeyValue()
    {
        var e = Assert.Throws<WireGuardConfigException>(() => WireGuardIni.ParseKeyValue("bla"));
        Assert.Equal(WireGuardErrorKind.NoKeyValue, e.Kind);
        Assert.Equal("no key/value found", e.Message);
    }

    [Fact]
    public void ParseKeyValue_EmptyKey_FailsEmptyKey()
    {
        var e = Assert.Throws<WireGuardConfigException>(() => WireGuardIni.ParseKeyValue("="));
        Assert.Equal(WireGuardErrorKind.EmptyKey, e.Kind);
        Assert.Equal("key cannot be empty", e.Message);
    }

    [Theory]
    [InlineData("empty=", "empty", "")]
    [InlineData("  Key  =  a = b  ", "Key", "a = b")]
    [InlineData("PublicKey = abc=", "PublicKey", "abc=")]
    public void ParseKeyValue_SplitsAtFirstEqualsAndTrims(string line, string key, string value) =>
        Assert.Equal(new KeyValuePair<string, string>(key, value), WireGuardIni.ParseKeyValue(line));

    [Fact]
    public void Parse_KeysKeepOrder_AndSerialiseWithoutBlankLinesOrComments()
    {
        var ini = WireGuardIni.Parse("# comment\n[A]\nz = 1\na = 2\n\n# another\nm =\n[B]\nk = v\n");
        Assert.Equal(["z", "a", "m"], ini.RequireSection("A").Entries.Select(e => e.Key));
        Assert.Equal("[A]\nz = 1\na = 2\nm =\n[B]\nk = v\n", ini.ToString());
    }

    [Fact]
    public void Parse_DuplicateKey_KeepsFirstValue() =>
        Assert.Equal("first", WireGuardIni.Parse("[A]\nk = first\nk = second\n").RequireSection("A").Get("k"));

    [Fact]
    public void Parse_RepeatedSection_Merges()
    {
        var ini = WireGuardIni.Parse("[A]\na = 1\n[B]\nb = 2\n[A]\nc = 3\na = 9\n");
        Assert.Equal("[A]\na = 1\nc = 3\n[B]\nb = 2\n", ini.ToString());
    }

    [Fact]
    public void Parse_SectionlessFile_IsEmpty()
    {
        var ini = WireGuardIni.Parse("a = 1\nb = 2\n");
        Assert.True(ini.IsEmpty);
        Assert.Equal("", ini.ToString());
    }

    [Fact]
    public void Parse_CaseSensitiveNames_AreDistinct()
    {
        var ini = WireGuardIni.Parse("[Interface]\nKey = 1\nkey = 2\n[interface]\n");
        Assert.Equal(["Interface", "interface"], ini.Sections.Select(s => s.Name));
        Assert.Equal("2", ini.RequireSection("Interface").Get("key"));
    }

    [Fact]
    public void Parse_CrLfAndEmptySectionNames_AreHandled()
    {
        var ini = WireGuardIni.Parse("[]\nx = 0\n[ S ]\r\nk = v\r\n[  ]\nl = w\r\n");
        Assert.Equal("[S]\nk = v\nl = w\n", ini.ToString());
    }

    [Fact]
    public void Section_SetReplacesInPlace_AndRemoveReturnsValue()
    {
        var section = WireGuardIni.Parse("[A]\na = 1\nb = 2\n").RequireSection("A");
        section.Set("a", "x");
        section.Set("c", "3");
        Assert.Equal(["a=x", "b=2", "c=3"], section.Entries.Select(e => $"{e.Key}={e.Value}"));
        Assert.Equal("2", section.Remove("b"));
        var e = Assert.Throws<WireGuardConfigException>(() => section.Remove("b"));
        Assert.Equal(WireGuardErrorKind.MissingKey, e.Kind);
        Assert.Equal("no key to remove with name: 'b'", e.Message);
    }
}
