using System.CommandLine;
using System.Runtime.ExceptionServices;
using EduVpnActors.Actors.Discovery.Search;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Host.Output;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using Spectre.Console;

namespace EduVpnActors.Host.Commands;

/// <summary>
/// Answers the engine's questions while a command runs, and opens the browser. <c>--profile</c>/<c>--location</c> answer
/// first; else a person answers a prompt, when there is one to ask (stdin a terminal, no <c>--json</c>). A question
/// nobody can answer ends the command at once: the engine's operation is cancelled and the command fails with
/// <c>choice_required</c> (exit 6), listing the choices and the option to pass. A choice the server refuses
/// (<see cref="ClientErrorKind.InvalidChoice"/>) is offered again on a terminal, else it fails listing the choices.
/// </summary>
internal sealed class HostQuestions : IDisposable
{
    private const string Profile = "profile";
    private const string Location = "location";

    private readonly EduVpnEngine _engine;
    private readonly bool _json;
    private readonly bool _canAsk;
    private readonly CancellationTokenSource _stop;
    private string? _profile;
    private string? _location;
    private Exception? _failure;

    private HostQuestions(EduVpnEngine engine, bool json, string? profile, string? location, CancellationTokenSource stop)
    {
        _engine = engine;
        _json = json;
        _canAsk = !json && HostConsole.CanPrompt;
        _profile = profile;
        _location = location;
        _stop = stop;
    }

    /// <summary>Starts following <paramref name="engine"/>'s states; call before the request that may raise a question.</summary>
    public static HostQuestions Follow(EduVpnEngine engine, ParseResult parse, bool json, CancellationToken ct)
    {
        var questions = new HostQuestions(engine, json,
            parse.GetValue(ClientCommands.ProfileOption), parse.GetValue(ClientCommands.LocationOption), CancellationTokenSource.CreateLinkedTokenSource(ct));
        // Subscribed here, before the caller sends its request: a question it raises cannot be missed.
        var changes = engine.StateChangesAsync(questions._stop.Token);
        _ = Task.Run(() => questions.FollowAsync(changes), CancellationToken.None);
        return questions;
    }

    /// <summary>
    /// Runs <paramref name="request"/> with the <c>--profile</c> and <c>--location</c> given (or chosen again after the
    /// server refused one, on a terminal). A question that could not be answered ends it with that failure instead.
    /// </summary>
    public async Task<T> RequestAsync<T>(Func<string?, string?, Task<T>> request)
    {
        while (true)
        {
            try
            {
                return await request(_profile, _location);
            }
            catch (Exception) when (Volatile.Read(ref _failure) is { } failure)
            {
                // The operation was cancelled because of it: the question, not the cancel, is what went wrong.
                ExceptionDispatchInfo.Throw(failure);
            }
            catch (EduVpnException e) when (e.Kind == ClientErrorKind.InvalidChoice && e.Error.Choices is { } offered)
            {
                var what = RefusedOne(offered);
                var choices = offered.Select(c => new Choice(c.Id, Display(c.DisplayName))).ToArray();
                if (!_canAsk || choices.Length == 0)
                {
                    throw ChoiceFailure(HostOutput.Snake(e.Kind), HostExit.Engine, e.LocalizedMessage, what, choices, e.Message);
                }
                HostConsole.Error.Line($"[red]{e.LocalizedMessage}[/]");
                var answer = await PromptAsync(what, choices, _stop.Token);
                (_profile, _location) = what == Profile ? (answer, _location) : (_profile, answer);
            }
        }
    }

