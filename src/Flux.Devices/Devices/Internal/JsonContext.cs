using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flux.Devices.Internal;

/// <summary>Source-generated serialization for the few primitive values the core writes itself.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class JsonContext : JsonSerializerContext;
