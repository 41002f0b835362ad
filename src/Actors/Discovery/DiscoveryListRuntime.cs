using Akka.Actor;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Discovery.Signatures;
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

    /// <summary>True once this run verified the stored copy into <see cref="View"/>, or set it aside.</summary>
    public bool Loaded { get; private set; }

    /// <summary>
    /// Verifies <paramref name="stored"/> into <see cref="View"/> the first time this run needs it (later calls do
    /// nothing). Returns why it was set aside (with a <see cref="DiscoveryWarningKind.DamagedCache"/> warning), or null.
    /// </summary>
    public string? LoadStored(DiscoveryListKind kind, DiscoveryListAccepted? stored, MinisignVerifier verifier)
    {
        if (Loaded)
        {
            return null;
        }
        Loaded = true;
        if (stored is null)
        {
            return null;
        }
        try
        {
            verifier.Verify(stored.Document, stored.Signature, DiscoveryFetcher.FileName(kind), 0);
            View = ParsedDiscovery.Parse(kind, stored.Document);
            Source = DiscoverySource.Cache;
            return null;
        }
        catch (Exception e) when (e is SignatureException or DiscoveryFormatException)
        {
            Warning = new DiscoveryWarning(DiscoveryWarningKind.DamagedCache, $"The stored {DiscoveryFetcher.FileName(kind)} was damaged and set aside: {e.Message}");
            return e.Message;
        }
    }

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
