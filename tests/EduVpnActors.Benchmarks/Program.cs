using BenchmarkDotNet.Running;
using EduVpnActors.Benchmarks.Failover;

// Timed failover run (real ICMP, prints a table): dotnet run -c Release --project tests/EduVpnActors.Benchmarks -- failover
if (args.Length > 0 && args[0] == "failover")
{
    return await FailoverBenchmark.RunAsync();
}

// Timed cold start to the first discovery answer from a warm SQLite cache: ... -- coldstart
if (args.Length > 0 && args[0] == "coldstart")
{
    return await EduVpnActors.Benchmarks.Discovery.ColdStartBenchmark.RunAsync();
}

// Start-up of every console command as a fresh process, beside a hello world: ... -- startup [--runs N] [--no-build]
if (args.Length > 0 && args[0] == "startup")
{
    return await EduVpnActors.Benchmarks.Startup.StartupBenchmark.RunAsync(args);
}

// Timed load run (50 servers, 200 queries/s for 10 s during an interactive flow): ... -- load [servers] [seconds] [rate]
if (args.Length > 0 && args[0] == "load")
{
    return await EduVpnActors.Benchmarks.Load.LoadBenchmark.RunAsync(args);
}

// Timed ProxyGuard run (throughput, round trips, CPU, allocations, idle memory, against a direct UDP echo): ... -- proxyguard [seconds]
if (args.Length > 0 && args[0] == "proxyguard")
{
    return await EduVpnActors.Benchmarks.ProxyGuard.ProxyGuardBenchmark.RunAsync(args);
}

// The ProxyGuard run's child process: the server double and the UDP echoes.
if (args.Length > 0 && args[0] == "proxyguard-server")
{
    return await EduVpnActors.Benchmarks.ProxyGuard.ProxyGuardBenchmark.ServeAsync();
}

// Timed start-up storage check after a short and a long history: ... -- storagecheck [events...]
if (args.Length > 0 && args[0] == "storagecheck")
{
    return await EduVpnActors.Benchmarks.Persistence.StorageCheckBenchmark.RunAsync(args);
}

// The database after many connect/disconnect rounds, one engine per command: ... -- compaction [rounds]
if (args.Length > 0 && args[0] == "compaction")
{
    return await EduVpnActors.Benchmarks.Persistence.CompactionBenchmark.RunAsync(args);
}

// Run with: dotnet run -c Release --project tests/EduVpnActors.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
