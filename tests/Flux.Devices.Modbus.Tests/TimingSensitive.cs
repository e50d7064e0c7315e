namespace Flux.Devices.Modbus.Tests;

/// <summary>Tests that measure wall-clock time run one at a time, so that other tests do not eat their margins.</summary>
[CollectionDefinition(nameof(TimingSensitive), DisableParallelization = true)]
public sealed class TimingSensitive;
