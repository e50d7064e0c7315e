using Microsoft.Extensions.Options;

namespace Flux.Devices.Modbus.Client;

/// <summary>Checks the attribute rules on <see cref="ModbusTcpOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class ModbusTcpOptionsValidator : IValidateOptions<ModbusTcpOptions>;

/// <summary>Validates options given to the constructor directly, without a container.</summary>
internal static class ModbusTcpOptionsValidation
{
    private static readonly ModbusTcpOptionsValidator Validator = new();

    public static void ThrowIfInvalid(ModbusTcpOptions options)
    {
        var result = Validator.Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentOutOfRangeException(nameof(options), result.FailureMessage);
        }
    }
}
