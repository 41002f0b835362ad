using System.Collections.Concurrent;
using System.Diagnostics;
using EduVpnActors.Tests.Discovery;
using EduVpnActors.Tests.Hosting;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Packaging;

/// <summary>
/// The NuGet packages work for a stranger: both libraries are packed, a throw-away console app
/// references them from a local folder source, builds, and runs the typical flow (search discovery,
/// add a custom server with a login passed through by this test, list it) against the test servers.
/// </summary>
public sealed class PackagingTests : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private readonly string _work = Path.Combine(Path.GetTempPath(), "eduvpn-actors-packaging", Guid.NewGuid().ToString("N"));
    // A version of its own per run: the global packages folder never serves a stale copy of an earlier run.
    private readonly string _version = $"0.1.0-packtest.{DateTimeOffset.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    private readonly TestMinisignSigner _signer = new();
    private readonly TempDataDirectory _dataDirectory = new();
    private PortalTestServer _portal = null!;
    private DiscoveryTestServer _discovery = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        _portal = await PortalTestServer.StartAsync();
        _discovery = await DiscoveryTestServer.StartAsync();
        SignedDiscoveryLists.Publish(_discovery, _signer, _portal.BaseUrl.AbsoluteUri);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _discovery.DisposeAsync();
        _signer.Dispose();
        _dataDirectory.Dispose();
        TryDelete(_work);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "eduvpnactors.actors", "eduvpnactors.messages" })
        {
            TryDelete(Path.Combine(packages, id, _version));
            if (Directory.Exists(Path.Combine(packages, id)) && !Directory.EnumerateFileSystemEntries(Path.Combine(packages, id)).Any())
            {
                TryDelete(Path.Combine(packages, id));
            }
        }
    }

    [Fact]
    public async Task PackedLibraries_ConsumedByNewConsoleApp_RunTheTypicalFlow()
    {
        var feed = Path.Combine(_work, "feed");
        var root = TestPaths.RepoRoot;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        foreach (var project in new[] { "src/Messages/EduVpnActors.Messages.csproj", "src/Actors/EduVpnActors.Actors.csproj" })
        {
            // The libraries are already built for this test run: pack what was built.
            await RunAsync(root, "pack", Path.Combine(root, project), "-c", configuration, "--no-build", "-o", feed, $"-p:Version={_version}");
        }
        Assert.True(File.Exists(Path.Combine(feed, $"EduVpnActors.Actors.{_version}.nupkg")));
        Assert.True(File.Exists(Path.Combine(feed, $"EduVpnActors.Messages.{_version}.nupkg")));

        var app = Path.Combine(_work, "app");
        WriteApp(app, feed);
        await RunAsync(app, "build", "-c", "Release");

        var overrides = Path.Combine(_work, "overrides.conf");
        await File.WriteAllTextAsync(overrides, $$"""
            eduvpn.discovery.base-url = "{{_discovery.BaseUrl.AbsoluteUri}}"
            eduvpn.discovery.trusted-keys = ["{{_signer.PublicKey}}"]
            eduvpn.http.extra-trusted-certificate = "{{TestCertificate.PemPath.Replace("\\", "\\\\")}}"
            akka.loglevel = WARNING
            """);
        var output = await RunAppAsync(app, _dataDirectory.Path, overrides, _portal.BaseUrl.AbsoluteUri);

        Assert.Contains("SEARCH 1", output);
        var customId = $"Custom {_portal.BaseUrl.AbsoluteUri}";
        Assert.Contains($"ADDED {customId}", output);
        Assert.Contains($"LISTED {customId}", output);
        Assert.Contains("ASKED default,wg-only,ovpn-only", output);
        Assert.Contains("CONFIG WireGuard wg-only True", output);
        Assert.Contains("STATE Disconnected", output);
        Assert.Contains("CLEANUP True", output);
        Assert.Single(_portal.RequestsTo(PortalTestServer.DisconnectPath));
        Assert.Contains($"HOSTED-LISTED {customId}", output);
        // The profile chosen through the facade was persisted and read back by the hosted engine.
        Assert.Contains("HOSTED-PROFILE wg-only", output);
        Assert.Contains("HOSTED-REMAINING 0", output);
        Assert.Contains("DONE", output);
    }

    private static void WriteApp(string app, string feed)
    {
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <!-- Our packages; everything else comes from the machine's configured feed. -->
                <add key="packed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "PackTest.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="EduVpnActors.Actors" Version="{PackageVersionOf(feed)}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Akka.Configuration;
            using EduVpnActors.Actors.Facade;
            using EduVpnActors.Actors.Hosting;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using EduVpnActors.Messages.Connection;
            using EduVpnActors.Messages.Servers;

            // args: data directory, HOCON overrides file, custom server URL
            var overrides = ConfigurationFactory.ParseString(File.ReadAllText(args[1]));
            await RunFacadeAsync();
            // The same data directory again, now through the generic-host integration.
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddEduVpnEngine(o =>
            {
                o.DataDirectory = args[0];
                o.Hocon = File.ReadAllText(args[1]);
            });
            using (var host = builder.Build())
            {
                await host.StartAsync();
                var hosted = host.Services.GetRequiredService<EduVpnEngine>();
                foreach (var server in await hosted.ListServersAsync())
                {
                    Console.WriteLine($"HOSTED-LISTED {server.Record.Id.Type} {server.Record.Id.Identifier}");
                    Console.WriteLine($"HOSTED-PROFILE {server.Record.ProfileId}");
                    await hosted.RemoveServerAsync(server.Record.Id);
                }
                Console.WriteLine($"HOSTED-REMAINING {(await hosted.ListServersAsync()).Count}");
                await host.StopAsync();
            }
            Console.WriteLine("DONE");

            async Task RunFacadeAsync()
            {
                await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(args[0], overrides));
                using var stop = new CancellationTokenSource();
                var changes = engine.StateChangesAsync(stop.Token);
                var follow = Task.Run(async () =>
                {
                    try
                    {
                        await foreach (var change in changes)
                        {
                            switch (change.Data)
                            {
                                case AuthorizationUrlData url:
                                    Console.WriteLine($"AUTH {url.Url.AbsoluteUri}");
                                    break;
                                case ProfileQuestion question:
                                    Console.WriteLine($"ASKED {string.Join(",", question.Profiles.Select(p => p.Id))}");
                                    await engine.AnswerAsync(ServerId.Parse(change.ConnectionId), question.QuestionId, "wg-only");
                                    break;
                            }
                        }
                    }
                    catch (OperationCanceledException)
                    {
                    }
                });
                var found = await engine.SearchServersAsync("lab", "en");
                Console.WriteLine($"SEARCH {found.Results.Count}");
                var added = await engine.AddServerAsync(ServerType.Custom, args[2]);
                Console.WriteLine($"ADDED {added.Id.Type} {added.Id.Identifier}");
                foreach (var server in await engine.ListServersAsync())
                {
                    Console.WriteLine($"LISTED {server.Record.Id.Type} {server.Record.Id.Identifier}");
                }
                var got = await engine.GetConfigAsync(added.Id);
                Console.WriteLine($"CONFIG {got.Configuration.Protocol} {got.ProfileId} {got.Configuration.Config.Contains("PrivateKey = ")}");
                foreach (var state in new[] { ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnecting, ConnectionState.Disconnected })
                {
                    await engine.SetConnectionStateAsync(added.Id, state);
                }
                Console.WriteLine($"STATE {(await engine.GetConnectionStateAsync(added.Id)).State}");
                Console.WriteLine($"CLEANUP {await engine.CleanupAsync(added.Id)}");
                await stop.CancelAsync();
                await follow;
            }
            """);
    }

    private static string PackageVersionOf(string feed) =>
        Path.GetFileNameWithoutExtension(Directory.GetFiles(feed, "EduVpnActors.Actors.*.nupkg").Single())["EduVpnActors.Actors.".Length..];

    /// <summary>Runs the app; every authorization URL it prints is logged in to by a test browser.</summary>
    private async Task<string> RunAppAsync(string app, params string[] args)
    {
        var dll = Directory.GetFiles(Path.Combine(app, "bin", "Release"), "PackTest.dll", SearchOption.AllDirectories).Single();
        using var process = new Process { StartInfo = StartInfo(app, [dll, .. args]) };
        var lines = new ConcurrentQueue<string>();
        var logins = new ConcurrentBag<Task>();
        using var stop = new CancellationTokenSource(CommandTimeout);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }
            lines.Enqueue(line);
            if (line.StartsWith("AUTH ", StringComparison.Ordinal))
            {
                logins.Add(Task.Run(() => LogInAsync(new Uri(line["AUTH ".Length..]), stop.Token)));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue("stderr: " + line);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitAsync(process, stop.Token);
        await Task.WhenAll(logins);
        var output = string.Join('\n', lines);
        Assert.True(process.ExitCode == 0, $"The app failed ({process.ExitCode}):\n{output}");
        return output;
    }

    private static async Task LogInAsync(Uri url, CancellationToken ct)
    {
        using var browser = new TestBrowser();
        var callback = await browser.AuthorizeAsync(url, "alice", "alice-password", cancellationToken: ct);
        using var response = await browser.FollowAsync(callback, ct);
    }

    private static async Task RunAsync(string directory, params string[] args)
    {
        // No build servers left behind by a test; no shared compiler either.
        string[] quiet = args[0] is "build" or "pack" ? ["-nodeReuse:false", "-p:UseSharedCompilation=false"] : [];
        using var process = new Process { StartInfo = StartInfo(directory, [.. args, .. quiet]) };
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        await WaitAsync(process, timeout.Token);
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed ({process.ExitCode}):\n{string.Join('\n', output)}");
    }

    private static async Task WaitAsync(Process process, CancellationToken cancellationToken)
    {
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        // The redirected streams are drained only after the parameterless wait.
        process.WaitForExit();
    }

    private static ProcessStartInfo StartInfo(string directory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // The test host runs under `dotnet test`: its MSBuild variables would steer the child build.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            info.Environment.Remove(name);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        return info;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
