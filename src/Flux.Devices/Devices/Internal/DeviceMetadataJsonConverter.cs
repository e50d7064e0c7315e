using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flux.Devices.Internal;

/// <summary>Reads and writes <see cref="DeviceMetadata"/> as the JSON object it is.</summary>
internal sealed class DeviceMetadataJsonConverter : JsonConverter<DeviceMetadata>
{
    public override DeviceMetadata Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return DeviceMetadata.FromElement(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, DeviceMetadata value, JsonSerializerOptions options) => value.WriteTo(writer);
}
