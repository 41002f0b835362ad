using System.CommandLine;
using System.Text.Json;
using System.Globalization;
using Akka.Actor;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Host.Output;
using Spectre.Console;

namespace EduVpnActors.Host.Commands;

/// <summary><c>servers</c> and <c>organizations</c>: ranked discovery search, working offline too.</summary>
internal static class DiscoveryCommands
{
    private static readonly Option<string?> SearchOption = new("--search", "-s") { Description = "Words that must all match (any language, accents ignored)." };
    private static readonly Option<string> LanguageOption = new("--lang") { Description = "Language for names (BCP-47).", DefaultValueFactory = _ => DefaultLanguage() };
    private static readonly Option<int> LimitOption = new("--limit") { Description = "Show at most this many results (0: all).", DefaultValueFactory = _ => 25 };

    public static Command Servers()
    {
        var command = new Command("servers", "Search the eduVPN server list (institute access and secure internet locations).");
        Add(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var engine = await HostEngine.StartAsync(parse, ct);
            var response = await engine.Runtime.Discovery.Ask<ServerSearchResponse>(
                new SearchServers(parse.GetValue(SearchOption), parse.GetValue(LanguageOption)!), HostEngine.AskTimeout, ct);
            StartupTrace.Mark("first answer");
            var results = Limit(response.Results, parse.GetValue(LimitOption));
            if (parse.GetValue(HostCommands.JsonOption))
            {
                HostOutput.Json(new
                {
                    status = response.Status,
                    results = results.Select(r => new { display_name = r.DisplayName, base_url = r.Server.BaseUrl, server_type = r.Server.Type, country_code = r.Server.CountryCode, score = r.Score }),
                });
                return 0;
            }
            var table = new Table().AddColumns("#", "Name", "Type", "Country", "URL");
            var rank = 0;
            foreach (var r in results)
            {
                table.AddRow((++rank).ToString(CultureInfo.InvariantCulture), HostConsole.Cell(r.DisplayName), ServerTypeNames.DisplayName(r.Server.Type),
                    HostConsole.Cell(r.Server.CountryCode), HostConsole.Cell(UrlRules.ForDisplay(r.Server.BaseUrl)));
            }
            HostConsole.Out.Write(table);
            PrintStatus(response.Status, response.Results.Count);
            return 0;
        });
        return command;
    }

    public static Command Organizations()
    {
        var command = new Command("organizations", "Search the eduVPN organizations (for Secure Internet).");
        Add(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var engine = await HostEngine.StartAsync(parse, ct);
            var response = await engine.Runtime.Discovery.Ask<OrganizationSearchResponse>(
                new SearchOrganizations(parse.GetValue(SearchOption), parse.GetValue(LanguageOption)!), HostEngine.AskTimeout, ct);
            StartupTrace.Mark("first answer");
            var results = Limit(response.Results, parse.GetValue(LimitOption));
            if (parse.GetValue(HostCommands.JsonOption))
            {
                HostOutput.Json(new
                {
                    status = response.Status,
                    results = results.Select(r => new { display_name = r.DisplayName, org_id = r.Organization.OrgId, secure_internet_home = r.Organization.SecureInternetHome, score = r.Score }),
                });
                return 0;
            }
            var table = new Table().AddColumns("#", "Name", "Organization ID");
            var rank = 0;
            foreach (var r in results)
            {
                table.AddRow((++rank).ToString(CultureInfo.InvariantCulture), HostConsole.Cell(r.DisplayName), HostConsole.Cell(r.Organization.OrgId));
            }
            HostConsole.Out.Write(table);
            PrintStatus(response.Status, response.Results.Count);
            return 0;
        });
        return command;
    }

    private static void Add(Command command)
    {
        command.Options.Add(SearchOption);
        command.Options.Add(LanguageOption);
        command.Options.Add(LimitOption);
    }

    private static IReadOnlyList<T> Limit<T>(IReadOnlyList<T> results, int limit) =>
        limit > 0 ? results.Take(limit).ToArray() : results;

    private static void PrintStatus(DiscoveryStatus status, int matches)
    {
        var source = status.Source switch
        {
            DiscoverySource.Network => "downloaded and verified now",
            DiscoverySource.Cache => "the verified copy in the local database",
            DiscoverySource.Bundled => "no network and no cached copy: the signed snapshot shipped with the engine (verified)",
            _ => "no list available",
        };
        // About the list, not the list itself: stderr, so `servers > list.txt` holds the table only.
        HostConsole.Error.Line($"[grey]{matches} match(es); list v {status.Version}, from {source}[/]");
        if (status.Warning is { } warning)
        {
            HostConsole.Error.Line($"[yellow]warning ({warning.Kind}): {warning.Message}[/]");
        }
    }

    private static string DefaultLanguage()
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture.Name;
        return string.IsNullOrEmpty(culture) ? "en" : culture;
    }
}
