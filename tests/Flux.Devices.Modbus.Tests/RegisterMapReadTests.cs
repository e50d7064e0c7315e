using Flux.Devices.Modbus.Client;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests;

/// <summary>A template's register map read from a simulated device over a real socket and decoded.</summary>
public sealed class RegisterMapReadTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private ModbusTcpServer _server = null!;
    private ModbusTcpTransport _client = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await Loopback.StartServerAsync(new ModbusTcpServerOptions { RecordRequests = true });
        _client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task SpecTemplate_ReadsThePowerPackInOneRequest_AndScalesTheSoeByTheTemplatesEnergyFactor()
    {
        _server.AddUnit(1, new PowerPackBessSimulator(_time, capacityKwh: 500, initialSoe: 0.5));
        var loader = new DeviceTemplateLoader(BuiltInRegisterMaps.Provider);
        var template = loader.Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");
        var plan = ReadPlan.ForMap(template.Configuration.RegisterMap);

        var readings = await plan.ReadAsync(_client, _server.Endpoint, 1, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new ModbusRequestRecord { UnitId = 1, FunctionCode = 3, Address = 2000, Quantity = 29 }, Assert.Single(_server.RecordedRequests) with { ConnectionId = 0, RemoteEndPoint = null });
        Assert.Equal(
            [
                new RegisterReading { Name = "status", Value = 0, Text = null, Unit = null },
                new RegisterReading { Name = "target_power", Value = 0, Text = null, Unit = "kW" },
                new RegisterReading { Name = "soe", Value = 250, Text = null, Unit = "kWh" },
                new RegisterReading { Name = "available_blocks", Value = 10, Text = null, Unit = null },
            ],
            readings);
    }

    [Fact]
    public async Task AcuvimMap_ReadsTheMetersFloatsAndEnergy()
    {
        var meter = new AcuvimMeterSimulator();
        _server.AddUnit(2, meter);
        var plan = ReadPlan.ForMap(BuiltInRegisterMaps.Acuvim2Standard);

        var readings = (await plan.ReadAsync(_client, _server.Endpoint, 2, cancellationToken: TestContext.Current.CancellationToken)).ToDictionary(r => r.Name);

        Assert.Single(_server.RecordedRequests);
        Assert.Equal(BuiltInRegisterMaps.Acuvim2Standard.Registers.Count, readings.Count);
        Assert.All(readings.Values, r => Assert.True(r.IsAvailable, r.Name));
        Assert.Equal("Hz", readings["frequency"].Unit);
        Assert.InRange(readings["frequency"].Value!.Value, 45, 65);
        Assert.Equal("kWh", readings["energy_import"].Unit);
    }
}
