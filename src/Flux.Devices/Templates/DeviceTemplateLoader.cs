using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Templates.Yaml;

namespace Flux.Devices.Templates;

/// <summary>
/// Loads templates (and register map files) from YAML. Templates are untrusted input: the loader refuses text over
/// 64 KB, nesting deeper than 64, anchors, aliases and tags, duplicate keys, unknown keys and wrong types, with a
/// <see cref="DeviceTemplateException"/> giving the line and column of every problem. It accepts the spec's
/// <c>powerpack_bess.yaml</c> as written, including its short register form and its <c>scaling</c> block.
/// </summary>
/// <remarks>
/// <para>The format (keys under <c>device_template</c>):</para>
/// <list type="bullet">
/// <item><c>type</c> (required), <c>manufacturer</c>, <c>name</c> (default: the file name), <c>register_map</c> (a base map by name).</item>
/// <item><c>default_config</c>: <c>polling_interval</c> and <c>timeout</c> as durations (<c>60s</c>, <c>500ms</c>, <c>5m</c>), <c>retry_count</c> 0..10.</item>
/// <item><c>scaling</c>: named factors (<c>energy: 0.001</c>), over the base map's.</item>
/// <item>
/// <c>registers</c>: the short form <c>soe: 2026</c>, or the extended form with <c>address</c>, <c>kind</c>
/// (holding, input, coil, discrete_input), <c>type</c> (int16, uint16, int32, uint32, float32, int64, uint64,
/// float64, string), <c>count</c> (registers, for strings), <c>order</c> (ABCD, CDAB, BADC, DCBA), <c>scale</c>
/// (a number or a scaling key), <c>offset</c>, <c>unit</c>, <c>access</c> (read, read_write),
/// <c>not_available</c> (the raw "no value" sentinel), <c>min</c> / <c>max</c> (the scaled range a write must keep to)
/// and <c>secondary</c> (none, current, voltage, power: a meter's secondary-side value, which telemetry multiplies by
/// the device's <c>ct_ratio</c>, <c>vt_ratio</c> or both).
/// </item>
/// </list>
/// <para>
/// The base map is the one <c>register_map</c> names or, without it, the map named <c>&lt;manufacturer&gt;_&lt;type&gt;</c>
/// in lower case if there is one (PowerPack and bess give <c>powerpack_bess</c>). The template's registers override
/// the base map's points of the same name and add to them. A short-form register takes the base map's point of its
/// name at the new address, so <c>soe: 2026</c> stays a uint32 in Wh scaled by <c>energy</c>; a short-form register
/// the base map does not have is a uint16 holding register, scaled by the scaling key of the same name if there is
/// one, else unscaled.
/// </para>
/// </remarks>
public sealed class DeviceTemplateLoader
{
    private readonly IRegisterMapProvider _registerMaps;
    private readonly IReadOnlyCollection<string>? _deviceTypes;

    /// <summary>Initializes a new instance of the <see cref="DeviceTemplateLoader"/> class.</summary>
    /// <param name="registerMaps">Where base maps are found.</param>
    /// <param name="deviceTypes">The device types a template may name; <see langword="null"/> to accept any valid name.</param>
    public DeviceTemplateLoader(IRegisterMapProvider registerMaps, IEnumerable<string>? deviceTypes = null)
    {
        ArgumentNullException.ThrowIfNull(registerMaps);
        _registerMaps = registerMaps;
        _deviceTypes = deviceTypes is null ? null : [.. deviceTypes];
    }

    /// <summary>Gets the largest template or register map file accepted, in bytes.</summary>
    public static int MaxBytes => YamlTree.MaxBytes;

    /// <summary>Loads a template from YAML text.</summary>
    /// <param name="yaml">The text.</param>
    /// <param name="fileName">The file it came from, for messages and as the default template name.</param>
    /// <returns>The template.</returns>
    /// <exception cref="DeviceTemplateException">The text is refused; every problem is listed with its line and column.</exception>
    public DeviceTemplate Load(string yaml, string? fileName = null) =>
        TemplateParser.ParseTemplate(YamlTree.Parse(yaml, fileName, rootDuplicatesAllowed: true), fileName, _registerMaps, _deviceTypes);

    /// <summary>Loads a template file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The template.</returns>
    /// <exception cref="DeviceTemplateException">The file is too large, is not UTF-8 (the error gives the line and byte offset), or is refused.</exception>
    public async Task<DeviceTemplate> LoadFileAsync(string path, CancellationToken cancellationToken = default) =>
        Load(await ReadFileAsync(path, cancellationToken).ConfigureAwait(false), Path.GetFileName(path));

    /// <summary>Loads a register map from YAML text (keys under <c>register_map</c>: <c>name</c>, <c>description</c>, <c>scaling</c>, <c>registers</c>).</summary>
    /// <param name="yaml">The text.</param>
    /// <param name="fileName">The file it came from, for messages.</param>
    /// <returns>The map.</returns>
    /// <exception cref="DeviceTemplateException">The text is refused; every problem is listed with its line and column.</exception>
    public static RegisterMap LoadRegisterMap(string yaml, string? fileName = null) =>
        TemplateParser.ParseRegisterMap(YamlTree.Parse(yaml, fileName), fileName);

    /// <summary>
    /// Reads a file of at most <see cref="MaxBytes"/> bytes. The limit is enforced on the bytes read, not on the size the
    /// file system reports, so that a device file, a pipe or a file that grows cannot make the read unbounded.
    /// </summary>
    internal static async Task<string> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[YamlTree.MaxBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            return Decode(path, buffer, length);
        }
    }

    /// <summary>Reads a file of at most <see cref="MaxBytes"/> bytes, synchronously (for start-up).</summary>
    internal static string ReadFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var buffer = new byte[YamlTree.MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return Decode(path, buffer, length);
    }

    private static string Decode(string path, byte[] buffer, int length)
    {
        if (length > YamlTree.MaxBytes)
        {
            throw new DeviceTemplateException(Path.GetFileName(path), [new TemplateError { Line = 1, Column = 1, Path = string.Empty, Message = $"the file is over {YamlTree.MaxBytes} bytes, the limit" }]);
        }

        var bytes = buffer.AsSpan(0, length);
        var start = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        var text = new char[length - start];
        if (Utf8.ToUtf16(bytes[start..], text, out var read, out var written, replaceInvalidSequences: false) == OperationStatus.Done)
        {
            return new string(text, 0, written);
        }

        // Not UTF-8: refused, rather than read with U+FFFD in place of the bytes (which would then be stored and shown as
        // if the template said so). The error points at the first bad byte: its line, its column as the characters
        // before it on that line, and its offset in the file for a hex editor.
        var offset = start + read;
        var lineStart = bytes[..offset].LastIndexOf((byte)'\n') + 1;
        var line = bytes[..offset].Count((byte)'\n') + 1;
        var column = Encoding.UTF8.GetCharCount(bytes[Math.Max(lineStart, start)..offset]) + 1;
        throw new DeviceTemplateException(Path.GetFileName(path), [new TemplateError { Line = line, Column = column, Path = string.Empty, Message = string.Create(CultureInfo.InvariantCulture, $"the file is not UTF-8: byte 0x{bytes[offset]:X2} at offset {offset} does not start a valid UTF-8 sequence; save the file as UTF-8") }]);
    }
}
