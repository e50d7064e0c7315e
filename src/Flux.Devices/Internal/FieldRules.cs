namespace Flux.Devices.Internal;

/// <summary>The rules every name and site follows, for devices and groups alike.</summary>
internal static class FieldRules
{
    public const int MaxNameLength = 200;
    public const int MaxSiteLength = 64;

    /// <summary>Requires non-blank text of at most <paramref name="maxLength"/> characters, trimmed, without control characters.</summary>
    public static bool CheckText(string? value, string field, int maxLength, List<DeviceValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new DeviceValidationError(field, "is required and must not be blank"));
            return false;
        }

        if (value.Length > maxLength)
        {
            errors.Add(new DeviceValidationError(field, $"is {value.Length} characters long; the limit is {maxLength}"));
            return false;
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            errors.Add(new DeviceValidationError(field, "must not start or end with white space"));
            return false;
        }

        if (value.Any(char.IsControl))
        {
            errors.Add(new DeviceValidationError(field, "must not contain control characters"));
            return false;
        }

        return true;
    }
}
