using Flux.Devices.Cli;

// The `flux` command line: `flux --help` (or `flux` alone) lists its commands. `flux demo` (the README's run command)
// tells the registry's story end to end on a temporary SQLite store.
return await FluxCli.RunAsync(args, CliConsole.FromProcess(Environment.GetEnvironmentVariable), CancellationToken.None);
