using System.Net;
using System.Text;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>Reads an API answer (<c>/info</c>, <c>/connect</c>, <c>/disconnect</c>) into the job's next step. Pure.</summary>
internal static class ApiAnswerRules
{
    /// <summary>
    /// The step that follows <paramref name="response"/> to <paramref name="request"/>. A 401 is retried once after a
    /// refresh (a refused refresh leads to a new authorization), except for a release, which only reports
    /// whether it reached the server. Tokens the server echoes in its error text are hidden.
    /// </summary>
    public static SessionStep Judge(ISessionRequest request, HttpResponse response, OAuthTokens? tokens, bool retriedAfter401)
    {
        if (response.Status == HttpStatusCode.Unauthorized && request is not ReleaseConfig && !retriedAfter401)
        {
            return new SessionStep.RetryAfterRefresh();
        }
        var success = (int)response.Status is >= 200 and < 300;
        switch (request)
        {
            case ReleaseConfig release:
                return new SessionStep.Answer(new ConfigReleased(release.RequestId, success));
            case FetchInfo info when success:
                try
                {
                    return new SessionStep.Answer(new InfoFetched(info.RequestId, InfoDocument.Parse(response.Body), tokens?.AuthorizedAt));
                }
                catch (ApiException e)
                {
                    return new SessionStep.Fail(new SessionFailure(SessionErrorKind.MalformedResponse, e.Message, (int)response.Status));
                }
            case RequestConfig config when success:
                var expires = response.ContentHeaders is { } headers && headers.TryGetValues("Expires", out var values)
                    ? string.Join(", ", values)
                    : null;
                return new SessionStep.Answer(new ConfigReceived(config.RequestId, response.ContentType, expires, Encoding.UTF8.GetString(response.Body), tokens?.AuthorizedAt));
        }
        var where = response.FinalUrl.GetLeftPart(UriPartial.Path);
        return new SessionStep.Fail(response.Status == HttpStatusCode.Unauthorized
            ? new SessionFailure(SessionErrorKind.AuthorizationFailed, $"'{where}' refused the new access token too.", 401)
            {
                ServerMessage = ServerErrorText.From(response.Body, response.ContentType, tokens?.AccessToken, tokens?.RefreshToken),
            }
            : SessionErrors.FromResponse(response, $"'{where}' answered with status {(int)response.Status}.", tokens?.AccessToken, tokens?.RefreshToken));
    }
}
