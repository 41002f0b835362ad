using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Reliability;

/// <summary>
/// A short version of the load benchmark (<c>-- load</c>): a busy UI's query stream during an
/// interactive flow gets every answer, none time out and none end as dead letters; the flow keeps working.
/// </summary>
public sealed class LoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task QueryStreamDuringInteractiveFlow_EveryAnswerArrives_NoTimeOutNoDeadLetterAnswer()
    {
        using var dataDirectory = new TempDataDirectory();

        var figures = await EngineLoad.RunAsync(servers: 50, TimeSpan.FromSeconds(3), queriesPerSecond: 200, dataDirectory.Path);

        Figures.Report(output, "load: " + figures);
        Assert.Equal(0, figures.TimeOuts);
        Assert.Equal(0, figures.QueryFailures);
        Assert.Equal(figures.QueriesSent, figures.QueriesAnswered);
        Assert.Equal(0, figures.DeadLetterAnswers);
        Assert.True(figures.Flows >= 1, "the interactive flow never completed under load");
        Assert.Equal(0, figures.FlowFailures);
    }
}
