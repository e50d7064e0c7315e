using Flux.Devices.Cli;

// The `flux` sample: `flux --help` lists its commands. `flux demo` (the README's run command) tells the registry's
// story end to end on the embedded SQLite store.
return await FluxCli.RunAsync(args.Length == 0 ? ["demo"] : args, Console.Out, Console.Error, CancellationToken.None);
