using System.CommandLine;
using EduVpnActors.Host;

var root = HostCommands.Build();
return await root.Parse(args).InvokeAsync();
