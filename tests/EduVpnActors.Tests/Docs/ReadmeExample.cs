using System.Globalization;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Docs;

/// <summary>
/// The README's embedding example, compiled against the real API. <see cref="ReadmeExampleTests"/>
/// checks that the README shows exactly the lines between the markers.
/// </summary>
internal static class ReadmeExample
{
    public static async Task RunAsync()
    {
        // README:begin
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(
            DataDirectory: "/var/lib/myvpn", Culture: new CultureInfo("nl")));

        // Questions and the authorization URL arrive as state changes; the call subscribes at once, so
        // nothing the next request raises is missed even though the reading runs on another task.
        var changes = engine.StateChangesAsync();
        _ = Task.Run(async () =>
        {
            await foreach (var change in changes)
            {
                var server = ServerId.Parse(change.ConnectionId);
                switch (change.Data)
                {
                    case AuthorizationUrlData url: OpenBrowser(url.Url); break;
                    case ProfileQuestion q: await engine.AnswerAsync(server, q.QuestionId, Pick(q.Profiles).Id); break;
                    case LocationQuestion q: await engine.AnswerAsync(server, q.QuestionId, Pick(q.CountryCodes)); break;
                }
            }
        });

        var added = await engine.AddServerAsync(ServerType.InstituteAccess, "https://vpn.example.org/");
        try
        {
            var got = await engine.GetConfigAsync(added.Id, preferTcp: false);
            BringTunnelUp(got.Configuration);                        // WireGuard INI or OpenVPN config
            await engine.SetConnectionStateAsync(added.Id, ConnectionState.Connecting);
            await engine.SetConnectionStateAsync(added.Id, ConnectionState.Connected);
            if (got.Configuration.ShouldFailover)
            {
                try
                {
                    if ((await engine.StartFailoverAsync(added.Id, 1400, "wg0")).Dropped)
                    {
                        // dropped: reconnect with preferTcp: true
                    }
                    // else: traffic flows over UDP, stay
                }
                catch (EduVpnException e) when (e.Kind == ClientErrorKind.ProbeFailed)
                {
                    ShowError(e.LocalizedMessage);                   // could not probe (e.Error.Probe says why): neither
                }
            }
            // … later: tunnel down, then
            await engine.SetConnectionStateAsync(added.Id, ConnectionState.Disconnecting);
            await engine.SetConnectionStateAsync(added.Id, ConnectionState.Disconnected);
            await engine.CleanupAsync(added.Id);                    // /disconnect, best effort
        }
        catch (EduVpnException e)
        {
            ShowError(e.LocalizedMessage);                           // in one of 11 languages; branch on e.Kind
        }
        // README:end
    }

    private static void OpenBrowser(Uri url) => _ = url;

    private static Profile Pick(IReadOnlyList<Profile> profiles) => profiles[0];

    private static string Pick(IReadOnlyList<string> countryCodes) => countryCodes[0];

    private static void BringTunnelUp(VpnConfiguration configuration) => _ = configuration;

    private static void ShowError(string message) => _ = message;
}
