using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Client.Operations;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Actors.Client.Subflows;

/// <summary>The host answered a question: <paramref name="Answer"/> is one of its choices (as offered).</summary>
internal sealed record HostAnswered(string Answer) : INoSerializationVerificationNeeded;

/// <summary>
/// Asks the host a profile or location question (AskProfile / AskLocation with its data) and waits for an answer
/// that is one of the choices. A wrong answer leaves the question open (the host may answer again or cancel); an
/// accepted one moves back to GettingConfig and is confirmed to the host. The user may think, but not forever:
/// <see cref="ClientSettings.QuestionTimeout"/> ends the operation. Answers <see cref="HostAnswered"/>.
/// </summary>
internal sealed class HostQuestionActor : SubflowActor
{
    private readonly ConnectionStateData _question;

    /// <summary>Creates the question; use <see cref="Props"/>.</summary>
    public HostQuestionActor(OperationContext operation, ConnectionStateData question) : base(operation) => _question = question;

    /// <summary>A question of <paramref name="question"/>'s kind (a <see cref="ProfileQuestion"/> or <see cref="LocationQuestion"/>).</summary>
    public static Props Props(OperationContext operation, ConnectionStateData question) =>
        question is ProfileQuestion or LocationQuestion
            ? Akka.Actor.Props.Create(() => new HostQuestionActor(operation, question))
            : throw new ArgumentException($"not a question: {question.GetType().Name}", nameof(question));

    private string QuestionId => _question is ProfileQuestion profile ? profile.QuestionId : ((LocationQuestion)_question).QuestionId;

    private string What => _question is ProfileQuestion ? "profile" : "location";

    /// <inheritdoc/>
    protected override void PreStart()
    {
        Transition(_question is ProfileQuestion ? ConnectionState.AskProfile : ConnectionState.AskLocation, _question);
        WaitFor("host", null, Operation.Settings.QuestionTimeout);
        Become(Asking);
    }

    private void Asking()
    {
        Receive<AnswerQuestion>(answer => answer.QuestionId == QuestionId, answer =>
        {
            if (Check(answer.Answer) is { } wrong)
            {
                Sender.Tell(new ClientRequestFailed(answer.RequestId, wrong));
                return;
            }
            Transition(ConnectionState.GettingConfig);
            Sender.Tell(new QuestionAnswered(answer.RequestId));
            Finish(new HostAnswered(answer.Answer));
        });
        HandleCommon();
    }

    /// <summary>Why an answer is not one of the choices, or null.</summary>
    private ClientError? Check(string answer)
    {
        if (_question is ProfileQuestion profiles)
        {
            try
            {
                ProfileChoice.Accept(profiles.Profiles, answer);
                return null;
            }
            catch (ApiException e)
            {
                return new ClientError(ClientErrorKind.InvalidState, e.Message);
            }
        }
        return ((LocationQuestion)_question).CountryCodes.Contains(answer, StringComparer.OrdinalIgnoreCase)
            ? null
            : new ClientError(ClientErrorKind.UnknownLocation, $"'{answer}' is not a Secure Internet location in discovery");
    }

    /// <inheritdoc/>
    protected override void OnDeadline()
    {
        Log.Info("The {What} question of {Server} was not answered within {Limit}; the operation ends", What, Operation.Server, Operation.Settings.QuestionTimeout);
        Fail(new ClientError(ClientErrorKind.Timeout,
            $"the {What} question was not answered within {Operation.Settings.QuestionTimeout.TotalSeconds:0.###} seconds"));
    }
}
