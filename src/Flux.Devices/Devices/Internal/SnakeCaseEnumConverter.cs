using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flux.Devices.Internal;

/// <summary>Writes enum values as snake_case strings (<c>decommissioned</c>, <c>deploy_config</c>), as the spec's JSON does.</summary>
/// <typeparam name="TEnum">The enum.</typeparam>
internal sealed class SnakeCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public SnakeCaseEnumConverter()
        : base(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    {
    }
}
