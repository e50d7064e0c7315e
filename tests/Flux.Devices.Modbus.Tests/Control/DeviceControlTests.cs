using Flux.Devices.Control;
using Flux.Devices.Diagnostics;
using Flux.Devices.Lifecycle;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Storage;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Modbus.Tests.Control;

/// <summary>
/// Control writes over real TCP on 127.0.0.1 to the simulated PowerPack, configured by the spec's template
/// (target_power: int16 kW at holding register 2008, read-write).
/// </summary>
public sealed class DeviceControlTests : IAsyncLifetime
{
    private ControlRig _rig = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _rig = await ControlRig.StartAsync();

    public async ValueTask DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData(50, (ushort)50)]
    [InlineData(-50, (ushort)0xFFCE)]
    public async Task WriteAsync_TargetPower_IsSentWithFunction6_ReadBack_AndRecordedConfirmed(double kw, ushort raw)
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);

        var result = await _rig.Control.WriteAsync(device.Id, "target_power", kw, "operator", "peak shaving", Cancel);

        Assert.Equal((ControlOutcome.Confirmed, true, (ushort)2008, (byte)6), (result.Outcome, result.IsConfirmed, result.Plan.Address, result.Plan.FunctionCode));
        Assert.Equal([raw], result.Plan.Registers);
        Assert.Equal([raw], result.ReadBack!);
        Assert.Equal((short)kw, _rig.TargetPower());
        var write = Assert.Single(_rig.Writes());
        Assert.Equal(((byte)6, (ushort)2008, (ushort)1), (write.FunctionCode, write.Address, write.Quantity));

        var history = await _rig.ControlHistoryAsync(device.Id);
        Assert.Equal([ControlOutcome.Accepted, ControlOutcome.Confirmed], history.Select(e => e.Control!.Outcome));
        Assert.All(history, e => Assert.Equal(("operator", "peak shaving", DeviceState.Active, "target_power", kw), (e.Actor, e.Reason, e.ToState, e.Control!.Point, e.Control.Value)));
        Assert.All(history, e => Assert.Equal([raw], e.Control!.Registers));
        var stored = (await _rig.Registry.GetAsync(device.Id, Cancel))!;
        Assert.Equal((device.Version + 2, DeviceState.Active), (stored.Version, stored.State));
        Assert.Equal(stored.Version, result.Version);
        var log = Assert.Single(_rig.ControlLogs);
        Assert.Equal((FluxEventIds.ControlWritten, LogLevel.Information), (log.Id.Id, log.Level));
        Assert.Contains("by operator: peak shaving", log.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeviceState.Maintenance)]
    [InlineData(DeviceState.Failed)]
    [InlineData(DeviceState.Testing)]
    [InlineData(DeviceState.Configured)]
    [InlineData(DeviceState.Registered)]
    [InlineData(DeviceState.Decommissioned)]
    public async Task WriteAsync_NotActive_IsRefusedNamingTheState_SendsNothing_AndIsRecorded(DeviceState state)
    {
        var device = await _rig.AddAsync("BESS-01", state);

        var refused = await Assert.ThrowsAsync<DeviceControlDisabledException>(() => _rig.Control.WriteAsync(device.Id, "target_power", 50, "operator", "peak shaving", Cancel).AsTask());

        Assert.Equal((state, device.Id, "BESS-01"), (refused.State, refused.DeviceId, refused.DeviceName));
        Assert.Contains($"is {state}", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_rig.Writes());
        Assert.Equal(0, _rig.TargetPower());
        var entry = Assert.Single(await _rig.ControlHistoryAsync(device.Id));
        Assert.Equal((ControlOutcome.Refused, state, "operator", "peak shaving"), (entry.Control!.Outcome, entry.ToState, entry.Actor, entry.Reason));
        Assert.StartsWith("state: ", entry.Control.Detail, StringComparison.Ordinal);
        Assert.Equal(state, (await _rig.Registry.GetAsync(device.Id, Cancel))!.State);
        Assert.Equal(FluxEventIds.ControlRefused, Assert.Single(_rig.ControlLogs).Id.Id);
    }

    [Fact]
    public async Task WriteAsync_AfterEnteringMaintenance_IsRefused_AndAfterLeavingAndReactivating_IsAcceptedAgain()
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);
        await _rig.Services.GetRequiredService<Flux.Devices.Maintenance.IMaintenanceService>().EnterAsync(device.Id, "inverter swap", cancellationToken: Cancel);

        await Assert.ThrowsAsync<DeviceControlDisabledException>(() => _rig.Control.WriteAsync(device.Id, "target_power", 50, "operator", "peak shaving", Cancel).AsTask());

        await _rig.Services.GetRequiredService<Flux.Devices.Maintenance.IMaintenanceService>().ExitAsync(device.Id, cancellationToken: Cancel);
        await _rig.Registry.FireAsync(device.Id, DeviceTrigger.PollSucceeded, cancellationToken: Cancel);
        Assert.True((await _rig.Control.WriteAsync(device.Id, "target_power", 50, "operator", "peak shaving", Cancel)).IsConfirmed);
        Assert.Equal(50, _rig.TargetPower());
    }

    [Theory]
    [InlineData(100.6)] // rounds to 101
    [InlineData(150)]
    [InlineData(-101)]
    public async Task WriteAsync_BeyondMaxPowerKw_IsRefusedNamingTheValue_AndSendsNothing(double kw)
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);

        var refused = await Assert.ThrowsAsync<DeviceValidationException>(() => _rig.Control.WriteAsync(device.Id, "target_power", kw, "operator", "test", Cancel).AsTask());

        var error = Assert.Single(refused.Errors);
        Assert.Equal("value", error.Field);
        Assert.Contains("max_power_kw", error.Message, StringComparison.Ordinal);
        Assert.Empty(_rig.Writes());
        Assert.Equal(ControlOutcome.Refused, Assert.Single(await _rig.ControlHistoryAsync(device.Id)).Control!.Outcome);
    }

    [Fact]
    public async Task WriteAsync_WithinMaxPowerKw_ButBeyondThePointsOwnMax_IsRefusedNamingTheValue()
    {
        const string Template = """
            device_template:
              type: bess
              manufacturer: PowerPack
              registers:
                target_power: {address: 2008, type: int16, scale: power, unit: kW, access: read_write, min: -20, max: 20}
            """;
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active, Template);

        var refused = await Assert.ThrowsAsync<DeviceValidationException>(() => _rig.Control.WriteAsync(device.Id, "target_power", 30, "operator", "test", Cancel).AsTask());

        Assert.Equal(("value", "30 kW is outside -20..20 kW, the range of 'target_power'"), (Assert.Single(refused.Errors).Field, refused.Errors[0].Message));
        Assert.Empty(_rig.Writes());
        Assert.True((await _rig.Control.WriteAsync(device.Id, "target_power", -20, "operator", "test", Cancel)).IsConfirmed);
        Assert.Equal(-20, _rig.TargetPower());
    }

    [Fact]
    public async Task WriteAsync_ConnectionDroppedAfterTheWrite_IsUnknown_RecordedSo_AndNeverReplayed()
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);
        _rig.Bess.Faults.CloseMidFrame = true; // the write is applied, then half the reply is sent and the connection closed

        var result = await _rig.Control.WriteAsync(device.Id, "target_power", 50, "operator", "peak shaving", Cancel);

        Assert.Equal((ControlOutcome.Unknown, false), (result.Outcome, result.IsConfirmed));
        Assert.Contains("sent but not confirmed", result.Detail, StringComparison.Ordinal);
        Assert.Equal(50, _rig.TargetPower()); // applied, as far as the device is concerned
        Assert.Single(_rig.Writes()); // sent once, never again
        var history = await _rig.ControlHistoryAsync(device.Id);
        Assert.Equal([ControlOutcome.Accepted, ControlOutcome.Unknown], history.Select(e => e.Control!.Outcome));
        Assert.Equal(result.Detail, history[1].Control!.Detail);
        var log = Assert.Single(_rig.ControlLogs);
        Assert.Equal((FluxEventIds.ControlNotConfirmed, LogLevel.Warning), (log.Id.Id, log.Level));
    }

    [Fact]
    public async Task WriteAsync_DeviceRefusesTheWrite_IsFailed_RecordedSo_AndThrowsTheModbusError()
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);
        _rig.Bess.Faults.ExceptionCode = ModbusExceptionCode.IllegalDataValue;

        var error = await Assert.ThrowsAsync<ModbusException>(() => _rig.Control.WriteAsync(device.Id, "target_power", 50, "operator", "peak shaving", Cancel).AsTask());

        Assert.Equal(ModbusExceptionCode.IllegalDataValue, error.Code);
        Assert.Single(_rig.Writes());
        var history = await _rig.ControlHistoryAsync(device.Id);
        Assert.Equal([ControlOutcome.Accepted, ControlOutcome.Failed], history.Select(e => e.Control!.Outcome));
    }

    [Fact]
    public async Task WriteAsync_BadInput_IsRefusedNamingTheField()
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);

        await Assert.ThrowsAsync<DeviceNotFoundException>(() => _rig.Control.WriteAsync(Guid.NewGuid(), "target_power", 50, "operator", "test", Cancel).AsTask());
        Assert.Equal("value", await FieldOf(device.Id, "target_power", double.NaN, "operator", "test"));
        Assert.Equal("value", await FieldOf(device.Id, "target_power", double.PositiveInfinity, "operator", "test"));
        Assert.Equal("actor", await FieldOf(device.Id, "target_power", 50, " ", "test"));
        Assert.Equal("reason", await FieldOf(device.Id, "target_power", 50, "operator", ""));
        Assert.Empty(await _rig.ControlHistoryAsync(device.Id)); // malformed calls are not write attempts: nothing recorded

        Assert.Equal("point", await FieldOf(device.Id, "no_such_point", 50, "operator", "test"));
        Assert.Equal("point", await FieldOf(device.Id, "soe", 50, "operator", "test")); // read-only
        Assert.Equal([ControlOutcome.Refused, ControlOutcome.Refused], (await _rig.ControlHistoryAsync(device.Id)).Select(e => e.Control!.Outcome));
        Assert.Empty(_rig.Writes());
    }

    [Fact]
    public async Task PlanAsync_ShowsTheRegistersItWouldSend_AndSendsAndRecordsNothing()
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);

        var plan = await _rig.Control.PlanAsync(device.Id, "target_power", -7.4, Cancel);

        Assert.Equal(("target_power", (ushort)2008, (byte)6, RegisterKind.Holding), (plan.Point.Name, plan.Address, plan.FunctionCode, plan.Point.Kind));
        Assert.Equal([(ushort)0xFFF9], plan.Registers);
        Assert.Empty(_rig.Writes());
        Assert.Empty(await _rig.ControlHistoryAsync(device.Id));
    }

    /// <summary>
    /// A move into maintenance fired while a write is on its way waits for the write: the write is confirmed and
    /// recorded first, and the move commits after it. The transport holds the write until the test has seen the move
    /// wait for the device's gate; no sleeps.
    /// </summary>
    [Fact]
    public async Task EnterMaintenance_WhileAWriteIsOnItsWay_CommitsAfterTheWriteIsRecorded_AndLaterWritesAreRefused()
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);
        var gate = _rig.Services.GetRequiredService<DeviceControlGate>();
        var transport = new GatedTransport(_rig.Services.GetRequiredService<IModbusTransport>());
        var control = new DeviceControl(
            _rig.Services.GetRequiredService<IDeviceRegistryStore>(),
            transport,
            _rig.Services.GetRequiredService<IRegisterMapProvider>(),
            gate,
            TimeProvider.System);
        var moveWaits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.Contended = id => moveWaits.TrySetResult();

        var write = control.WriteAsync(device.Id, "target_power", 50, "operator", "peak shaving", Cancel).AsTask();
        await transport.WriteArrived.Task.WaitAsync(Cancel);
        var move = _rig.Registry.FireAsync(device.Id, DeviceTrigger.EnterMaintenance, "inverter swap", cancellationToken: Cancel).AsTask();
        await Task.WhenAny(move, moveWaits.Task).WaitAsync(Cancel);

        Assert.False(move.IsCompleted, "the move committed while the write was on its way");
        Assert.Equal(DeviceState.Active, (await _rig.Registry.GetAsync(device.Id, Cancel))!.State);
        transport.Release.SetResult();
        var result = await write;
        var moved = await move;

        Assert.True(result.IsConfirmed);
        Assert.Equal(50, _rig.TargetPower());
        Assert.Equal(DeviceState.Maintenance, moved.State);
        var history = await _rig.Registry.GetHistoryAsync(device.Id, Cancel);
        Assert.Equal(
            [(DeviceChangeKind.Controlled, DeviceState.Active), (DeviceChangeKind.Controlled, DeviceState.Active), (DeviceChangeKind.Transitioned, DeviceState.Maintenance)],
            history.TakeLast(3).Select(e => (e.Kind, e.ToState)));
        Assert.Equal([ControlOutcome.Accepted, ControlOutcome.Confirmed], history.TakeLast(3).Take(2).Select(e => e.Control!.Outcome));
        await Assert.ThrowsAsync<DeviceControlDisabledException>(() => control.WriteAsync(device.Id, "target_power", 0, "operator", "stop", Cancel).AsTask());
        Assert.Single(_rig.Writes());
    }

    [Fact]
    public async Task WriteAsync_CancelledWhileOnItsWay_IsRecordedUnknown_AndThrowsCancelled()
    {
        var device = await _rig.AddAsync("BESS-01", DeviceState.Active);
        var transport = new GatedTransport(_rig.Services.GetRequiredService<IModbusTransport>());
        var control = new DeviceControl(
            _rig.Services.GetRequiredService<IDeviceRegistryStore>(),
            transport,
            _rig.Services.GetRequiredService<IRegisterMapProvider>(),
            _rig.Services.GetRequiredService<DeviceControlGate>(),
            TimeProvider.System);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var write = control.WriteAsync(device.Id, "target_power", 50, "operator", "peak shaving", cancel.Token).AsTask();
        await transport.WriteArrived.Task.WaitAsync(Cancel);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        var history = await _rig.ControlHistoryAsync(device.Id);
        Assert.Equal([ControlOutcome.Accepted, ControlOutcome.Unknown], history.Select(e => e.Control!.Outcome));
        Assert.Equal("cancelled while the write was on its way", history[1].Control!.Detail);
        Assert.Empty(_rig.Writes());
    }

    private async Task<string> FieldOf(Guid deviceId, string point, double value, string actor, string reason)
    {
        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _rig.Control.WriteAsync(deviceId, point, value, actor, reason, Cancel).AsTask());
        return Assert.Single(error.Errors).Field;
    }
}
