using System.Globalization;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Messages.Client;
using EduVpnActors.Tests.HostCommands;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Localization;

/// <summary>
/// Issue 12 §9 through the real console host: with the user's locale in <c>LC_ALL</c> (as a desktop session
/// sets it) a typed error reads in that language: the host's output carries every satellite assembly.
/// </summary>
public sealed class ConsoleHostLanguageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly TempDataDirectory _data = new();
    private HostProcess? _host;

    private HostProcess Host => _host ??= OfflineHost.In(_data);

    [Theory]
    [InlineData("cs_CZ.UTF-8", "cs")]
    [InlineData("da_DK.UTF-8", "da")]
    [InlineData("es_ES.UTF-8", "es")]
    [InlineData("fr_FR.UTF-8", "fr")]
    [InlineData("it_IT.UTF-8", "it")]
    [InlineData("pt_BR.UTF-8", "pt")]
    [InlineData("sl_SI.UTF-8", "sl")]
    [InlineData("uk_UA.UTF-8", "uk")]
    public async Task UnknownServer_ForAPerson_InTheirLanguage(string locale, string language)
    {
        var expected = ErrorTexts.For(ClientErrorKind.UnknownServer, CultureInfo.GetCultureInfo(language));

        var run = await Host.RunAsync(["connect", "https://nosuch.example.org/"], null, Timeout,
            new HostRunOptions(Json: false, new Dictionary<string, string?> { ["LC_ALL"] = locale }));

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Equal(expected, run.Stderr.Split('\n')[0].Trim());
        Assert.NotEqual(ErrorTexts.For(ClientErrorKind.UnknownServer, CultureInfo.GetCultureInfo("en")), expected);
        HostOutputContractTests.AssertNoStackTrace(run.Stderr);
    }

    public void Dispose() => _data.Dispose();
}
