using Flux.Devices.Cli;

// The `flux` sample. Until the full command line lands, it has one command: `demo`, which tells the
// registry's story end to end on the default in-memory store.
var command = args.Length > 0 ? args[0] : "demo";
switch (command)
{
    case "demo":
        return await Demo.RunAsync(Console.Out, CancellationToken.None);
    case "--help" or "-h" or "help":
        Console.Out.WriteLine("Usage: flux demo    register the spec's devices and walk one through its lifecycle");
        return 0;
    default:
        Console.Error.WriteLine($"flux: unknown command '{command}'. Try 'flux --help'.");
        return 2;
}
