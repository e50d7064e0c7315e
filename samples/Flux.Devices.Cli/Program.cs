using Flux.Devices.Cli;

// The `flux` command line: `flux --help` lists its commands. `flux demo` (the README's run command, and what `flux`
// alone runs) tells the registry's story end to end on the embedded SQLite store.
// Ctrl+C is handled from here on, before any work (see Signals).
using var stop = new CancellationTokenSource();
using var signals = Signals.CancelOnSignals(stop);
return await FluxCli.RunAsync(args.Length == 0 ? ["demo"] : args, CliConsole.FromProcess(Environment.GetEnvironmentVariable), stop.Token);
