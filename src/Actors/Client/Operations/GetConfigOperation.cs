using Akka.Actor;
using Akka.Event;
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
    private Question? _question;
    private Profile _profile = null!;
    private WireGuardKeyPair? _keys;
    private ConnectRequest _connect = null!;
    private VpnConfiguration _configuration = null!;
    private DateTimeOffset _obtainedAt;

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
            AuthorizeOrAskLocation(resolved.Result as SessionTarget);
        });
        HandleCommon();
    }

    private void AuthorizeOrAskLocation(SessionTarget? target)
    {
        if (target is null)
        {
            var question = new LocationQuestion(NextId("location"), ServerResolution.Locations(_servers));
            Ask(new Question(ConnectionState.AskLocation, question, question.QuestionId, "location"));
            Become(ChoosingLocation);
            return;
        }
        RunSession(new SessionCall.Authorize(), target);
        Become(Authorizing);
    }

    private void ChoosingLocation()
    {
        Receive<AnswerQuestion>(answer => answer.QuestionId == _question?.Id, answer =>
        {
            DiscoveryServer location;
            try
            {
                location = ServerResolution.Location(_servers, answer.Answer);
            }
            catch (ClientFlowException e)
            {
                // A wrong answer leaves the question open: the host may answer again or cancel.
                Sender.Tell(new ClientRequestFailed(answer.RequestId, e.ToError()));
                return;
            }
            Answered(answer);
            AskRegistry(new RecordLocationChoice(NextId("registry"), Operation.Server, location.CountryCode, location.BaseUrl));
            Become(StoringLocation);
        });
        HandleCommon();
    }

    private void StoringLocation()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), updated => Step(() =>
        {
            _record = updated.Server!;
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
        var decision = ClientErrors.Guard(() => ProfileChoice.Choose(profiles, _record.ProfileId));
        switch (decision)
        {
            case ProfileDecision.Use use when use.Profile.Id == _record.ProfileId:
                _profile = use.Profile;
                SelectServer();
                return;
            case ProfileDecision.Use use:
                RememberProfile(use.Profile);
                return;
            case ProfileDecision.Ask ask:
                var question = new ProfileQuestion(NextId("profile"), ask.Profiles);
                Ask(new Question(ConnectionState.AskProfile, question, question.QuestionId, "profile"));
                Become(ChoosingProfile);
                return;
        }
    }

    private void ChoosingProfile()
    {
        Receive<AnswerQuestion>(answer => answer.QuestionId == _question?.Id, answer =>
        {
            var offered = ((ProfileQuestion)_question!.Data).Profiles;
            Profile profile;
            try
            {
                profile = ProfileChoice.Accept(offered, answer.Answer);
            }
            catch (ApiException e)
            {
                Sender.Tell(new ClientRequestFailed(answer.RequestId, new ClientError(ClientErrorKind.InvalidState, e.Message)));
                return;
            }
            Answered(answer);
            RememberProfile(profile);
        });
        HandleCommon();
    }

    private void RememberProfile(Profile profile)
    {
        _profile = profile;
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

    /// <summary>Asks the host; the user may think, but not forever (<see cref="ClientSettings.QuestionTimeout"/>).</summary>
    private void Ask(Question question)
    {
        _question = question;
        Transition(question.State, question.Data);
        WaitFor("host", null, Operation.Settings.QuestionTimeout);
    }

    private void Answered(AnswerQuestion answer)
    {
        _question = null;
        Transition(ConnectionState.GettingConfig);
        Sender.Tell(new QuestionAnswered(answer.RequestId));
    }

    /// <inheritdoc/>
    protected override void OnDeadline()
    {
        if (_question is not { } question)
        {
            base.OnDeadline();
            return;
        }
        Log.Info("The {What} question of {Server} was not answered within {Limit}; the operation ends", question.What, Operation.Server, Operation.Settings.QuestionTimeout);
        Fail(new ClientError(ClientErrorKind.Timeout,
            $"the {question.What} question was not answered within {Operation.Settings.QuestionTimeout.TotalSeconds:0.###} seconds"));
    }

    private void RunSession(SessionCall call, SessionTarget target) =>
        RunSubflow(SessionStepActor.Props(Operation, call, target, _record, _refreshed, resumeIn: ConnectionState.GettingConfig), "session");

    private void Absorb(SessionStepSucceeded step)
    {
        SubflowDone();
        (_target, _record, _refreshed) = (step.Target, step.Record, step.OrganizationsRefreshed);
    }

    /// <summary>The question the host is asked: the state that asks it, its data and id, and what it is about.</summary>
    private sealed record Question(ConnectionState State, ConnectionStateData Data, string Id, string What);
}
