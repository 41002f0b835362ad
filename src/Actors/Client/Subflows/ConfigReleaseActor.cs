using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.Client.Operations;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client.Subflows;

/// <summary>How a configuration is released (client rules 33–35).</summary>
public enum ReleaseMode
{
    /// <summary>Cleanup: always <c>/disconnect</c>, then forget the configuration times.</summary>
    Always,
    /// <summary>Profile or location change, renew: <c>/disconnect</c> a live configuration, then forget its times; a failure fails.</summary>
    IfLive,
    /// <summary>Remove: <c>/disconnect</c> a live configuration while the tokens still exist; a failure does not stop the caller (rule 34).</summary>
    IfLiveBestEffort,
}

/// <summary><c>/disconnect</c> of a server's configuration and, unless best effort, its times forgotten in the registry. Answers <see cref="ConfigReleaseDone"/>.</summary>
internal sealed class ConfigReleaseActor : SubflowActor
{
    private readonly SessionTarget _target;
    private readonly ServerRecord _record;
    private readonly ReleaseMode _mode;
    private bool _reached;

    /// <summary>Creates the release; use <see cref="Props"/>.</summary>
    public ConfigReleaseActor(OperationContext operation, SessionTarget target, ServerRecord record, ReleaseMode mode) : base(operation)
    {
        _target = target;
        _record = record;
        _mode = mode;
    }

    /// <summary>A release of <paramref name="record"/>'s configuration at <paramref name="target"/>'s API.</summary>
    public static Props Props(OperationContext operation, SessionTarget target, ServerRecord record, ReleaseMode mode) =>
        Akka.Actor.Props.Create(() => new ConfigReleaseActor(operation, target, record, mode));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        if (_mode != ReleaseMode.Always && _record.ConfigExpiresAt is null)
        {
            Finish(new ConfigReleaseDone(_record, Reached: false));
            return;
        }
        AskSession(_target, new ReleaseConfig(NextId("disconnect"), _target.ApiBaseUrl));
        Become(Disconnecting);
    }

    private void Disconnecting()
    {
        Receive<ConfigReleased>(released => Awaits(released.RequestId), released =>
        {
            _reached = released.Reached;
            if (_mode == ReleaseMode.IfLiveBestEffort)
            {
                Finish(new ConfigReleaseDone(_record, _reached));
                return;
            }
            AskRegistry(new RecordConfigReleased(NextId("registry"), Operation.Server));
            Become(Forgetting);
        });
        HandleCommon();
    }

    private void Forgetting()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), updated => Finish(new ConfigReleaseDone(updated.Server!, _reached)));
        HandleCommon();
    }

    /// <inheritdoc/>
    protected override void OnSessionFailed(SessionRequestFailed failed)
    {
        if (_mode != ReleaseMode.IfLiveBestEffort)
        {
            base.OnSessionFailed(failed);
            return;
        }
        Log.Info("The /disconnect of {Server} failed ({Kind}); carrying on", Operation.Server, failed.Failure.Kind);
        Finish(new ConfigReleaseDone(_record, Reached: false));
    }
}
