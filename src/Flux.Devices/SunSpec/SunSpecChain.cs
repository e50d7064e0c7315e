using System.Text.Json;
using Flux.Devices.Internal;
using Flux.Devices.Transport;

namespace Flux.Devices.SunSpec;

/// <summary>
/// One model of a device's SunSpec chain: its id, the address of its <c>ID</c> register, and its length <c>L</c>
/// (registers after <c>L</c>); its name and label come from the model definitions this library ships.
/// </summary>
public sealed record SunSpecModelEntry
{
    /// <summary>Initializes a new instance of the <see cref="SunSpecModelEntry"/> class.</summary>
    /// <param name="id">The model id.</param>
    /// <param name="address">The address of the model's <c>ID</c> register.</param>
    /// <param name="length">The model's length <c>L</c>.</param>
    internal SunSpecModelEntry(int id, int address, int length)
    {
        Id = id;
        Address = address;
        Length = length;
    }

    /// <summary>Gets the model id (<c>1</c> common, <c>802</c> battery, <c>203</c> three-phase meter).</summary>
    public int Id { get; }

    /// <summary>Gets the address of the model's <c>ID</c> register; its points start there.</summary>
    public int Address { get; }

    /// <summary>Gets the model's length <c>L</c>: the registers of its body, after <c>ID</c> and <c>L</c>.</summary>
    public int Length { get; }

    /// <summary>Gets the address after the model's last register.</summary>
    public int End => Address + 2 + Length;

    /// <summary>
    /// Gets the model's name in the shipped model definitions (<c>common</c>, <c>battery</c>, <c>ac_meter_abcn</c>), or
    /// <see langword="null"/> for a model this library does not ship (it is still walked past by its length). The
    /// definition is parsed on first use.
    /// </summary>
    public string? Name => SunSpecModelCatalog.Shared.TryGet(Id, out var model) ? model.Group.Name : null;

    /// <summary>
    /// Gets the model's label in the shipped model definitions (<c>Common</c>, <c>Battery Base Model</c>), or
    /// <see langword="null"/> for a model this library does not ship or whose definition gives none.
    /// </summary>
    public string? Label => SunSpecModelCatalog.Shared.TryGet(Id, out var model) ? model.Label : null;
}

/// <summary>
/// A SunSpec device's model chain, as walked from its marker "SunS": each model's id, address and length, and why the
/// walk stopped when it did not reach the end model (0xFFFF). Read one with <see cref="ReadAsync"/>
/// (a registered device, at the address its metadata names) or <see cref="DiscoverAsync(IModbusTransport, ModbusEndpoint, byte, CancellationToken)"/>;
/// record it in a device's metadata, as discovery does, with <see cref="AddTo"/>.
/// </summary>
public sealed class SunSpecChain
{
    /// <summary>The metadata key of the chain: a JSON array of <c>{"id", "address", "length"}</c>, one per model, in chain order.</summary>
    public const string MetadataKey = "sunspec_models";

    /// <summary>The metadata key of the marker's address (40000, 0 or 50000).</summary>
    public const string BaseMetadataKey = "sunspec_base";

    /// <summary>The metadata key of why the walk of a chain cut short stopped: <c>stopped at ADDRESS: REASON</c>.</summary>
    public const string WalkMetadataKey = "sunspec_walk";

    /// <summary>The most models a chain may hold before the walk gives up (no end model).</summary>
    internal const int MaxModels = 256;

    private const ushort EndModel = 0xFFFF;

    /// <summary>Initializes a new instance of the <see cref="SunSpecChain"/> class.</summary>
    /// <param name="baseAddress">The marker's address.</param>
    /// <param name="models">The models, in chain order.</param>
    /// <param name="error">Why the walk stopped early; <see langword="null"/> when it reached the end model.</param>
    internal SunSpecChain(int baseAddress, IReadOnlyList<SunSpecModelEntry> models, SunSpecChainException? error = null)
    {
        BaseAddress = baseAddress;
        Models = models;
        Error = error;
    }

    /// <summary>Gets the addresses the marker "SunS" is looked for at, in this order: 40000, 0, 50000 (pysunspec2's order).</summary>
    public static IReadOnlyList<ushort> Bases { get; } = [40000, 0, 50000];

    /// <summary>Gets the address of the marker "SunS" (40000, 0 or 50000).</summary>
    public int BaseAddress { get; }

