using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Client;

/// <summary>The facade's state stream subscribes when it is asked for, not when it is first read.</summary>
public sealed class StateStreamTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StateChanges_ReadAfterTheRequest_StillSeeTheQuestionItRaised()
    {
        await using var lab = await ClientFlowLab.StartAsync();
        await lab.Engine.AddServerAsync(ServerType.InstituteAccess, lab.InstituteUrl).WaitAsync(Wait);
        using var timeout = new CancellationTokenSource(Wait);

        var changes = lab.Engine.StateChangesAsync(timeout.Token);
        var getting = lab.Engine.GetConfigAsync(lab.Institute);
        // The lab's own follower has seen the question: it was raised before this test reads anything.
        var raised = Assert.IsType<ProfileQuestion>((await lab.NextQuestionAsync(Wait)).Data);

        ProfileQuestion? seen = null;
        await foreach (var change in changes)
        {
            if (change.Data is ProfileQuestion question)
            {
                seen = question;
                break;
            }
        }
        Assert.Equal(raised.QuestionId, seen?.QuestionId);

        await lab.Engine.AnswerAsync(lab.Institute, raised.QuestionId, "default");
        Assert.Equal("default", (await getting.WaitAsync(Wait)).ProfileId);
    }
}
