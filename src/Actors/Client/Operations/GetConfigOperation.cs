using Akka.Actor;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Client.Subflows;
using EduVpnActors.Actors.Servers.Logic;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client.Operations;

/// <summary>
/// <c>GetConfig</c> (behaviour reference §1.7): the server's record, its target in discovery (asking the
/// location when it has none), authorization, <c>/info</c> and the profile (asking when there is a choice),
/// <c>/connect</c> with a fresh key pair, and the configuration's times stored before GotConfig.
/// </summary>
internal sealed class GetConfigOperation : RecordOperationActor
{
    private readonly GetConfig _request;
    private ServerRecord _record = null!;
    private ServerList _servers = ServerList.Empty;
    private OrganizationList _organizations = OrganizationList.Empty;
    private SessionTarget _target = null!;
    private bool _refreshed;
    private IReadOnlyList<Profile> _offered = [];
    private Profile _profile = null!;
    private DiscoveryServer? _location;
    private WireGuardKeyPair? _keys;
    private ConnectRequest _connect = null!;
    private VpnConfiguration _configuration = null!;
    private DateTimeOffset _obtainedAt;
    private bool _issued;

    /// <summary>Creates the operation; use <see cref="Props"/>.</summary>
    public GetConfigOperation(OperationContext operation, GetConfig request) : base(operation, request.RequestId) => _request = request;

    /// <summary>The operation answering <paramref name="request"/>.</summary>
    public static Props Props(OperationContext operation, GetConfig request) =>
        Akka.Actor.Props.Create(() => new GetConfigOperation(operation, request));

    /// <inheritdoc/>
    protected override void OnRecord(ServerRecord record)
    {
        _record = record;
        LookUp(new DiscoveryQuery.Target(_record), _refreshed);
        Become(ResolvingTarget);
    }

    private void ResolvingTarget()
    {
        Receive<DiscoveryResolved>(_ => FromSubflow(Sender), resolved =>
        {
            SubflowDone();
            (_servers, _organizations, _refreshed) = (resolved.Servers, resolved.Organizations, resolved.OrganizationsRefreshed);
            if (_request.CountryCode is { } wanted)
            {
                Step(() => ChooseLocation(wanted, resolved.Result as SessionTarget));
                return;
            }
            AuthorizeOrAskLocation(resolved.Result as SessionTarget);
        });
        HandleCommon();
    }

    private void AuthorizeOrAskLocation(SessionTarget? target)
    {
        if (target is null)
        {
            RunSubflow(HostQuestionActor.Props(Operation, new LocationQuestion(NextId("location"), ServerResolution.Locations(_servers))), "question");
            Become(ChoosingLocation);
            return;
        }
        RunSession(new SessionCall.Authorize(), target);
        Become(Authorizing);
    }

    /// <summary>The host chose the location for this configuration (<c>--location</c>): checked, and remembered as <c>SetLocation</c> would.</summary>
    private void ChooseLocation(string wanted, SessionTarget? current)
    {
        if (HostChoices.Location(_record, _servers, wanted, out var location) is { } wrong)
        {
            Fail(wrong);
            return;
        }
        if (string.Equals(_record.LocationCountryCode, location!.CountryCode, StringComparison.OrdinalIgnoreCase))
        {
            AuthorizeOrAskLocation(current);
            return;
        }
        _location = location;
        ReleaseThen(current ?? ServerResolution.HomeOnlyTarget(_record, _servers, _organizations));
    }

    private void StoreLocation()
    {
        AskRegistry(new RecordLocationChoice(NextId("registry"), Operation.Server, _location!.CountryCode, _location.BaseUrl));
        Become(StoringLocation);
    }

    /// <summary>A new choice makes a live configuration of the old one useless: <c>/disconnect</c> first (rules 33–35).</summary>
    private void ReleaseThen(SessionTarget target)
    {
        RunSubflow(ConfigReleaseActor.Props(Operation, target, _record, ReleaseMode.IfLive), "release");
        Become(Releasing);
    }

    private void Releasing()
    {
        Receive<ConfigReleaseDone>(_ => FromSubflow(Sender), released =>
        {
            SubflowDone();
            if (released.Record.ConfigExpiresAt != _record.ConfigExpiresAt)
            {
                // The released configuration is for the old choice: a GotConfig must not offer it again.
                Operation.Connection.Tell(LiveConfigurationReleased.Instance);
            }
            _record = released.Record;
            // A location is chosen before authorization, a profile after /info: whichever is pending goes on.
            if (_location is not null)
            {
                StoreLocation();
                return;
            }
            RememberProfile(_profile);
        });
        HandleCommon();
    }

    private void ChoosingLocation()
    {
        Receive<HostAnswered>(_ => FromSubflow(Sender), answered =>
        {
            SubflowDone();
            _location = ServerResolution.Location(_servers, answered.Answer);
            StoreLocation();
        });
        HandleCommon();
    }

