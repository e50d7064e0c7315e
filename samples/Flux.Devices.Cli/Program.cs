using Flux.Devices.Cli;

// The `flux` sample. Until the full command line lands, it has one command: `demo`, which tells the
// registry's story end to end on the embedded SQLite store: simulate a site, scan, register, apply the
// spec's template, poll health until Active, maintenance, history.
var command = args.Length > 0 ? args[0] : "demo";
switch (command)
{
    case "demo":
        return await Demo.RunAsync(Console.Out, CancellationToken.None);
    case "--help" or "-h" or "help":
        Console.Out.WriteLine("Usage: flux demo    simulate a site on 127.0.0.x, scan and register it, apply the spec's template, poll until Active");
        return 0;
    default:
        Console.Error.WriteLine($"flux: unknown command '{command}'. Try 'flux --help'.");
        return 2;
}