    /// <summary>
    /// Gets the models read, in chain order (a model the library does not ship included, with a <see langword="null"/>
    /// <see cref="SunSpecModelEntry.Name"/>); when the walk was cut short, those before the place it stopped.
    /// </summary>
    public IReadOnlyList<SunSpecModelEntry> Models { get; }

    /// <summary>
    /// Gets why the walk stopped before the end model (where, why, how many models were read before), or
    /// <see langword="null"/> when the chain is complete. Carried, not thrown: the models before it stay usable.
    /// </summary>
    public SunSpecChainException? Error { get; }

    /// <summary>Gets a value indicating whether the walk reached the end model.</summary>
    public bool IsComplete => Error is null;

    /// <summary>
    /// Walks a registered device's chain now, at the address its metadata names (<c>ip_address</c>, <c>port</c>,
    /// <c>modbus_address</c>, <c>modbus_framing</c>, <c>modbus_tls</c>, as the health monitor polls it): see
    /// <see cref="DiscoverAsync(IModbusTransport, ModbusEndpoint, byte, CancellationToken)"/>. Nothing is written.
    /// </summary>
    /// <param name="transport">The transport (the host's <see cref="IModbusTransport"/>).</param>
    /// <param name="device">The device.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The chain (possibly cut short: see <see cref="Error"/>), or <see langword="null"/> when no marker answers.</returns>
    /// <exception cref="DeviceValidationException">The device's metadata does not say where it is (field <c>metadata</c>, with the key and why).</exception>
    public static ValueTask<SunSpecChain?> ReadAsync(IModbusTransport transport, Device device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(device);
        return DeviceAddressing.TryRead(device.Metadata, out var endpoint, out var unitId, out var problem)
            ? DiscoverAsync(transport, endpoint, unitId, cancellationToken)
            : throw new DeviceValidationException("metadata", $"device {device.Name}: its {problem}");
    }

