using System.Net.Http.Headers;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>The well-known fetch and the bearer API calls of a session, through <see cref="EngineHttpClient"/>.</summary>
public sealed class SessionHttp(EngineHttpClient http)
{
    /// <summary>Fetches and validates <c>/.well-known/vpn-user-portal</c> of <paramref name="baseUrl"/>.</summary>
    /// <exception cref="SessionException"><see cref="SessionErrorKind.MalformedResponse"/> (invalid or non-https endpoints) or a transport failure.</exception>
    public async Task<WellKnownDocument> FetchWellKnownAsync(string baseUrl, CancellationToken cancellationToken)
    {
        Uri url;
        try
        {
            url = UrlRules.WellKnownUrl(baseUrl);
        }
        catch (ApiException e)
        {
            throw new SessionException(SessionErrorKind.MalformedResponse, e.Message, inner: e);
        }
        HttpResponse response;
        try
        {
            response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineHttpException e)
        {
            throw new SessionException(SessionErrors.FromHttp(e), e);
        }
        try
        {
            return WellKnownDocument.Parse(response.Body);
        }
        catch (ApiException e)
        {
            throw new SessionException(SessionErrorKind.MalformedResponse, $"The well-known document of '{url.GetLeftPart(UriPartial.Authority)}' is not usable: {e.Message}", inner: e);
        }
    }

    /// <summary>
    /// One API call with the bearer token in the <c>Authorization</c> header only. Status answers are
    /// returned (the caller handles 401/403); transport failures throw.
    /// </summary>
    /// <exception cref="SessionException">A transport failure (<see cref="SessionErrorKind.Unreachable"/>).</exception>
    public async Task<HttpResponse> CallAsync(
        HttpMethod method,
        Uri url,
        string accessToken,
        IReadOnlyList<KeyValuePair<string, string>>? form,
        IReadOnlyList<string>? accept,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(u =>
            {
                var request = new HttpRequestMessage(method, u);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
                foreach (var value in accept ?? [])
                {
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(value));
                }
                if (form is not null)
                {
                    request.Content = new FormUrlEncodedContent(form);
                }
                return request;
            }, url, cancellationToken, timeout, throwOnError: false).ConfigureAwait(false);
        }
        catch (EngineHttpException e)
        {
            throw new SessionException(SessionErrors.FromHttp(e), e);
        }
    }
}
