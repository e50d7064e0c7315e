using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

// Run everything:      dotnet run -c Release --project benchmarks/Flux.Devices.Benchmarks -- --filter '*'
// Smoke test (fast):   ... -- --filter '*' --job dry
var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
