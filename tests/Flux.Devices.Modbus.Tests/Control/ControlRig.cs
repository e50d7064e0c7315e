using System.Net;
using Flux.Devices.Control;
using Flux.Devices.Lifecycle;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Storage;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;
using Flux.Devices.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace Flux.Devices.Modbus.Tests.Control;

/// <summary>
/// A registry with the Modbus TCP client, a simulated PowerPack on a loopback server, and devices configured by the
/// spec's template (templates/powerpack_bess.yaml) and walked to a state.
/// </summary>
internal sealed class ControlRig : IAsyncDisposable
{
    private ControlRig(ModbusTcpServer server, ServiceProvider services)
    {
        Server = server;
        Services = services;
    }

    public ModbusTcpServer Server { get; }

    public PowerPackBessSimulator Bess { get; } = new(capacityKwh: 500, maxPowerKw: 100);

    public ServiceProvider Services { get; }

    public IDeviceRegistry Registry => Services.GetRequiredService<IDeviceRegistry>();

    public IDeviceControl Control => Services.GetRequiredService<IDeviceControl>();

    /// <summary>The logs written under the control category.</summary>
    public IReadOnlyList<FakeLogRecord> ControlLogs => [.. Services.GetFakeLogCollector().GetSnapshot().Where(l => l.Category == FluxDevicesDiagnostics.ControlCategory)];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<ControlRig> StartAsync()
    {
        var server = new ModbusTcpServer(new ModbusTcpServerOptions { RecordRequests = true });
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddFluxDevices().UseModbusTcp(o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(30);
            o.ConnectTimeout = TimeSpan.FromSeconds(30);
            o.RetryCount = 0;
        });
        var rig = new ControlRig(server, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
        server.AddUnit(1, rig.Bess);
        return rig;
    }

    /// <summary>The spec's template file, from the repository.</summary>
    public static string SpecTemplatePath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "templates", "powerpack_bess.yaml");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException("templates/powerpack_bess.yaml not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Registers the simulated BESS (max_power_kw 100), configures it with a template (the spec's by default), and walks it to a state.</summary>
    public async Task<Device> AddAsync(string name, DeviceState state, string? templateYaml = null)
    {
        var registration = SpecSamples.Bess(name, modbusAddress: 1);
        registration = registration with { Metadata = registration.Metadata.With("ip_address", "127.0.0.1").With("port", (long)Server.Endpoint.Port) };
        var device = await Registry.RegisterAsync(registration, cancellationToken: Cancel);
        if (state == DeviceState.Registered)
        {
            return device;
        }

        if (state == DeviceState.Decommissioned)
        {
            return await Registry.DecommissionAsync(device.Id, "removed", cancellationToken: Cancel);
        }

        var loader = Services.GetRequiredService<DeviceTemplateLoader>();
        var template = templateYaml is null ? await loader.LoadFileAsync(SpecTemplatePath(), Cancel) : loader.Load(templateYaml);
        var templates = Services.GetRequiredService<IDeviceTemplateService>();
        var result = await templates.CommitAsync(await templates.PlanAsync(template, DeviceFilter.Parse($"name={name}"), Cancel), "test", Cancel);
        Assert.Single(result.Items);
        device = (await Registry.GetAsync(device.Id, Cancel))!;
        Assert.Equal(DeviceState.Configured, device.State);
        if (state == DeviceState.Configured)
        {
            return device;
        }

        device = await Registry.FireAsync(device.Id, DeviceTrigger.PollAttempted, cancellationToken: Cancel);
        if (state == DeviceState.Testing)
        {
            return device;
        }

        if (state == DeviceState.Failed)
        {
            return await Registry.FireAsync(device.Id, DeviceTrigger.PollFailed, cancellationToken: Cancel);
        }

        device = await Registry.FireAsync(device.Id, DeviceTrigger.PollSucceeded, cancellationToken: Cancel);
        if (state == DeviceState.Maintenance)
        {
            return await Registry.FireAsync(device.Id, DeviceTrigger.EnterMaintenance, "battery swap", cancellationToken: Cancel);
        }

        Assert.Equal(DeviceState.Active, device.State);
        return device;
    }

    /// <summary>The target power the simulator holds, in kW.</summary>
    public short TargetPower()
    {
        Span<ushort> register = stackalloc ushort[1];
        Assert.True(Bess.TryGetRegisters(ModbusTable.HoldingRegisters, PowerPackBessSimulator.TargetPowerAddress, register));
        return (short)register[0];
    }

    /// <summary>The write requests the server received (functions 5, 6, 15, 16).</summary>
    public List<ModbusRequestRecord> Writes() => [.. Server.RecordedRequests.Where(r => r.FunctionCode is 5 or 6 or 15 or 16)];

    /// <summary>The control entries of a device's history.</summary>
    public async Task<List<DeviceHistoryEntry>> ControlHistoryAsync(Guid deviceId) =>
        [.. (await Registry.GetHistoryAsync(deviceId, Cancel)).Where(e => e.Kind == DeviceChangeKind.Controlled)];

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// A transport that holds register writes until the test lets them go: <see cref="WriteArrived"/> completes when a
/// write reaches it, and the write goes on to the real transport when <see cref="Release"/> is completed.
/// </summary>
internal sealed class GatedTransport(IModbusTransport inner) : IModbusTransport
{
    public TaskCompletionSource WriteArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask WriteSingleRegisterAsync(ModbusEndpoint endpoint, byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        WriteArrived.TrySetResult();
        await Release.Task.WaitAsync(cancellationToken);
        await inner.WriteSingleRegisterAsync(endpoint, unitId, address, value, cancellationToken);
    }

    public ValueTask ReadCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        inner.ReadCoilsAsync(endpoint, unitId, startAddress, destination, cancellationToken);

    public ValueTask ReadDiscreteInputsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        inner.ReadDiscreteInputsAsync(endpoint, unitId, startAddress, destination, cancellationToken);

    public ValueTask ReadHoldingRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        inner.ReadHoldingRegistersAsync(endpoint, unitId, startAddress, destination, cancellationToken);

    public ValueTask ReadInputRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        inner.ReadInputRegistersAsync(endpoint, unitId, startAddress, destination, cancellationToken);

    public ValueTask WriteSingleCoilAsync(ModbusEndpoint endpoint, byte unitId, ushort address, bool value, CancellationToken cancellationToken = default) =>
        inner.WriteSingleCoilAsync(endpoint, unitId, address, value, cancellationToken);

    public ValueTask WriteMultipleCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default) =>
        inner.WriteMultipleCoilsAsync(endpoint, unitId, startAddress, values, cancellationToken);

    public ValueTask WriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) =>
        inner.WriteMultipleRegistersAsync(endpoint, unitId, startAddress, values, cancellationToken);

    public ValueTask ReadWriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort readStartAddress, Memory<ushort> readDestination, ushort writeStartAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) =>
        inner.ReadWriteMultipleRegistersAsync(endpoint, unitId, readStartAddress, readDestination, writeStartAddress, values, cancellationToken);

    public ValueTask<DeviceIdentification> ReadDeviceIdentificationAsync(ModbusEndpoint endpoint, byte unitId, DeviceIdentificationCategory category = DeviceIdentificationCategory.Basic, CancellationToken cancellationToken = default) =>
        inner.ReadDeviceIdentificationAsync(endpoint, unitId, category, cancellationToken);
}
