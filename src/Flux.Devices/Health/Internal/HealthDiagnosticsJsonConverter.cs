using System.Text.Json;
using System.Text.Json.Serialization;
using Flux.Devices.Storage;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// Reads the <c>diagnostics</c> column whatever another writer put in it: the four keys the library writes when their
/// values have the expected type, everything else into <see cref="HealthDiagnostics.AdditionalProperties"/>. Writes
/// the library's keys first (as before: nulls included), then the others as they were read.
/// </summary>
internal sealed class HealthDiagnosticsJsonConverter : JsonConverter<HealthDiagnostics>
{
    private const string ErrorKindName = "error_kind";
    private const string ErrorName = "error";
    private const string ExceptionCodeName = "exception_code";
    private const string AttemptsName = "attempts";

    public override HealthDiagnostics Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var others = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object)
        {
            others["value"] = root.Clone();
            return new HealthDiagnostics { AdditionalProperties = others };
        }

        HealthErrorKind? kind = null;
        string? error = null;
        int? exceptionCode = null;
        var attempts = 0;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            var isNull = value.ValueKind == JsonValueKind.Null;
            switch (property.Name)
            {
                case ErrorKindName when isNull:
                    kind = null;
                    break;
                case ErrorKindName when value.ValueKind == JsonValueKind.String && EnumText.TryParse<HealthErrorKind>(value.GetString()!, out var parsed):
                    kind = parsed;
                    break;
                case ErrorName when isNull || value.ValueKind == JsonValueKind.String:
                    error = value.GetString();
                    break;
                case ExceptionCodeName when isNull:
                    exceptionCode = null;
                    break;
                case ExceptionCodeName when IsInt32(value, out var code):
                    exceptionCode = code;
                    break;
                case AttemptsName when IsInt32(value, out var count):
                    attempts = count;
                    break;
                default:
                    others[property.Name] = value.Clone();
                    break;
            }
        }

        return new HealthDiagnostics { ErrorKind = kind, Error = error, ExceptionCode = exceptionCode, Attempts = attempts, AdditionalProperties = others };
    }

    private static bool IsInt32(JsonElement element, out int value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value);
    }

    public override void Write(Utf8JsonWriter writer, HealthDiagnostics value, JsonSerializerOptions options)
    {
        var others = value.AdditionalProperties;
        writer.WriteStartObject();
        if (value.ErrorKind is { } kind)
        {
            writer.WriteString(ErrorKindName, EnumText.Name(kind));
        }
        else if (!others.ContainsKey(ErrorKindName))
        {
            writer.WriteNull(ErrorKindName);
        }

        if (value.Error is { } error)
        {
            writer.WriteString(ErrorName, error);
        }
        else if (!others.ContainsKey(ErrorName))
        {
            writer.WriteNull(ErrorName);
        }

        if (value.ExceptionCode is { } code)
        {
            writer.WriteNumber(ExceptionCodeName, code);
        }
        else if (!others.ContainsKey(ExceptionCodeName))
        {
            writer.WriteNull(ExceptionCodeName);
        }

        if (!others.ContainsKey(AttemptsName) || value.Attempts != 0)
        {
            writer.WriteNumber(AttemptsName, value.Attempts);
        }

        foreach (var (name, element) in others)
        {
            var written = name switch
            {
                ErrorKindName => value.ErrorKind is not null,
                ErrorName => value.Error is not null,
                ExceptionCodeName => value.ExceptionCode is not null,
                AttemptsName => value.Attempts != 0,
                _ => false,
            };
            if (!written)
            {
                writer.WritePropertyName(name);
                element.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }
}
