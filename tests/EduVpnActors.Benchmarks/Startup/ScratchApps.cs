namespace EduVpnActors.Benchmarks.Startup;

/// <summary>
/// The two small apps the start-up benchmark builds in a directory under the system's temp directory (kept between
/// runs) with <c>dotnet build -c Release</c>
/// (no package to restore, so offline too): a bare hello world (the runtime's own start, the baseline of every
/// ratio) and an app that embeds the engine (<c>EduVpnEngine.Start</c>, then ListServers and a discovery search),
/// compiled ahead of time like the console host.
/// </summary>
internal static class ScratchApps
{
    public const string EmbeddedPrefix = "embedded-ms";

    private const string HelloProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
          </PropertyGroup>
        </Project>
        """;

    private const string HelloProgram = """Console.WriteLine("Hello, World!");""";

    private const string EmbeddedProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="{REPO}/src/Actors/EduVpnActors.Actors.csproj" />
          </ItemGroup>
          <Import Project="{REPO}/build/ReadyToRun.targets" />
        </Project>
        """;

    // args: data directory, HOCON file, search text. Prints one line: start, ListServers, search (ms from the call to Start).
    private const string EmbeddedProgram = """
        using System.Diagnostics;
        using System.Globalization;
        using Akka.Configuration;
        using EduVpnActors.Actors.Facade;

        var clock = Stopwatch.StartNew();
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(args[0], ConfigurationFactory.ParseString(File.ReadAllText(args[1]))));
        var started = clock.Elapsed.TotalMilliseconds;
        var servers = await engine.ListServersAsync();
        var listed = clock.Elapsed.TotalMilliseconds;
        var found = await engine.SearchServersAsync(args[2]);
        var searched = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"embedded-ms {started:F1} {listed:F1} {searched:F1} {servers.Count} {found.Results.Count}"));
        """;

    /// <summary>Builds the hello world; returns its dll.</summary>
    public static Task<string> BuildHelloAsync(string directory) =>
        BuildAsync(directory, "hello", HelloProject, HelloProgram);

    /// <summary>Builds the embedding app against the repository's engine; returns its dll.</summary>
    public static Task<string> BuildEmbeddedAsync(string directory, string repository) =>
        BuildAsync(directory, "embedded", EmbeddedProject.Replace("{REPO}", repository, StringComparison.Ordinal), EmbeddedProgram);

    private static async Task<string> BuildAsync(string directory, string name, string project, string program)
    {
        var dir = Path.Combine(directory, name);
        Directory.CreateDirectory(dir);
        await WriteIfChangedAsync(Path.Combine(dir, name + ".csproj"), project);
        await WriteIfChangedAsync(Path.Combine(dir, "Program.cs"), program);
        await StartupBenchmark.DotnetAsync(dir, "build", name + ".csproj", "-c", "Release", "-nologo", "-v", "q");
        return Path.Combine(dir, "bin", "Release", "net10.0", name + ".dll");
    }

    // An unchanged source keeps its timestamp, so the next run's build is incremental.
    private static async Task WriteIfChangedAsync(string path, string text)
    {
        if (!File.Exists(path) || await File.ReadAllTextAsync(path) != text)
        {
            await File.WriteAllTextAsync(path, text);
        }
    }
}
