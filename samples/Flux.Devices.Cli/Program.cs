using Flux.Devices.Cli;

// The `flux` command line: `flux --help` (or `flux` alone) lists its commands. `flux demo` (the README's run command)
// tells the registry's story end to end on a temporary SQLite store.
// Ctrl+C and SIGTERM are handled from here on, before any work (see Signals).
using var stop = new CancellationTokenSource();
using var signals = Signals.CancelOnSignals(stop);
return await FluxCli.RunAsync(args, CliConsole.FromProcess(Environment.GetEnvironmentVariable), stop.Token);
