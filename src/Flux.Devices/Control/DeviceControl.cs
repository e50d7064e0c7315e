using System.Text.Json;
using Flux.Devices.Diagnostics;
using Flux.Devices.Internal;
using Flux.Devices.Lifecycle;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Storage;
using Flux.Devices.Templates;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Control;

/// <summary>
/// Control writes: checked, recorded as accepted, sent, read back, and recorded with their outcome, all under the
/// device's gate so that no lifecycle move of the device commits in between (see <see cref="DeviceControlGate"/>).
/// </summary>
internal sealed class DeviceControl(
    IDeviceRegistryStore store,
    IModbusTransport transport,
    IRegisterMapProvider registerMaps,
    DeviceControlGate gate,
    TimeProvider timeProvider,
    ILoggerFactory? loggerFactory = null) : IDeviceControl
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.ControlCategory);

    /// <summary>How many times a record is retried when another writer moved the device's version in between.</summary>
    private const int RecordAttempts = 5;

    public async ValueTask<ControlWritePlan> PlanAsync(Guid deviceId, string point, double value, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(CheckArguments(point, value, actor: null, reason: null, requireNote: false));
        var device = await store.GetAsync(deviceId, cancellationToken).ConfigureAwait(false) ?? throw new DeviceNotFoundException(deviceId);
        var (plan, refusal) = Plan(device, point, value);
        return plan ?? throw refusal!.Exception(device);
    }

    public async ValueTask<ControlWriteResult> WriteAsync(Guid deviceId, string point, double value, string actor, string reason, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(CheckArguments(point, value, actor, reason, requireNote: true));
        using var held = await gate.EnterAsync(deviceId, cancellationToken).ConfigureAwait(false);

        // Accepted: recorded as a compare-and-set on the device as checked, so a change made in between (by another
        // process: moves in this one wait for the gate) sends the write round again, to be checked anew.
        Device device;
        ControlWritePlan plan;
        for (var attempt = 1; ; attempt++)
        {
            device = await store.GetAsync(deviceId, cancellationToken).ConfigureAwait(false) ?? throw new DeviceNotFoundException(deviceId);
            var (planned, refusal) = Plan(device, point, value);
            if (refusal is not null)
            {
                var detail = $"{refusal.Field}: {refusal.Message}";
                await RecordAsync(device, Record(point, value, ControlOutcome.Refused, null, detail), actor, reason, CancellationToken.None).ConfigureAwait(false);
                Log.ControlRefused(_logger, point, value, device.Name, device.Id, actor, detail);
                throw refusal.Exception(device);
            }

            plan = planned!;
            try
            {
                device = await WriteEntryAsync(device, Record(point, value, ControlOutcome.Accepted, plan, null), actor, reason, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (DeviceConcurrencyException) when (attempt < RecordAttempts)
            {
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            await RecordAsync(device, Record(point, value, ControlOutcome.Failed, plan, "cancelled before it was sent"), actor, reason, CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        DeviceAddressing.TryRead(device.Metadata, out var endpoint, out var unitId, out _);
        try
        {
            await SendAsync(plan, endpoint, unitId, cancellationToken).ConfigureAwait(false);
        }
        catch (ModbusWriteOutcomeUnknownException ex)
        {
            return await UnknownAsync(device, plan, null, $"the write was sent but not confirmed: {ex.InnerException?.Message ?? ex.Message}", actor, reason).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await RecordAsync(device, Record(point, value, ControlOutcome.Unknown, plan, "cancelled while the write was on its way"), actor, reason, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not FluxDevicesException)
        {
            // A transport of the host's own that broke the interface's contract: whether it sent the write is not known.
            var detail = $"the transport failed with {ex.GetType().Name}: {ex.Message}";
            await RecordAsync(device, Record(point, value, ControlOutcome.Unknown, plan, detail), actor, reason, CancellationToken.None).ConfigureAwait(false);
            Log.ControlNotConfirmed(_logger, point, value, device.Name, device.Id, actor, ControlOutcome.Unknown, detail);
            throw;
        }
        catch (FluxDevicesException ex)
        {
            // The device answered with an exception, or the request could not be sent: the write was not applied.
            await RecordAsync(device, Record(point, value, ControlOutcome.Failed, plan, ex.Message), actor, reason, CancellationToken.None).ConfigureAwait(false);
            Log.ControlNotConfirmed(_logger, point, value, device.Name, device.Id, actor, ControlOutcome.Failed, ex.Message);
            throw;
        }

        var readBack = new ushort[plan.Registers.Count];
        try
        {
            await ReadBackAsync(plan, endpoint, unitId, readBack, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await RecordAsync(device, Record(point, value, ControlOutcome.Unknown, plan, "cancelled while reading the write back"), actor, reason, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (FluxDevicesException ex)
        {
            return await UnknownAsync(device, plan, null, $"the device acknowledged the write but reading it back failed: {ex.Message}", actor, reason).ConfigureAwait(false);
        }

        if (!readBack.AsSpan().SequenceEqual(plan.Registers.ToArray()))
        {
            return await UnknownAsync(device, plan, readBack, $"the device acknowledged the write but read back [{string.Join(", ", readBack)}], not [{string.Join(", ", plan.Registers)}]", actor, reason).ConfigureAwait(false);
        }

        var confirmed = await RecordAsync(device, Record(point, value, ControlOutcome.Confirmed, plan, null), actor, reason, CancellationToken.None).ConfigureAwait(false);
        Log.ControlWritten(_logger, point, value, device.Name, device.Id, actor, reason);
        return new ControlWriteResult { Plan = plan, Outcome = ControlOutcome.Confirmed, ReadBack = readBack, Version = confirmed.Version };
    }

    /// <summary>Every check of a write, in order: the state, the point, its access, the value's range and its encoding.</summary>
    internal (ControlWritePlan? Plan, Refusal? Refusal) Plan(Device device, string pointName, double value)
    {
        if (device.State != DeviceState.Active)
        {
            return (null, new Refusal("state", $"the device is {device.State}; control is disabled unless it is {DeviceState.Active}") { State = device.State });
        }

        if (!DeviceAddressing.TryRead(device.Metadata, out _, out _, out var addressProblem))
        {
            return (null, new Refusal("metadata", addressProblem));
        }

        if (MapOf(device) is not var (map, scaling))
        {
            return (null, new Refusal("point", "the device has no register map: deploy a template (or set metadata.register_map) first"));
        }

        if (map.Find(pointName) is not { } point)
        {
            var writable = map.Registers.Where(r => r.Access == RegisterAccess.ReadWrite).Select(r => r.Name).ToList();
            return (null, new Refusal("point", $"'{pointName}' is not a point of register map '{map.Name}'; its writable points are {(writable.Count == 0 ? "none" : string.Join(", ", writable))}"));
        }

        if (point.Access != RegisterAccess.ReadWrite)
        {
            return (null, new Refusal("point", $"'{point.Name}' is read-only in register map '{map.Name}'"));
        }

        var unit = point.Unit is { } u ? " " + u : string.Empty;
        if (value < point.Minimum || value > point.Maximum)
        {
            return (null, new Refusal("value", $"{Show(value)}{unit} is outside {Show(point.Minimum ?? double.NegativeInfinity)}..{Show(point.Maximum ?? double.PositiveInfinity)}{unit}, the range of '{point.Name}'"));
        }

        if (device.Type == DeviceTypes.Bess && point.Name == "target_power"
            && device.Metadata.TryGetValue("max_power_kw", out var rating) && rating.ValueKind == JsonValueKind.Number
            && rating.GetDouble() is var maxPower && Math.Abs(value) > maxPower)
        {
            return (null, new Refusal("value", $"{Show(value)}{unit} is outside ±{Show(maxPower)} kW, the device's max_power_kw"));
        }

        var (registers, problem) = Encode(point, scaling, value);
        if (registers is null)
        {
            return (null, new Refusal("value", problem!));
        }

        var function = point.Kind == RegisterKind.Coil ? (byte)5 : registers.Length == 1 ? (byte)6 : (byte)16;
        return (new ControlWritePlan
        {
            DeviceId = device.Id,
            DeviceName = device.Name,
            Point = point,
            Value = value,
            Address = point.Address,
            FunctionCode = function,
            Registers = registers,
        }, null);
    }

    /// <summary>The raw registers of a value: <c>(value - offset) / scale</c>, rounded for integers, checked to fit; or why not.</summary>
    internal static (ushort[]? Registers, string? Problem) Encode(RegisterDefinition point, IReadOnlyDictionary<string, double>? scaling, double value)
    {
        if (point.Kind == RegisterKind.Coil)
        {
            return value is 0 or 1 ? ([(ushort)value], null) : (null, $"{Show(value)} is not 0 or 1: '{point.Name}' is a coil");
        }

        if (point.DataType == RegisterDataType.String)
        {
            return (null, $"'{point.Name}' is text; only numbers and bits are written");
        }

        var scale = RegisterDecoder.ScaleOf(point, scaling);
        if (scale == 0 || !double.IsFinite(scale))
        {
            return (null, $"'{point.Name}' scales by {Show(scale)}, which no value can be written back through");
        }

        var raw = (value - point.Offset) / scale;
        var registers = new ushort[point.Count];
        var rounded = Math.Round(raw, MidpointRounding.AwayFromZero);
        var (min, max) = point.DataType switch
        {
            RegisterDataType.Int16 => (short.MinValue, short.MaxValue),
            RegisterDataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
            RegisterDataType.Int32 => (int.MinValue, int.MaxValue),
            RegisterDataType.UInt32 => (uint.MinValue, uint.MaxValue),
            RegisterDataType.Int64 => (long.MinValue, 9223372036854774784d), // the largest double below 2^63
            RegisterDataType.UInt64 => (0d, 18446744073709549568d), // the largest double below 2^64
            _ => (double.MinValue, double.MaxValue),
        };
        var fits = point.DataType is RegisterDataType.Float32 or RegisterDataType.Float64
            ? double.IsFinite(raw) && (point.DataType == RegisterDataType.Float64 || float.IsFinite((float)raw))
            : rounded >= min && rounded <= max;
        if (!fits)
        {
            return (null, $"{Show(value)} gives raw value {Show(raw)}, which does not fit '{point.Name}' ({TemplateNames.DataType(point.DataType)}, raw = (value - {Show(point.Offset)}) / {Show(scale)})");
        }

        switch (point.DataType)
        {
            case RegisterDataType.Int16: RegisterCodec.WriteInt16(registers, (short)rounded, point.Order); break;
            case RegisterDataType.UInt16: RegisterCodec.WriteUInt16(registers, (ushort)rounded, point.Order); break;
            case RegisterDataType.Int32: RegisterCodec.WriteInt32(registers, (int)rounded, point.Order); break;
            case RegisterDataType.UInt32: RegisterCodec.WriteUInt32(registers, (uint)rounded, point.Order); break;
            case RegisterDataType.Int64: RegisterCodec.WriteInt64(registers, (long)rounded, point.Order); break;
            case RegisterDataType.UInt64: RegisterCodec.WriteUInt64(registers, (ulong)rounded, point.Order); break;
            case RegisterDataType.Float32: RegisterCodec.WriteSingle(registers, (float)raw, point.Order); break;
            default: RegisterCodec.WriteDouble(registers, raw, point.Order); break;
        }

        if (point.NotAvailable is { } sentinel && point.DataType is not (RegisterDataType.Float32 or RegisterDataType.Float64)
            && (registers.Length switch
            {
                1 => RegisterCodec.ReadUInt16(registers, point.Order),
                2 => RegisterCodec.ReadUInt32(registers, point.Order),
                _ => RegisterCodec.ReadUInt64(registers, point.Order),
            }) == sentinel)
        {
            return (null, $"{Show(value)} encodes to {sentinel}, the not_available value of '{point.Name}'");
        }

        return (registers, null);
    }

    private (RegisterMap Map, IReadOnlyDictionary<string, double> Scaling)? MapOf(Device device)
    {
        if (DeviceConfiguration.TryRead(device.Metadata, out var configuration) && configuration is { RegisterMap.Registers.Count: > 0 })
        {
            return (configuration.RegisterMap, configuration.Scaling);
        }

        return device.Metadata.GetString("register_map") is { Length: > 0 } name && registerMaps.Find(name) is { } map
            ? (map, map.Scaling)
            : null;
    }

    private ValueTask SendAsync(ControlWritePlan plan, ModbusEndpoint endpoint, byte unitId, CancellationToken cancellationToken) => plan.FunctionCode switch
    {
        5 => transport.WriteSingleCoilAsync(endpoint, unitId, plan.Address, plan.Registers[0] != 0, cancellationToken),
        6 => transport.WriteSingleRegisterAsync(endpoint, unitId, plan.Address, plan.Registers[0], cancellationToken),
        _ => transport.WriteMultipleRegistersAsync(endpoint, unitId, plan.Address, plan.Registers.ToArray(), cancellationToken),
    };

    private async ValueTask ReadBackAsync(ControlWritePlan plan, ModbusEndpoint endpoint, byte unitId, ushort[] destination, CancellationToken cancellationToken)
    {
        if (plan.Point.Kind == RegisterKind.Coil)
        {
            var bits = new bool[1];
            await transport.ReadCoilsAsync(endpoint, unitId, plan.Address, bits, cancellationToken).ConfigureAwait(false);
            destination[0] = bits[0] ? (ushort)1 : (ushort)0;
            return;
        }

        await transport.ReadHoldingRegistersAsync(endpoint, unitId, plan.Address, destination, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ControlWriteResult> UnknownAsync(Device device, ControlWritePlan plan, ushort[]? readBack, string detail, string actor, string reason)
    {
        var recorded = await RecordAsync(device, Record(plan.Point.Name, plan.Value, ControlOutcome.Unknown, plan, detail), actor, reason, CancellationToken.None).ConfigureAwait(false);
        Log.ControlNotConfirmed(_logger, plan.Point.Name, plan.Value, device.Name, device.Id, actor, ControlOutcome.Unknown, detail);
        return new ControlWriteResult { Plan = plan, Outcome = ControlOutcome.Unknown, ReadBack = readBack, Detail = detail, Version = recorded.Version };
    }

    /// <summary>Records an outcome whatever the device became in between (another process may have moved it): re-read on a conflict.</summary>
    private async ValueTask<Device> RecordAsync(Device device, DeviceControlRecord record, string? actor, string? reason, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WriteEntryAsync(device, record, actor, reason, cancellationToken).ConfigureAwait(false);
            }
            catch (DeviceConcurrencyException) when (attempt < RecordAttempts)
            {
                device = await store.GetAsync(device.Id, cancellationToken).ConfigureAwait(false) ?? throw new DeviceNotFoundException(device.Id);
            }
        }
    }

    private async ValueTask<Device> WriteEntryAsync(Device device, DeviceControlRecord record, string? actor, string? reason, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetStoredNow();
        var next = device with { Version = device.Version + 1, UpdatedAt = now };
        var entry = new DeviceHistoryEntry
        {
            DeviceId = device.Id,
            Version = next.Version,
            Kind = DeviceChangeKind.Controlled,
            FromState = device.State,
            ToState = device.State,
            Reason = reason,
            Actor = actor,
            Timestamp = now,
            Control = record,
        };
        await store.UpdateAsync(next, entry, cancellationToken).ConfigureAwait(false);
        return next;
    }

    private static DeviceControlRecord Record(string point, double value, ControlOutcome outcome, ControlWritePlan? plan, string? detail) => new()
    {
        Point = point,
        Value = value,
        Outcome = outcome,
        Address = plan?.Address,
        FunctionCode = plan?.FunctionCode,
        Registers = plan?.Registers ?? [],
        Detail = detail,
    };

    private static List<DeviceValidationError> CheckArguments(string point, double value, string? actor, string? reason, bool requireNote)
    {
        var errors = new List<DeviceValidationError>();
        if (string.IsNullOrWhiteSpace(point))
        {
            errors.Add(new DeviceValidationError { Field = "point", Message = "is required and must not be blank" });
        }

        if (!double.IsFinite(value))
        {
            errors.Add(new DeviceValidationError { Field = "value", Message = $"must be a finite number, not {Show(value)}" });
        }

        if (requireNote)
        {
            FieldRules.CheckText(actor, "actor", FieldRules.MaxActorLength, errors);
            if (string.IsNullOrWhiteSpace(reason))
            {
                errors.Add(new DeviceValidationError { Field = "reason", Message = "is required: say why the setpoint is written" });
            }
            else
            {
                FieldRules.CheckFreeText(reason, "reason", FieldRules.MaxReasonLength, errors);
            }
        }

        return errors;
    }

    private static void ThrowIfInvalid(List<DeviceValidationError> errors)
    {
        if (errors.Count > 0)
        {
            throw new DeviceValidationException(errors);
        }
    }

    private static string Show(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Why a write is refused: the field at fault and the reason, and the state when it is the state.</summary>
    internal sealed record Refusal(string Field, string Message)
    {
        public DeviceState? State { get; init; }

        public FluxDevicesException Exception(Device device) => State is { } state
            ? new DeviceControlDisabledException(device.Id, device.Name, state)
            : new DeviceValidationException(Field, Message);
    }
}
