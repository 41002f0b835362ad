using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EduVpnActors.Tests.Persistence;

/// <summary>One engine per data directory, on every boot path: the second start is refused at once with a typed error.</summary>
public sealed class EngineLockTests : IDisposable
{
    private readonly TempDataDirectory _dir = new();

    [Fact]
    public async Task SecondEngine_OnTheSameDirectory_RefusedAtOnce_StartsAfterTheFirstStopped()
    {
        var first = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline()));
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

        Assert.Equal(StorageProblemKind.DataDirectoryInUse, error.Kind);
        Assert.Equal(Environment.ProcessId, error.HolderProcessId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"refused only after {clock.ElapsedMilliseconds} ms");
        await first.DisposeAsync();
        await EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())).DisposeAsync();
    }

    [Fact]
    public async Task SecondFacade_RefusedWithTheTypedError_FirstKeepsWorking()
    {
        await using var first = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline()));

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

        Assert.Equal(StorageProblemKind.DataDirectoryInUse, error.Kind);
        var servers = await first.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(), TimeSpan.FromSeconds(30));
        Assert.NotEmpty(servers.List.Servers);
    }

    [Fact]
    public async Task LockWait_FirstEngineStopsWithinIt_SecondStarts()
    {
        var first = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline()));
        var stopping = Task.Run(async () =>
        {
            await Task.Delay(500);
            await first.DisposeAsync();
        });

        await using var second = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline($"{EngineStorage.LockWaitKey} = 60s")));

        await stopping;
        Assert.NotNull(second.Runtime);
    }

    [Fact]
    public async Task GenericHost_SecondHost_StartFailsWithDataDirectoryInUse_AndTheFirstStopReleasesIt()
    {
        using var first = BuildHost();
        await first.StartAsync();
        using (var second = BuildHost())
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => second.StartAsync());
            Assert.Equal(StorageProblemKind.DataDirectoryInUse, error.Kind);
        }
        await first.StopAsync();

        using var third = BuildHost();
        await third.StartAsync();
        await third.StopAsync();
    }

    [Fact]
    public async Task FailedStart_ReleasesTheLock()
    {
        _dir.Create();
        File.WriteAllText(Path.Combine(_dir.Path, "eduvpn-actors.db"), "not a database, but long enough to be read as one");

        Assert.Equal(StorageProblemKind.Corrupt, Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline()))).Kind);

        using var free = DataDirectoryLock.Acquire(_dir.Path);
        Assert.True(free.IsHeld);
        await Task.CompletedTask;
    }

    [Fact]
    public void NegativeLockWait_IsAConfigurationError()
    {
        var error = Assert.Throws<EduVpnActors.Actors.Configuration.EngineConfigurationException>(() => EngineSystem.PrepareConfig(_dir.Path, Offline($"{EngineStorage.LockWaitKey} = -1s")));

        Assert.Contains(EngineStorage.LockWaitKey, error.Message, StringComparison.Ordinal);
    }

    private IHost BuildHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddEduVpnEngine(options =>
        {
            options.DataDirectory = _dir.Path;
            options.Config = Offline();
            options.UseMicrosoftLogging = false;
        });
        return builder.Build();
    }

    private static Config Offline(string hocon = "") => StorageFiles.Offline(hocon);

    public void Dispose() => _dir.Dispose();
}
