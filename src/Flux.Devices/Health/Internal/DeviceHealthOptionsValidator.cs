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
        var failures = new List<string>();
        if (options.FailedRetryMaxInterval < options.FailedRetryInterval)
        {
            failures.Add(
                $"{nameof(DeviceHealthOptions.FailedRetryMaxInterval)} ({options.FailedRetryMaxInterval}) must be at least " +
                $"{nameof(DeviceHealthOptions.FailedRetryInterval)} ({options.FailedRetryInterval}): it is the longest wait between probes of a failed device.");
        }

        if (options.Leases is { } leases && leases.RenewInterval * 2 > leases.LeaseTime)
        {
            failures.Add(
                $"{nameof(DeviceHealthOptions.Leases)}.{nameof(DeviceLeaseOptions.RenewInterval)} ({leases.RenewInterval}) must be at most half " +
                $"{nameof(DeviceHealthOptions.Leases)}.{nameof(DeviceLeaseOptions.LeaseTime)} ({leases.LeaseTime}): a lease is renewed at least twice before it expires.");
        }

        if (options.Scope is { } scope)
        {
            try
            {
                DeviceFilter.Parse(scope);
            }
            catch (DeviceFilterException ex)
            {
                failures.Add($"{nameof(DeviceHealthOptions.Scope)} ('{scope}') is not a device filter: {ex.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Fails options validation (so the host's start) when <see cref="DeviceLeaseOptions.Enabled"/> is set but the store
/// cannot keep leases (the in-memory and SQLite stores serve one process).
/// </summary>
internal sealed class DeviceLeaseStoreValidator(IServiceProvider services) : IValidateOptions<DeviceHealthOptions>
{
    public ValidateOptionsResult Validate(string? name, DeviceHealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Leases is not { Enabled: true } || Microsoft.Extensions.DependencyInjection.FluxDevicesBuilderTransportExtensions.LeaseStore(services) is not null)
        {
            return ValidateOptionsResult.Success;
        }

        var store = services.GetService(typeof(Storage.IDeviceStore));
        return ValidateOptionsResult.Fail(NoLeaseStore(store?.GetType().Name ?? "none"));
    }

    /// <summary>The reason, naming the option and the store.</summary>
    public static string NoLeaseStore(string store) =>
        $"{nameof(DeviceHealthOptions)}.{nameof(DeviceHealthOptions.Leases)}.{nameof(DeviceLeaseOptions.Enabled)} is set, but the device store ({store}) cannot keep leases: " +
        "leases share devices between monitor processes on one PostgreSQL database (UsePostgres). The in-memory and SQLite stores serve one process; turn leases off for them.";
}
