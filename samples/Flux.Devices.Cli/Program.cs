using Flux.Devices.Cli;

// The `flux` command line: `flux --help` lists its commands. `flux demo` (the README's run command, and what `flux`
// alone runs) tells the registry's story end to end on the embedded SQLite store.
return await FluxCli.RunAsync(args.Length == 0 ? ["demo"] : args, CliConsole.FromProcess(Environment.GetEnvironmentVariable), CancellationToken.None);
