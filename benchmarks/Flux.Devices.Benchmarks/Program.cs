using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using Flux.Devices.Benchmarks;

// Run everything:      dotnet run -c Release --project benchmarks/Flux.Devices.Benchmarks -- --filter '*'
// Smoke test (fast):   ... -- --filter '*' --job dry
// Latency percentiles, 16 connections beside libmodbus: ... -- latency [requests per connection] [rounds]
// The gateway with a bad unit, one in flight, thread and engine in turn: ... -- gateway [rounds]
if (args.Length > 0 && args[0] == "gateway")
{
    await GatewayProbe.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
    return;
}

if (args.Length > 0 && args[0] == "latency")
{
    await LatencyProbe.RunAsync(args);
    return;
}

var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
