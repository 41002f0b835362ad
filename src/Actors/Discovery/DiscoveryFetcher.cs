using System.Text;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Errors;

namespace EduVpnActors.Actors.Discovery;

/// <summary>The result of one refresh attempt of one list.</summary>
public abstract record FetchOutcome(DiscoveryListKind Kind)
{
    /// <summary>A newer signed list was verified and parsed.</summary>
    public sealed record Accepted(DiscoveryListAccepted Event, ParsedDiscovery Parsed) : FetchOutcome(Event.Kind);

    /// <summary>The held copy is current: HTTP 304, or the same <c>v</c> was served again.</summary>
    public sealed record Unchanged(DiscoveryListKind ListKind, string? LastModified) : FetchOutcome(ListKind);

    /// <summary>Nothing usable came back; the held copy stays and the warning says why.</summary>
    public sealed record Refused(DiscoveryListKind ListKind, DiscoveryWarning Warning) : FetchOutcome(ListKind);
}

/// <summary>A parsed list of either kind.</summary>
public sealed record ParsedDiscovery(ServerList? Servers, OrganizationList? Organizations)
{
    /// <summary>The list's <c>v</c> (0 when none was parsed).</summary>
    public long Version => Servers?.Version ?? Organizations?.Version ?? 0;
    /// <summary>How many servers or organizations the list has.</summary>
    public int Count => Servers?.Servers.Count ?? Organizations?.Organizations.Count ?? 0;

    /// <summary>Parses a list document of <paramref name="kind"/>.</summary>
    public static ParsedDiscovery Parse(DiscoveryListKind kind, ReadOnlySpan<byte> json) => kind == DiscoveryListKind.Servers
        ? new ParsedDiscovery(DiscoveryDocuments.ParseServerList(json), null)
        : new ParsedDiscovery(null, DiscoveryDocuments.ParseOrganizationList(json));
}

/// <summary>
/// Downloads, verifies and parses one discovery list (eduvpn-common §3.3 plus the official rollback
/// rule 19): conditional GET with the stored <c>Last-Modified</c>, the <c>.minisig</c>, verification with
/// the held list's <c>v</c> as the minimum signature time, then a <c>v</c> lower than the held one is
/// refused and an equal one keeps the held copy.
/// </summary>
public sealed class DiscoveryFetcher(EngineHttpClient http, MinisignVerifier verifier, Uri baseUrl)
{
    /// <summary>The file name of a list kind (<c>server_list.json</c> or <c>organization_list.json</c>).</summary>
    public static string FileName(DiscoveryListKind kind) =>
        kind == DiscoveryListKind.Servers ? "server_list.json" : "organization_list.json";

    /// <summary>Downloads, verifies and parses one list; a conditional request when a copy is held.</summary>
    public async Task<FetchOutcome> FetchAsync(DiscoveryListKind kind, HeldList? held, long nowMs, CancellationToken cancellationToken)
    {
        var fileName = FileName(kind);
        var documentUrl = new Uri(baseUrl, fileName);
        HttpResponse document;
        HttpResponse signature;
        try
        {
            document = await http.GetAsync(documentUrl, cancellationToken, headers =>
            {
                if (held?.LastModified is { } lastModified)
                {
                    headers.TryAddWithoutValidation("If-Modified-Since", lastModified);
                }
            }, throwOnError: false).ConfigureAwait(false);
            if (document.Status == System.Net.HttpStatusCode.NotModified && held is { FromCache: true })
            {
                return new FetchOutcome.Unchanged(kind, LastModifiedOf(document) ?? held.LastModified);
            }
            if ((int)document.Status is < 200 or > 299)
            {
                throw EngineHttpClient.StatusError(document);
            }
            signature = await http.GetAsync(new Uri(baseUrl, fileName + ".minisig"), cancellationToken).ConfigureAwait(false);
        }
        catch (EngineHttpException e)
        {
            return Refused(kind, DiscoveryWarningKind.FetchFailed, $"Could not download {fileName}: {e.Message}", http: e.Kind);
        }

        var minSignTime = held is null ? 0UL : (ulong)Math.Max(0, held.Version);
        try
        {
            verifier.Verify(document.Body, Encoding.UTF8.GetString(signature.Body), fileName, minSignTime);
        }
        catch (SignatureException e) when (e.Kind == Messages.Discovery.SignatureErrorKind.SignTimeTooOld)
        {
            return Refused(kind, DiscoveryWarningKind.RollbackRefused,
                $"Refused {fileName}: it was signed before the held list (v {held?.Version}) was published.", e.Kind);
        }
        catch (SignatureException e)
        {
            return Refused(kind, DiscoveryWarningKind.SignatureRejected, $"The signature of {fileName} is not valid: {e.Message}", e.Kind);
        }

        ParsedDiscovery parsed;
        try
        {
            parsed = ParsedDiscovery.Parse(kind, document.Body);
        }
        catch (DiscoveryFormatException e)
        {
            return Refused(kind, DiscoveryWarningKind.MalformedDocument, $"{fileName} is signed but not valid: {e.Message}");
        }

        if (held is not null && parsed.Version < held.Version)
        {
            return Refused(kind, DiscoveryWarningKind.RollbackRefused,
                $"Refused {fileName} v {parsed.Version}: older than the held v {held.Version}.");
        }
        // Equal v: "unchanged, keep the old copy" (rule 19). A bundled copy is replaced so it gets cached.
        if (held is { FromCache: true } && parsed.Version == held.Version)
        {
            return new FetchOutcome.Unchanged(kind, LastModifiedOf(document) ?? held.LastModified);
        }
        if (parsed.Count == 0)
        {
            return Refused(kind, DiscoveryWarningKind.EmptyList, $"{fileName} v {parsed.Version} is empty; keeping the held list.");
        }
        var accepted = new DiscoveryListAccepted(kind, parsed.Version, document.Body, Encoding.UTF8.GetString(signature.Body),
            LastModifiedOf(document), nowMs);
        return new FetchOutcome.Accepted(accepted, parsed);
    }

    private static string? LastModifiedOf(HttpResponse response) =>
        response.ContentHeaders is { } headers && headers.TryGetValues("Last-Modified", out var values) ? values.FirstOrDefault() : null;

    private static FetchOutcome.Refused Refused(
        DiscoveryListKind kind, DiscoveryWarningKind warning, string message,
        Messages.Discovery.SignatureErrorKind? signature = null, HttpErrorKind? http = null) =>
        new(kind, new DiscoveryWarning(warning, message, signature, http));
}

/// <summary>The list a refresh compares against: the cached copy, or the bundled one.</summary>
public sealed record HeldList(long Version, string? LastModified, bool FromCache);
