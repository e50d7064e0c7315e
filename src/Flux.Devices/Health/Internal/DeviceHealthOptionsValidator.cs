using Microsoft.Extensions.Options;

namespace Flux.Devices.Health.Internal;

/// <summary>Checks the attribute rules on <see cref="DeviceHealthOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class DeviceHealthOptionsValidator : IValidateOptions<DeviceHealthOptions>;
