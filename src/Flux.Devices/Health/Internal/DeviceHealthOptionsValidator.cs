using Microsoft.Extensions.Options;

namespace Flux.Devices.Health.Internal;

/// <summary>Checks the attribute rules on <see cref="DeviceHealthOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class DeviceHealthOptionsValidator : IValidateOptions<DeviceHealthOptions>;

/// <summary>Checks the rules between options of <see cref="DeviceHealthOptions"/> that attributes cannot say.</summary>
internal sealed class DeviceHealthOptionsRulesValidator : IValidateOptions<DeviceHealthOptions>
{
    public ValidateOptionsResult Validate(string? name, DeviceHealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.FailedRetryMaxInterval < options.FailedRetryInterval
            ? ValidateOptionsResult.Fail(
                $"{nameof(DeviceHealthOptions.FailedRetryMaxInterval)} ({options.FailedRetryMaxInterval}) must be at least " +
                $"{nameof(DeviceHealthOptions.FailedRetryInterval)} ({options.FailedRetryInterval}): it is the longest wait between probes of a failed device.")
            : ValidateOptionsResult.Success;
    }
}
