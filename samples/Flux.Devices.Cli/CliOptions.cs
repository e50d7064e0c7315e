using System.CommandLine;
using System.Text.Json;

namespace Flux.Devices.Cli;

/// <summary>Options shared by several commands, and the parsers the command line's values need.</summary>
internal static class CliOptions
{
    /// <summary>
    /// An option taking one of an enum's names, case-insensitively and in snake case (<c>--role backup</c>). Unlike the
    /// parser's default, a number (which would give an undefined value) and a comma list (flags combined) are refused.
    /// </summary>
    public static Option<T> Enum<T>(string name, string description, T defaultValue)
        where T : struct, System.Enum
    {
        var names = System.Enum.GetNames<T>().Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToArray();
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = string.Join('|', names),
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (text.Length > 0 && !text.Contains(',', StringComparison.Ordinal) && System.Enum.TryParse<T>(text.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !char.IsAsciiDigit(text[0]) && text[0] != '-')
                {
                    return value;
                }

                result.AddError($"Argument '{text}' not recognized for {name}. Must be one of: {string.Join(", ", names.Select(n => $"'{n}'"))}.");
                return defaultValue;
            },
        };
        option.CompletionSources.Clear();
        option.CompletionSources.Add(names);
        return option;
    }

    /// <summary>An optional JSON object: the text itself, or <c>@file.json</c> to read it from a file.</summary>
    public static Option<string?> Json(string name, string description) => new(name) { Description = $"{description} JSON text, or @FILE to read it from a file." };

    /// <summary>Reads an option made by <see cref="Json"/> as metadata, <see langword="null"/> when not given.</summary>
    /// <exception cref="DeviceValidationException">The text is not a JSON object, or breaks a metadata rule.</exception>
    public static async Task<DeviceMetadata?> ReadMetadataAsync(ParseResult result, Option<string?> option, CancellationToken cancellationToken)
    {
        var text = result.GetValue(option);
        if (text is null)
        {
            return null;
        }

        if (text.StartsWith('@'))
        {
            text = text.Length > 1 ? await File.ReadAllTextAsync(text[1..], cancellationToken) : throw new UsageException($"{option.Name} @: give a file name after @.");
        }

        return DeviceMetadata.Parse(text);
    }

    /// <summary>
    /// Finds a template or defaults file: as given, else, when only a file name is given and no such file is here, the
    /// one shipped with flux (its <c>templates/</c> folder), so that the spec's
    /// <c>--template powerpack_bess.yaml</c> works from any directory.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither exists.</exception>
    public static string ResolveShipped(FileInfo file)
    {
        if (file.Exists)
        {
            return file.FullName;
        }

        var given = file.ToString();
        if (Path.GetFileName(given) != given)
        {
            // A path with a folder names one file: a typo in it must not quietly apply the stock template instead.
            throw new FileNotFoundException($"No file {file.FullName}.", file.FullName);
        }

        var shipped = Path.Combine(AppContext.BaseDirectory, "templates", file.Name);
        return File.Exists(shipped)
            ? shipped
            : throw new FileNotFoundException($"No file {file.FullName} (nor a shipped template of that name).", file.FullName);
    }
}
