namespace Flux.Devices.Transport;

/// <summary>Which identification objects to read (Read Device ID code of function 43/14).</summary>
public enum DeviceIdentificationCategory : byte
{
    /// <summary>Objects 0x00..0x02: vendor name, product code, revision (mandatory for every device).</summary>
    Basic = 0x01,

    /// <summary>Objects 0x00..0x06: basic, plus vendor URL, product name, model name, user application name.</summary>
    Regular = 0x02,

    /// <summary>Objects 0x00..0xFF: regular, plus private objects 0x80..0xFF.</summary>
    Extended = 0x03,
}

/// <summary>The identification objects a device reported through function 43/14.</summary>
public sealed class DeviceIdentification
{
    /// <summary>Initializes a new instance of the <see cref="DeviceIdentification"/> class.</summary>
    /// <param name="conformityLevel">The conformity level the device reported.</param>
    /// <param name="objects">The objects, by id.</param>
    public DeviceIdentification(byte conformityLevel, IReadOnlyDictionary<byte, string> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ConformityLevel = conformityLevel;
        Objects = objects;
    }

    /// <summary>Gets the conformity level the device reported (0x01 basic, 0x02 regular, 0x03 extended; +0x80 if individual access is allowed).</summary>
    public byte ConformityLevel { get; }

    /// <summary>Gets every object the device reported, by id.</summary>
    public IReadOnlyDictionary<byte, string> Objects { get; }

    /// <summary>Gets object 0x00, the vendor name.</summary>
    public string? VendorName => Objects.GetValueOrDefault((byte)0x00);

    /// <summary>Gets object 0x01, the product code.</summary>
    public string? ProductCode => Objects.GetValueOrDefault((byte)0x01);

    /// <summary>Gets object 0x02, the major and minor revision.</summary>
    public string? Revision => Objects.GetValueOrDefault((byte)0x02);

    /// <summary>Gets object 0x04, the product name, when reported.</summary>
    public string? ProductName => Objects.GetValueOrDefault((byte)0x04);

    /// <summary>Gets object 0x05, the model name, when reported.</summary>
    public string? ModelName => Objects.GetValueOrDefault((byte)0x05);
}
