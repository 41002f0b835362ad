using EduVpnActors.Tests.Client;

namespace EduVpnActors.Tests.Reliability;

/// <summary>
/// A lab (portal and signed discovery doubles) and the real console host pointed at it: the host's
/// <c>--config</c> file and its store (<see cref="Store"/>) live in a private work directory that goes with the lab.
/// </summary>
internal sealed class LabHost : IAsyncDisposable
{
    private LabHost(ClientFlowLab lab, string work, string configFile, HostProcess host)
    {
        Lab = lab;
        Work = work;
        ConfigFile = configFile;
        Host = host;
    }

    public ClientFlowLab Lab { get; }

    /// <summary>The work directory (0700): the config file, the store, and whatever a test puts beside them.</summary>
    public string Work { get; }

    public string ConfigFile { get; }

    /// <summary>The host's data directory (created by the engine).</summary>
    public string Store => Path.Combine(Work, "store");

    public HostProcess Host { get; }

    /// <summary>Starts the lab; <paramref name="extraHocon"/> goes into the config after the lab's own keys.</summary>
    public static async Task<LabHost> StartAsync(string extraHocon = "", bool logsIn = true)
    {
        var lab = await ClientFlowLab.StartAsync(startEngine: false);
        var work = lab.DataDirectory.Create();
        var config = Path.Combine(work, "host.conf");
        await File.WriteAllTextAsync(config, lab.WorldHocon() + "\n" + extraHocon);
        return new LabHost(lab, work, config, new HostProcess(Path.Combine(work, "store"), config) { LogsIn = logsIn });
    }

    public ValueTask DisposeAsync() => Lab.DisposeAsync();
}
