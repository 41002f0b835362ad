using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.TestServer;

/// <summary>A user in front of an engine: logs in (as alice) whenever it shows an authorization URL.</summary>
public static class EngineUser
{
    /// <summary>
    /// Follows <paramref name="engine"/>'s state changes until <paramref name="cancellationToken"/> ends them, and
    /// logs in at every authorization URL; <paramref name="beforeLogin"/> runs first (a test's moment to act).
    /// </summary>
    public static async Task LogInWhenAskedAsync(EduVpnEngine engine, CancellationToken cancellationToken, Action? beforeLogin = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        try
        {
            await foreach (var change in engine.StateChangesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (change.Data is AuthorizationUrlData url)
                {
                    beforeLogin?.Invoke();
                    using var browser = new TestBrowser();
                    var callback = await browser.AuthorizeAsync(url.Url, "alice", "alice-password", cancellationToken: cancellationToken).ConfigureAwait(false);
                    using var response = await browser.FollowAsync(callback, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
