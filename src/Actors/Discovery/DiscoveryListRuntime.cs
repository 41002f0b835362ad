using Akka.Actor;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Actors.Discovery;

/// <summary>Per-list run-time facts of the discovery actor that are not worth persisting (owned by that actor alone).</summary>
internal sealed class DiscoveryListRuntime
{
    public ParsedDiscovery? View { get; set; }
    public DiscoverySource Source { get; set; } = DiscoverySource.None;
    public bool CheckedThisRun { get; private set; }
    public long LastFailureAtMs { get; set; }
    public DiscoveryWarning? Warning { get; set; }
    public bool Fetching { get; set; }
    public List<(IActorRef ReplyTo, object Query)> Waiters { get; } = [];

    public void Succeeded()
    {
        CheckedThisRun = true;
        LastFailureAtMs = 0;
        Warning = null;
    }

    /// <summary>The refresh succeeded but could not be stored: <paramref name="fetched"/> (a new list, or null when the held one was confirmed) is used, with <paramref name="warning"/>.</summary>
    public void UsedUnstored(ParsedDiscovery? fetched, DiscoveryWarning warning)
    {
        if (fetched is not null)
        {
            View = fetched;
            Source = DiscoverySource.Network;
        }
        Succeeded();
        Warning = warning;
    }
}