    private void StoringLocation()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), updated => Step(() =>
        {
            (_record, _location) = (updated.Server!, null);
            AuthorizeOrAskLocation(ServerResolution.Target(_record, _servers, _organizations));
        }));
        HandleCommon();
    }

    private void Authorizing()
    {
        Receive<SessionStepSucceeded>(_ => FromSubflow(Sender), authorized =>
        {
            Absorb(authorized);
            RunSession(new SessionCall.Info(), _target);
            Become(FetchingInfo);
        });
        HandleCommon();
    }

    private void FetchingInfo()
    {
        Receive<SessionStepSucceeded>(_ => FromSubflow(Sender), fetched => Step(() =>
        {
            Absorb(fetched);
            ChooseProfile(((InfoFetched)fetched.Reply).Profiles);
        }));
        HandleCommon();
    }

    private void ChooseProfile(IReadOnlyList<Profile> profiles)
    {
        switch (ClientErrors.Guard(() => HostChoices.ProfileFor(profiles, _record, _request.ProfileId)))
        {
            case ProfileStep.Use use:
                RememberProfile(use.Profile);
                return;
            case ProfileStep.ReleaseFirst release:
                _profile = release.Profile;
                ReleaseThen(_target);
                return;
            case ProfileStep.Refused refused:
                Fail(refused.Error);
                return;
            case ProfileStep.Ask ask:
                _offered = ask.Profiles;
                RunSubflow(HostQuestionActor.Props(Operation, new ProfileQuestion(NextId("profile"), ask.Profiles)), "question");
                Become(ChoosingProfile);
                return;
        }
    }

    private void ChoosingProfile()
    {
        Receive<HostAnswered>(_ => FromSubflow(Sender), answered =>
        {
            SubflowDone();
            RememberProfile(_offered.First(p => p.Id == answered.Answer));
        });
        HandleCommon();
    }

    private void RememberProfile(Profile profile)
    {
        _profile = profile;
        if (profile.Id == _record.ProfileId)
        {
            SelectServer();
            return;
        }
        AskRegistry(new RecordProfileChoice(NextId("registry"), Operation.Server, profile.Id));
        Become(StoringProfile);
    }

    private void StoringProfile()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), updated =>
        {
            _record = updated.Server!;
            SelectServer();
        });
        HandleCommon();
    }

    // eduvpn-common marks the server current before it connects.
    private void SelectServer()
    {
        AskRegistry(new SelectCurrentServer(NextId("registry"), Operation.Server));
        Become(SelectingServer);
    }

    private void SelectingServer()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), _ => Step(() =>
        {
            var settings = Operation.Settings;
            _keys = settings.Protocols.Contains(VpnProtocol.WireGuard) ? WireGuardKeys.Generate() : null;
            _connect = ClientErrors.Guard(() => ConnectRequest.Build(_profile, [.. settings.Protocols], _request.PreferTcp, _keys?.PublicKey, settings.PreferWireGuard));
            RunSession(new SessionCall.Connect(_connect.Fields, _connect.Accept), _target);
            Become(RequestingConfig);
        }));
        HandleCommon();
    }

    private void RequestingConfig()
    {
        Receive<SessionStepSucceeded>(_ => FromSubflow(Sender), received => Step(() =>
        {
            _issued = true;
            Absorb(received);
            var reply = (ConfigReceived)received.Reply;
            _obtainedAt = Deps.Time.GetUtcNow();
            _configuration = ClientErrors.Guard(() =>
                ConnectResponse.Process(_connect, reply.ContentType, reply.Expires, reply.Body, _keys?.PrivateKey, Deps.Ports, _obtainedAt));
            AskRegistry(new RecordConfigObtained(NextId("registry"), Operation.Server, _obtainedAt, _configuration.Expires));
            Become(StoringConfig);
        }));
        HandleCommon();
    }

    private void StoringConfig()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), updated =>
        {
            var authorizedAt = updated.Server!.LastAuthorizedAt ?? _obtainedAt;
            var expiry = ExpiryCalculator.Calculate(authorizedAt, _configuration.Expires, Operation.Settings.ExpiryPolicy);
            Transition(ConnectionState.GotConfig, new ConfigurationData(Operation.Server, _profile.Id, _configuration));
            Complete(new ConfigObtained(_request.RequestId, Operation.Server, _profile.Id, _configuration, expiry));
        });
        HandleCommon();
    }

    /// <inheritdoc/>
    protected override void OnFailing(ClientError error)
    {
        // Issued but never handed to the host (unusable, not stored): released best effort (rule 34) so it does
        // not count against the user until it expires. Nobody waits for the answer.
        if (_issued)
        {
            Deps.Sessions.Tell(Envelope(_target, new ReleaseConfig(NextId("release-unused"), _target.ApiBaseUrl)), ActorRefs.NoSender);
        }
    }

    private void RunSession(SessionCall call, SessionTarget target) =>
        RunSubflow(SessionStepActor.Props(Operation, call, target, _record, _refreshed, resumeIn: ConnectionState.GettingConfig), "session");

    private void Absorb(SessionStepSucceeded step)
    {
        SubflowDone();
        (_target, _record, _refreshed) = (step.Target, step.Record, step.OrganizationsRefreshed);
    }
}