    /// <summary>
    /// Looks for the marker "SunS" at 40000, 0 and 50000 (<see cref="Bases"/>) and walks the chain from the first place
    /// it is found: each model's id, then its length; a model the library does not ship is passed over by its length
    /// like any other. A read that is refused or unanswered, a model that runs past address 65535, or no end model after
    /// 256 models stops the walk: the chain then holds the models read so far and <see cref="Error"/> says where and why.
    /// </summary>
    /// <param name="transport">The transport.</param>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>
    /// The chain (possibly cut short: see <see cref="Error"/>), or <see langword="null"/> when no marker answers (a read
    /// refused or unanswered at all three addresses). A connection that cannot be made propagates as the transport's exception.
    /// </returns>
    public static async ValueTask<SunSpecChain?> DiscoverAsync(IModbusTransport transport, ModbusEndpoint endpoint, byte unitId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        foreach (var baseAddress in Bases)
        {
            if (await HasMarkerAsync(transport, endpoint, unitId, baseAddress, cancellationToken).ConfigureAwait(false))
            {
                return await WalkAsync(transport, endpoint, unitId, baseAddress, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }

    /// <summary>Reads whether the marker "SunS" (0x5375 0x6E53) is at an address; a read refused or unanswered is "no".</summary>
    /// <param name="transport">The transport.</param>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="baseAddress">Where to look.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Whether the marker is there.</returns>
    internal static async ValueTask<bool> HasMarkerAsync(IModbusTransport transport, ModbusEndpoint endpoint, byte unitId, ushort baseAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var marker = new ushort[2];
        try
        {
            await transport.ReadHoldingRegistersAsync(endpoint, unitId, baseAddress, marker, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModbusException or ModbusTimeoutException)
        {
            return false; // Nothing mapped there, or no answer: try the next base, as pysunspec2 does.
        }

        return marker[0] == 0x5375 && marker[1] == 0x6E53;
    }

    /// <summary>
    /// Walks the chain after the marker at <paramref name="baseAddress"/>: each model's id read on its own (some devices
    /// leave out the end model's length), then its length; an unknown model is passed over by its length like any
    /// other. A read that fails, a model that runs past 65535, or no end model after <see cref="MaxModels"/> models
    /// stops the walk: the chain then holds the models read so far and <see cref="Error"/> says where and why.
    /// </summary>
    /// <param name="transport">The transport.</param>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="baseAddress">The marker's address (not checked again).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The chain.</returns>
    internal static async ValueTask<SunSpecChain> WalkAsync(IModbusTransport transport, ModbusEndpoint endpoint, byte unitId, ushort baseAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var models = new List<SunSpecModelEntry>();
        var word = new ushort[1];
        var address = baseAddress + 2;
        while (true)
        {
            if (models.Count == MaxModels)
            {
                return Stopped(models, baseAddress, address, $"no end model (0xFFFF) after {MaxModels} models");
            }

            if (address > ushort.MaxValue)
            {
                return Stopped(models, baseAddress, address, "the chain runs past address 65535 without an end model (0xFFFF)");
            }

            try
            {
                await transport.ReadHoldingRegistersAsync(endpoint, unitId, (ushort)address, word, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ModbusException or ModbusTimeoutException or ModbusProtocolException)
            {
                return Stopped(models, baseAddress, address, $"reading the model id failed: {ex.Message}", ex);
            }

            var id = word[0];
            if (id == EndModel)
            {
                return new SunSpecChain(baseAddress, models);
            }

            if (address + 1 > ushort.MaxValue)
            {
                return Stopped(models, baseAddress, address, $"model {id}'s length would be at 65536, past the last address");
            }

            try
            {
                await transport.ReadHoldingRegistersAsync(endpoint, unitId, (ushort)(address + 1), word, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ModbusException or ModbusTimeoutException or ModbusProtocolException)
            {
                return Stopped(models, baseAddress, address, $"reading model {id}'s length failed: {ex.Message}", ex);
            }

            var entry = new SunSpecModelEntry(id, address, word[0]);
            if (entry.End > ushort.MaxValue + 1)
            {
                return Stopped(models, baseAddress, address, $"model {id} of length {entry.Length} runs past address 65535");
            }

            models.Add(entry);
            address = entry.End;
        }
    }

    /// <summary>Reads a chain back from a device's metadata (<see cref="MetadataKey"/> and <see cref="BaseMetadataKey"/>).</summary>
    /// <param name="metadata">The metadata.</param>
    /// <returns>The chain, or <see langword="null"/> when the metadata has none (or an older list of ids only).</returns>
    internal static SunSpecChain? FromMetadata(DeviceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(MetadataKey, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var models = new List<SunSpecModelEntry>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("id", out var id) || !item.TryGetProperty("address", out var address) || !item.TryGetProperty("length", out var length))
            {
                return null;
            }

            if (!IsInt(id, out var i) || !IsInt(address, out var a) || !IsInt(length, out var n))
            {
                return null;
            }

            models.Add(new SunSpecModelEntry(i, a, n));
        }

        var baseAddress = metadata.TryGetValue(BaseMetadataKey, out var b) && IsInt(b, out var given)
            ? given
            : models.Count > 0 ? models[0].Address - 2 : Bases[0];
        return new SunSpecChain(baseAddress, models);
    }

    /// <summary>
    /// Records the chain in a device's metadata as discovery does: <see cref="BaseMetadataKey"/> (the marker's address),
    /// <see cref="MetadataKey"/> (<c>[{"id":1,"address":40002,"length":66}, ...]</c>), and for a chain cut short
    /// <see cref="WalkMetadataKey"/> (<c>stopped at 40134: reading the model id failed: ...</c>), which a complete chain
    /// removes. Write the result with <see cref="IDeviceRegistry.UpdateAsync"/>.
    /// </summary>
    /// <param name="metadata">The metadata to add to (the device's, or <see cref="DeviceMetadata.Empty"/>).</param>
    /// <returns>The metadata with the chain.</returns>
    public DeviceMetadata AddTo(DeviceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        metadata = metadata.With(BaseMetadataKey, (long)BaseAddress).With(MetadataKey, ToMetadataValue());
        return Error is { } error
            ? metadata.With(WalkMetadataKey, $"stopped at {error.Address}: {error.Reason}")
            : metadata.Without(WalkMetadataKey);
    }

    /// <summary>Gets the chain as the value of <see cref="MetadataKey"/>: <c>[{"id":1,"address":40002,"length":66}, ...]</c>.</summary>
    /// <returns>The JSON array.</returns>
    internal JsonElement ToMetadataValue()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var model in Models)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", model.Id);
                writer.WriteNumber("address", model.Address);
                writer.WriteNumber("length", model.Length);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.Clone();
    }

    private static bool IsInt(JsonElement element, out int value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value);
    }

    private static SunSpecChain Stopped(List<SunSpecModelEntry> models, int baseAddress, int address, string reason, Exception? inner = null) =>
        new(baseAddress, models, new SunSpecChainException(baseAddress, address, models.Count, reason, inner));
}
