namespace Flux.Devices.Internal;

/// <summary>The rules every name and site follows, for devices and groups alike.</summary>
internal static class FieldRules
{
    public const int MaxNameLength = 200;
    public const int MaxSiteLength = 64;
    public const int MaxActorLength = 200;
    public const int MaxReasonLength = 2000;

    /// <summary>Requires non-blank text of at most <paramref name="maxLength"/> characters, trimmed, without control characters.</summary>
    public static bool CheckText(string? value, string field, int maxLength, List<DeviceValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new DeviceValidationError { Field = field, Message = "is required and must not be blank" });
            return false;
        }

        if (value.Length > maxLength)
        {
            errors.Add(new DeviceValidationError { Field = field, Message = $"is {value.Length} characters long; the limit is {maxLength}" });
            return false;
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            errors.Add(new DeviceValidationError { Field = field, Message = "must not start or end with white space" });
            return false;
        }

        if (value.Any(char.IsControl))
        {
            errors.Add(new DeviceValidationError { Field = field, Message = "must not contain control characters" });
            return false;
        }

        if (HasUnpairedSurrogate(value))
        {
            errors.Add(new DeviceValidationError { Field = field, Message = UnpairedSurrogate });
            return false;
        }

        return true;
    }

    /// <summary>Allows free text (a reason, an actor) up to a length, refusing what no UTF-8 database can store.</summary>
    public static void CheckFreeText(string? value, string field, int maxLength, List<DeviceValidationError> errors)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > maxLength)
        {
            errors.Add(new DeviceValidationError { Field = field, Message = $"is {value.Length} characters long; the limit is {maxLength}" });
        }
        else if (value.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(new DeviceValidationError { Field = field, Message = Nul });
        }
        else if (HasUnpairedSurrogate(value))
        {
            errors.Add(new DeviceValidationError { Field = field, Message = UnpairedSurrogate });
        }
    }

    public const string Nul = "contains the character U+0000, which PostgreSQL refuses";

    public const string UnpairedSurrogate = "is not valid Unicode text (it holds an unpaired UTF-16 surrogate)";

    /// <summary>Tells whether text holds a surrogate that is not half of a pair, which has no UTF-8 encoding.</summary>
    public static bool HasUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
