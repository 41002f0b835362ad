using System.CommandLine;
using System.Globalization;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Discovery.Search;
using EduVpnActors.Actors.Display;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Host.Output;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using Spectre.Console;

namespace EduVpnActors.Host.Commands;

/// <summary>The whole client flow by hand: add, list, connect, status, renew, profile, location, disconnect, remove.</summary>
internal static class ClientCommands
{
    private static readonly Argument<string> ServerArgument = new("server")
    {
        Description = "The server: its URL, its organization id (Secure Internet), or its number in `list`.",
    };

    internal static readonly Option<string?> ProfileOption = new("--profile") { Description = "Use (and remember) this profile id; a live configuration of another profile is released first." };
    internal static readonly Option<string?> LocationOption = new("--location") { Description = "Use (and remember) this Secure Internet location (country code)." };

    public static IEnumerable<Command> All() =>
        [Add(), List(), Connect(), Status(), Renew(), Profile(), Location(), Disconnect(), Remove()];

    private static Command Add()
    {
        var type = new Argument<string>("type") { Description = "institute, secure or custom." };
        var identifier = new Argument<string>("identifier") { Description = "Base URL (institute, custom) or organization id (secure)." };
        var command = new Command("add", "Add a server and authorize it in the browser.") { type, identifier };
        command.SetAction(async (parse, ct) =>
        {
            // Checked before any engine starts: a typo is a usage error (exit 1), not an engine failure.
            var serverType = parse.GetValue(type)!.ToLowerInvariant() switch
            {
                "institute" or "institute_access" => ServerType.InstituteAccess,
                "secure" or "secure_internet" => ServerType.SecureInternet,
                "custom" => ServerType.Custom,
                var other => throw new HostCommandException("usage", $"unknown server type '{other}' (institute, secure, custom)"),
            };
            var id = parse.GetValue(identifier)!;
            if (serverType != ServerType.SecureInternet)
            {
                CheckUrl(id);
            }
            return await RunAsync(parse, ct, async (engine, json) =>
            {
                using var questions = HostQuestions.Follow(engine, parse, json, ct);
                var record = await questions.RequestAsync((_, _) => engine.AddServerAsync(serverType, id, cancellationToken: ct));
                Print(json, new { added = Describe(record) }, $"added [bold]{Name(record, engine)}[/] ({Shown(record.Id)})");
            });
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the added servers.");
        command.SetAction(async (parse, ct) => await RunAsync(parse, ct, async (engine, json) =>
        {
            var servers = await engine.ListServersAsync(ct);
            if (json)
            {
                HostOutput.Json(new { servers = servers.Select(s => new { server = Describe(s.Record), s.Delisted, current = s.IsCurrent }) });
                return;
            }
            var table = new Table().AddColumns("#", "Name", "Type", "Identifier", "Profile", "Location", "Current", "Delisted");
            var n = 0;
            foreach (var s in servers)
            {
                table.AddRow((++n).ToString(CultureInfo.InvariantCulture), HostConsole.Cell(Name(s.Record, engine)), ServerTypeNames.DisplayName(s.Record.Id.Type),
                    HostConsole.Cell(ShownIdentifier(s.Record.Id)), HostConsole.Cell(s.Record.ProfileId), HostConsole.Cell(s.Record.LocationCountryCode),
                    s.IsCurrent ? "yes" : "", s.Delisted ? "delisted" : "");
            }
            HostConsole.Out.Write(table);
        }));
        return command;
    }

    private static Command Connect()
    {
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the configuration to this file (mode 0600) instead of printing it." };
        var tcp = new Option<bool>("--tcp") { Description = "Prefer TCP (prefer_tcp=yes)." };
        var startup = new Option<bool>("--startup") { Description = "Auto-connect at start-up: never open a browser; fail if authorization is needed." };
        var command = new Command("connect", "Get a VPN configuration (WireGuard or OpenVPN) for a server.") { ServerArgument, output, tcp, startup, ProfileOption, LocationOption };
        ConnectProxy.AddTo(command, output); // --run-proxy (ConnectProxy.cs)
        command.SetAction(async (parse, ct) => await RunAsync(parse, ct, async (engine, json) =>
        {
            var file = parse.GetValue(output);
            // Never over the engine's own files (after links): refused before a configuration is asked for.
            var engineFiles = EngineFiles.For(engine.Runtime.System.Settings.Config);
            if (file is not null)
            {
                engineFiles.RefuseAsOutput(file.FullName, engine.Culture);
            }
            var server = await ResolveAsync(engine, parse.GetValue(ServerArgument)!, ct);
            using var questions = HostQuestions.Follow(engine, parse, json, ct);
            // --profile/--location choose (and remember) for this connect, over a remembered choice (as `profile`/`location` would).
            var got = await questions.RequestAsync((profile, location) =>
                engine.GetConfigAsync(server, parse.GetValue(tcp) || ConnectProxy.Requested(parse), parse.GetValue(startup), profile, location, ct));
            // --run-proxy with WireGuard over TCP: the configuration written pointing at the proxy, which then runs in the foreground.
            if (await ConnectProxy.TryRunAsync(parse, new ConnectedConfiguration(engine, server, got, file, engineFiles, json), ct) is { } exit)
            {
                return exit;
            }
            if (file is not null)
            {
                // And again where it is written: a link may have changed while the configuration was fetched.
                engineFiles.RefuseAsOutput(file.FullName, engine.Culture);
                DataDirectory.WritePrivateFile(file.FullName, System.Text.Encoding.UTF8.GetBytes(got.Configuration.Config));
            }
            var summary = new
            {
                server = server.ToString(),
                profile = got.ProfileId,
                protocol = got.Configuration.Protocol,
                default_gateway = got.Configuration.DefaultGateway,
                should_failover = got.Configuration.ShouldFailover,
                proxy = got.Configuration.Proxy,
                expires = got.Configuration.Expires,
                expiry = got.Expiry,
                file = file?.FullName,
                config = file is null ? got.Configuration.Config : null,
            };
            if (json)
            {
                HostOutput.Json(summary);
                return HostExit.Ok;
            }
            var about = HostConsole.SafeMarkup($"[green]{VpnProtocolNames.DisplayName(got.Configuration.Protocol)}[/] configuration for profile [bold]{got.ProfileId}[/], valid until {got.Configuration.Expires.ToLocalTime():g}");
            if (file is null)
            {
                // The configuration is the result (`connect X > wg0.conf`): raw into a pipe or file, with
                // control characters made visible on a terminal. The line about it goes to stderr.
                HostConsole.Stdout.WriteLine(HostConsole.StdoutIsTerminal ? TerminalText.EscapeLines(got.Configuration.Config) : got.Configuration.Config);
                HostConsole.Error.MarkupLine(about);
            }
            else
            {
                HostConsole.Out.MarkupLine(about + HostConsole.SafeMarkup($", written to {file.FullName}"));
            }
            return HostExit.Ok;
        }));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Show each server's profile, location and session expiry.");
        command.SetAction(async (parse, ct) => await RunAsync(parse, ct, async (engine, json) =>
        {
            var servers = await engine.ListServersAsync(ct);
            var now = DateTimeOffset.UtcNow;
            if (json)
            {
                HostOutput.Json(new { servers = servers.Select(s => new { server = Describe(s.Record), current = s.IsCurrent, expiry = s.Expiry, seconds_left = s.Record.ConfigExpiresAt is { } e ? (long?)(e - now).TotalSeconds : null }) });
                return;
            }
            foreach (var s in servers)
            {
                var r = s.Record;
                var left = r.ConfigExpiresAt is { } expires
                    ? expires > now ? $"expires in {Countdown(expires - now)}" : "expired"
                    : "no configuration";
                HostConsole.Out.Line($"{(s.IsCurrent ? "*" : " ")} [bold]{Name(r, engine)}[/] profile={r.ProfileId ?? "-"} location={r.LocationCountryCode ?? "-"} authorized={r.LastAuthorizedAt?.ToLocalTime().ToString("g", CultureInfo.CurrentCulture) ?? "never"} {left}");
                if (s.Expiry is { } expiry && now.ToUnixTimeSeconds() >= expiry.ButtonTime)
                {
                    HostConsole.Out.Line($"  [yellow]the session can be renewed now (`renew`)[/]");
                }
            }
        }));
        return command;
    }

    private static Command Renew()
    {
        var command = new Command("renew", "Renew the session: /disconnect, forget the tokens, authorize again.") { ServerArgument };
        command.SetAction(async (parse, ct) => await RunAsync(parse, ct, async (engine, json) =>
        {
            var server = await ResolveAsync(engine, parse.GetValue(ServerArgument)!, ct);
            using var questions = HostQuestions.Follow(engine, parse, json, ct);
            var record = await questions.RequestAsync((_, _) => engine.RenewSessionAsync(server, ct));
            Print(json, new { renewed = Describe(record) }, $"session of [bold]{Name(record, engine)}[/] renewed");
        }));
        return command;
    }

    private static Command Profile()
    {
        var profile = new Argument<string>("profile") { Description = "The profile id." };
        var command = new Command("profile", "Choose the profile used from now on.") { ServerArgument, profile };
        command.SetAction(async (parse, ct) => await RunAsync(parse, ct, async (engine, json) =>
        {
            var server = await ResolveAsync(engine, parse.GetValue(ServerArgument)!, ct);
            var record = await engine.SetProfileAsync(server, parse.GetValue(profile)!, ct);
            Print(json, new { server = Describe(record) }, $"profile of [bold]{Name(record, engine)}[/] is now {record.ProfileId}");
        }));
        return command;
    }

    private static Command Location()
    {
        var country = new Argument<string>("country") { Description = "The country code of a Secure Internet location." };
        var command = new Command("location", "Choose the Secure Internet location used from now on.") { ServerArgument, country };
        command.SetAction(async (parse, ct) => await RunAsync(parse, ct, async (engine, json) =>
        {
            var server = await ResolveAsync(engine, parse.GetValue(ServerArgument)!, ct);
            var record = await engine.SetLocationAsync(server, parse.GetValue(country)!, ct);
            Print(json, new { server = Describe(record) }, $"location of [bold]{Name(record, engine)}[/] is now {record.LocationCountryCode}");
        }));
        return command;
    }

    private static Command Disconnect()
    {
        var command = new Command("disconnect", "Tell the server the configuration is no longer used (/disconnect; bring the tunnel down first).") { ServerArgument };
        command.SetAction(async (parse, ct) => await RunAsync(parse, ct, async (engine, json) =>
        {
            var server = await ResolveAsync(engine, parse.GetValue(ServerArgument)!, ct);
            var reached = await engine.CleanupAsync(server, ct);
            Print(json, new { server = server.ToString(), reached }, reached ? (FormattableString)$"the server was told" : $"[yellow]the server could not be told (best effort)[/]");
        }));
        return command;
    }

    private static Command Remove()
    {
        var command = new Command("remove", "Remove a server, its choices and its tokens.") { ServerArgument };
        command.SetAction(async (parse, ct) => await RunAsync(parse, ct, async (engine, json) =>
        {
            var server = await ResolveAsync(engine, parse.GetValue(ServerArgument)!, ct);
            await engine.RemoveServerAsync(server, ct);
            Print(json, new { removed = server.ToString() }, $"removed {Shown(server)}");
        }));
        return command;
    }

    /// <summary>Runs <paramref name="body"/> on a fresh engine; its failures go to <see cref="HostFailures"/> (Program.cs).</summary>
    private static Task<int> RunAsync(ParseResult parse, CancellationToken ct, Func<EduVpnEngine, bool, Task> body) =>
        RunAsync(parse, ct, async (engine, json) =>
        {
            await body(engine, json);
            return HostExit.Ok;
        });

    /// <summary>Runs <paramref name="body"/> on a fresh engine and ends with its exit code (the engine stopped first).</summary>
    private static async Task<int> RunAsync(ParseResult parse, CancellationToken ct, Func<EduVpnEngine, bool, Task<int>> body)
    {
        var json = parse.GetValue(HostCommands.JsonOption);
        await using var host = await HostEngine.StartAsync(parse, ct);
        var exit = await body(host.Engine, json);
        StartupTrace.Mark("answered");
        return exit;
    }

    /// <summary>Finds an added server by id, URL (in any spelling the engine normalises alike), organization id or list number.</summary>
    private static async Task<ServerId> ResolveAsync(EduVpnEngine engine, string text, CancellationToken ct)
    {
        var servers = await engine.ListServersAsync(ct);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= servers.Count)
        {
            return servers[n - 1].Record.Id;
        }
        var url = NormalisedOrNull(text);
        var match = servers.FirstOrDefault(s => s.Record.Id.ToString() == text || s.Record.Id.Identifier == text
            || s.Record.BaseUrl == text || s.Record.Id.Identifier.TrimEnd('/') == text.TrimEnd('/')
            || (url is not null && s.Record.Id.Type != ServerType.SecureInternet && s.Record.Id.Identifier == url));
        // The text is echoed: never with a password someone put into a URL.
        return match?.Record.Id
            ?? throw new EduVpnException(new ClientError(ClientErrorKind.UnknownServer, $"no added server matches '{UrlRules.WithoutUserInfo(text)}'"), engine.Culture);
    }

    /// <summary>A server URL the engine would refuse is a usage error before any engine starts.</summary>
    private static void CheckUrl(string url)
    {
        try
        {
            UrlRules.EnsureValidUrl(url);
        }
        catch (ApiException e)
        {
            throw new HostCommandException(HostOutput.Snake(e.Kind), ErrorTexts.For(e.Kind))
            {
                Detail = e.Message,
            };
        }
    }

    private static string? NormalisedOrNull(string text)
    {
        try
        {
            return UrlRules.EnsureValidUrl(text);
        }
        catch (ApiException)
        {
            return null;
        }
    }

    /// <summary>
    /// The server's name in the user's language (the engine's culture), else how its id is shown. A name that
    /// is a host name (a custom server's) is shown like one: decoded, mixed scripts revealed.
    /// </summary>
    private static string Name(ServerRecord record, EduVpnEngine engine) =>
        record.DisplayName.IsEmpty ? Shown(record.Id) : UrlRules.ForDisplay(LanguageMatcher.Display(record.DisplayName, engine.Culture.Name));

    /// <summary>A server id for people: an internationalized host decoded, mixed scripts revealed (<see cref="UrlRules.ForDisplay"/>).</summary>
    private static string Shown(ServerId id) => $"{(int)id.Type},{ShownIdentifier(id)}";

    private static string ShownIdentifier(ServerId id) =>
        id.Type == ServerType.SecureInternet ? id.Identifier : UrlRules.ForDisplay(id.Identifier);

    private static object Describe(ServerRecord r) => new
    {
        id = r.Id.ToString(),
        type = r.Id.Type,
        identifier = r.Id.Identifier,
        display_name = r.DisplayName.Values,
        base_url = r.BaseUrl,
        profile = r.ProfileId,
        country_code = r.LocationCountryCode,
        last_authorized_at = r.LastAuthorizedAt,
        config_expires_at = r.ConfigExpiresAt,
    };

    private static void Print(bool json, object value, FormattableString markup)
    {
        if (json)
        {
            HostOutput.Json(value);
        }
        else
        {
            HostConsole.Out.Line(markup);
        }
    }

    private static string Countdown(TimeSpan left) =>
        left.TotalDays >= 1 ? $"{(int)left.TotalDays}d {left.Hours}h" : $"{left.Hours}h {left.Minutes:00}m";
}