    private async Task FollowAsync(IAsyncEnumerable<ConnectionStateChanged> changes)
    {
        try
        {
            await foreach (var change in changes)
            {
                var server = ServerId.Parse(change.ConnectionId);
                try
                {
                    await HandleAsync(server, change.Data);
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
                {
                    // Whatever fails here would leave the request waiting for an answer: it ends the operation instead.
                    await FailAsync(server, e);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The command ended.
        }
    }

    private async Task HandleAsync(ServerId server, ConnectionStateData? data)
    {
        switch (data)
        {
            case AuthorizationUrlData url:
                Browser.SystemBrowser.OpenOrPrint(url.Url);
                break;
            case ProfileQuestion question:
                await AnswerAsync(server, question.QuestionId, _profile, Profile,
                    question.Profiles.Select(p => new Choice(p.Id, Display(p.DisplayName))).ToArray());
                break;
            case LocationQuestion question:
                await AnswerAsync(server, question.QuestionId, _location, Location,
                    question.CountryCodes.Select(code => new Choice(code, null)).ToArray());
                break;
        }
    }

    private async Task AnswerAsync(ServerId server, string questionId, string? given, string what, IReadOnlyList<Choice> choices)
    {
        if (given is null && !_canAsk)
        {
            // Scripts and pipes get no prompt (it would wait for keys nobody types): the command fails and says what it would have asked.
            await FailAsync(server, ChoiceFailure("choice_required", HostExit.QuestionCannotBeAsked,
                Text(what == Profile ? HostChoiceText.ProfileRequired : HostChoiceText.LocationRequired), what, choices, detail: null));
            return;
        }
        var answer = given ?? await PromptAsync(what, choices, _stop.Token);
        await _engine.AnswerAsync(server, questionId, answer, _stop.Token);
    }

    /// <summary>Remembers why the command ends, then cancels the engine's operation so its request ends now.</summary>
    private async Task FailAsync(ServerId server, Exception failure)
    {
        Interlocked.CompareExchange(ref _failure, failure, null);
        try
        {
            await _engine.CancelAsync(server, CancellationToken.None);
        }
        catch (EduVpnException)
        {
            // Nothing left to cancel: the request has ended already.
        }
    }

    /// <summary>Which of <c>--profile</c> and <c>--location</c> the server refused: the one not among the choices it lists.</summary>
    private string RefusedOne(IReadOnlyList<ChoiceOption> offered) =>
        _location is null ? Profile
        : _profile is null ? Location
        : offered.Any(c => string.Equals(c.Id, _location, StringComparison.OrdinalIgnoreCase)) ? Profile : Location;

    private async Task<string> PromptAsync(string what, IReadOnlyList<Choice> choices, CancellationToken ct)
    {
        var prompt = new SelectionPrompt<Choice>()
            .Title(Markup.Escape(Text(what == Profile ? HostChoiceText.WhichProfile : HostChoiceText.WhichLocation)))
            .UseConverter(choice => HostConsole.Cell(choice.Label))
            .AddChoices(choices);
        return (await prompt.ShowAsync(HostConsole.Prompts, ct)).Id;
    }

    /// <summary>The failure that lists <paramref name="choices"/> (as data under <c>--json</c>) and names the option to pass.</summary>
    private HostCommandException ChoiceFailure(string kind, int exitCode, string message, string what, IReadOnlyList<Choice> choices, string? detail)
    {
        var option = $"--{what}";
        if (_json)
        {
            // stdout holds the JSON document (the choices as data); a person watching the script reads them here.
            HostConsole.Error.Line($"the {what}s to choose from ({option}): {string.Join(", ", choices.Select(c => c.Label))}");
        }
        var pass = string.Format(_engine.Culture, Text(HostChoiceText.PassOneOf), $"{option} {(what == Profile ? "ID" : "CC")}");
        var hints = new List<FormattableString> { $"{pass}" };
        hints.AddRange(choices.Select(choice => (FormattableString)$"  {choice.Label}"));
        return new HostCommandException(kind, message, exitCode)
        {
            Detail = detail,
            Fields =
            [
                new("question", what),
                new("option", option),
                new("choices", choices.Select(c => new { id = c.Id, display_name = c.DisplayName }).ToArray()),
            ],
            Hints = hints,
        };
    }

    /// <summary>A text of the question in the user's language (the engine's culture).</summary>
    private string Text(HostChoiceText text) => ErrorTexts.For(text, _engine.Culture);

    /// <summary>A name in the user's language (the current UI culture, as the engine's), or null when it has none.</summary>
    private string? Display(LocalizedText? name) =>
        name is null || name.IsEmpty ? null : LanguageMatcher.Display(name, _engine.Culture.Name) is { Length: > 0 } text ? text : null;

    /// <summary>One answer of a question: what is sent to the engine, and its name where it has one.</summary>
    private sealed record Choice(string Id, string? DisplayName)
    {
        /// <summary>"Display name (id)": the name beside the id to pass as <c>--profile</c>.</summary>
        public string Label => DisplayName is null || DisplayName == Id ? Id : $"{DisplayName} ({Id})";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
