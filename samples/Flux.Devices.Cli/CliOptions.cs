using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Flux.Devices.Cli;

/// <summary>
/// Options shared by several commands, and the parsers the command line's values need. Every parser names its option
/// in its error (<c>--port abc: must be a whole number from 1 to 65535.</c>), never the .NET type it reads into.
/// </summary>
internal static class CliOptions
{
    /// <summary>
    /// An option taking one of an enum's names, case-insensitively (<c>--role backup</c>, <c>--type uint32</c>). Unlike
    /// the parser's default, a number (which would give an undefined value) and a comma list (flags combined) are
    /// refused. Help lists the names as they are typed, the default among them.
    /// </summary>
    /// <param name="name">The option.</param>
    /// <param name="description">What it is for.</param>
    /// <param name="defaultValue">The value when the option is not given.</param>
    /// <param name="names">How a value is typed; by default its name in snake case.</param>
    public static ChoiceOption<T> Enum<T>(string name, string description, T defaultValue, Func<T, string>? names = null)
        where T : struct, System.Enum
    {
        names ??= value => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
        var choices = System.Enum.GetValues<T>().Select(v => (Value: v, Name: names(v))).ToArray();
        var option = new ChoiceOption<T>(name, defaultValue)
        {
            // The parser would print the default with the enum's own name (UInt16): in another case than the choices.
            Description = $"{description} [default: {names(defaultValue)}]",
            HelpName = string.Join('|', choices.Select(c => c.Name)),
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                foreach (var (value, typed) in choices)
                {
                    if (string.Equals(Squash(text), Squash(typed), StringComparison.OrdinalIgnoreCase) && text.Length > 0)
                    {
                        return value;
                    }
                }

                result.AddError($"Argument '{text}' not recognized for {name}. Must be one of: {string.Join(", ", choices.Select(c => $"'{c.Name}'"))}.");
                return null;
            },
        };
        option.CompletionSources.Clear();
        option.CompletionSources.Add([.. choices.Select(c => c.Name)]);
        return option;

        static string Squash(string text) => text.Replace("_", string.Empty, StringComparison.Ordinal);
    }

    /// <summary>An option taking a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    /// <param name="name">The option.</param>
    /// <param name="description">What it is for.</param>
    /// <param name="min">The least value accepted.</param>
    /// <param name="max">The greatest value accepted.</param>
    /// <param name="defaultValue">The value when the option is not given, shown in help.</param>
    public static Option<T> Whole<T>(string name, string description, T min, T max, T? defaultValue = null)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var option = new Option<T>(name)
        {
            Description = description,
            CustomParser = result => ParseWhole(result, name, min, max) ?? default,
        };
        if (defaultValue is { } fallback)
        {
            option.DefaultValueFactory = _ => fallback;
        }

        return option;
    }

    /// <summary>As <see cref="Whole{T}"/>, for an optional value: <see langword="null"/> when not given.</summary>
    /// <param name="name">The option.</param>
    /// <param name="description">What it is for.</param>
    /// <param name="min">The least value accepted.</param>
    /// <param name="max">The greatest value accepted.</param>
    public static Option<T?> OptionalWhole<T>(string name, string description, T min, T max)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T> =>
        new(name)
        {
            Description = description,
            CustomParser = result => ParseWhole(result, name, min, max),
        };

    /// <summary>Parses an option's one token as a whole number in range, or adds the error naming the option.</summary>
    private static T? ParseWhole<T>(System.CommandLine.Parsing.ArgumentResult result, string name, T min, T max)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var text = result.Tokens.Single().Value;
        if (TryWhole(text, min, max, out var value, out var error))
        {
            return value;
        }

        result.AddError($"{name} {Quote(text)}: {error}.");
        return null;
    }

    /// <summary>
    /// An option taking whole numbers as lists and ranges, in one token or several: <c>--units 1-247</c>,
    /// <c>--units 1,2,3</c>, <c>--units 1 2 10-12</c>. The values keep the order given, without repeats.
    /// </summary>
    /// <param name="name">The option.</param>
    /// <param name="description">What it is for.</param>
    /// <param name="valid">Whether one value is allowed.</param>
    /// <param name="rule">What values are allowed, for the error (<c>a port is from 1 to 65535</c>).</param>
    /// <param name="defaultValue">The values when the option is not given.</param>
    public static Option<T[]> WholeList<T>(string name, string description, Func<int, bool> valid, string rule, T[] defaultValue)
        where T : struct, IBinaryInteger<T>
    {
        var option = new Option<T[]>(name)
        {
            Description = $"{description} A list (1,2,3), a range (1-9) or both; repeatable.",
            DefaultValueFactory = _ => defaultValue,
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result =>
            {
                var values = new List<T>();
                foreach (var item in result.Tokens.SelectMany(t => t.Value.Split(',')))
                {
                    var dash = item.IndexOf('-', 1 < item.Length ? 1 : 0);
                    var (first, last) = dash > 0 ? (item[..dash], item[(dash + 1)..]) : (item, item);
                    if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from) || !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
                    {
                        result.AddError($"{name} {Quote(item)}: not a number or a range of numbers (1-9); {rule}.");
                        return [];
                    }

                    if (from > to)
                    {
                        result.AddError($"{name} {item}: a range goes from the smaller number to the larger.");
                        return [];
                    }

                    foreach (var bad in new[] { from, to }.Where(v => !valid(v)))
                    {
                        result.AddError($"{name} {bad}: {rule}.");
                        return [];
                    }

                    for (var value = from; value <= to; value++)
                    {
                        if (valid(value))
                        {
                            values.Add(T.CreateChecked(value));
                        }
                    }
                }

                return [.. values.Distinct()];
            },
        };
        return option;
    }

    /// <summary>
    /// An option taking <c>true</c> or <c>false</c>, never a bare flag. (A <see cref="bool"/> option would be a flag in
    /// help, and the parser would leave any other word unmatched instead of naming the option.)
    /// </summary>
    /// <param name="name">The option.</param>
    /// <param name="description">What it is for.</param>
    public static TrueOrFalseOption TrueOrFalse(string name, string description)
    {
        var option = new TrueOrFalseOption(name) { Description = description, HelpName = "true|false" };
        option.Validators.Add(result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (!bool.TryParse(text, out _))
            {
                result.AddError($"{name} {Quote(text)}: must be true or false.");
            }
        });
        option.CompletionSources.Add("true", "false");
        return option;
    }

    /// <summary>An option naming a file; an empty name is refused naming the option (not as "expected type FileInfo").</summary>
    /// <param name="name">The option.</param>
    /// <param name="description">What it is for.</param>
    public static Option<FileInfo?> File(string name, string description) =>
        new(name) { Description = description, CustomParser = result => ToFile(result, name, result.Tokens.Single().Value) };

    /// <summary>As <see cref="File"/>, repeatable.</summary>
    /// <param name="name">The option.</param>
    /// <param name="description">What it is for.</param>
    public static Option<FileInfo[]> Files(string name, string description) =>
        new(name)
        {
            Description = description,
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result => [.. result.Tokens.Select(t => ToFile(result, name, t.Value)).OfType<FileInfo>()],
        };

    /// <summary>An optional JSON object: the text itself, or <c>@file.json</c> to read it from a file.</summary>
    public static Option<string?> Json(string name, string description) => new(name) { Description = $"{description} JSON text, or @FILE to read it from a file." };

    /// <summary>Reads an option made by <see cref="Json"/> as metadata, <see langword="null"/> when not given.</summary>
    /// <exception cref="UsageException">The text (or the file) is not a JSON object, or the file is not UTF-8.</exception>
    /// <exception cref="DeviceValidationException">The object breaks a metadata rule.</exception>
    public static async Task<DeviceMetadata?> ReadMetadataAsync(ParseResult result, Option<string?> option, CancellationToken cancellationToken)
    {
        var text = result.GetValue(option);
        if (text is null)
        {
            return null;
        }

        var source = option.Name;
        if (text.StartsWith('@'))
        {
            source = $"{option.Name} {text}";
            text = text.Length > 1 ? await ReadTextAsync(text[1..], source, cancellationToken) : throw new UsageException($"{option.Name} @: give a file name after @.");
        }

        return ParseMetadata(text, source);
    }

    /// <summary>
    /// Reads JSON text as metadata. Text that is not a JSON object is bad usage, its error naming where the text came from
    /// and where in it the problem is; an object that breaks a metadata rule is the library's
    /// <see cref="DeviceValidationException"/> (a refused value, naming the key).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="source">Where it came from: the option (<c>--metadata</c>), or the option and its file.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="UsageException">The text is not JSON, or not an object.</exception>
    /// <exception cref="DeviceValidationException">A key breaks a metadata rule.</exception>
    public static DeviceMetadata ParseMetadata(string text, string source)
    {
        try
        {
            return DeviceMetadata.Parse(text);
        }
        catch (DeviceValidationException ex) when (ex.InnerException is JsonException json)
        {
            // The parser's own text ("'b' is an invalid start of a property name. ... LineNumber: 0 | ...") is for .NET
            // developers; the place is what the user needs.
            var line = (json.LineNumber ?? 0) + 1;
            var column = (json.BytePositionInLine ?? 0) + 1;
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{source}: not valid JSON at line {line}, byte {column} (expected an object such as {{\"manufacturer\": \"PowerPack\"}})."), ex);
        }
        catch (DeviceValidationException ex) when (ex.Errors is [{ Field: "metadata" } error])
        {
            // The text as a whole (not an object, a key that cannot be read): malformed, not a refused value.
            throw new UsageException($"{source}: {error.Message}.", ex);
        }
    }

    /// <summary>
    /// Reads a text file that must be UTF-8: a byte sequence that is not is refused with its line and offset rather than
    /// read as U+FFFD, which would then be stored as if the user had written it.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="source">The option and file, for the error (<c>--defaults site.json</c>).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The text, without a byte order mark.</returns>
    /// <exception cref="UsageException">The file is not UTF-8.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static async Task<string> ReadTextAsync(string path, string source, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await System.IO.File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{source}: no file {Path.GetFullPath(path)}.", path, ex);
        }

        return DecodeUtf8(bytes, source);
    }

    /// <summary>Decodes UTF-8 strictly; see <see cref="ReadTextAsync"/>.</summary>
    /// <exception cref="UsageException">The bytes are not UTF-8.</exception>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes, string source)
    {
        var start = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        var text = new char[bytes.Length - start];
        var status = Utf8.ToUtf16(bytes[start..], text, out var read, out var written, replaceInvalidSequences: false);
        if (status == System.Buffers.OperationStatus.Done)
        {
            return new string(text, 0, written);
        }

        var offset = start + read;
        var lineStart = bytes[..offset].LastIndexOf((byte)'\n') + 1;
        var line = bytes[..offset].Count((byte)'\n') + 1;
        throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{source}: not UTF-8 at line {line}, byte {offset - lineStart + 1} (offset {offset} in the file: 0x{bytes[offset]:X2}); save it as UTF-8."));
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
        return System.IO.File.Exists(shipped)
            ? shipped
            : throw new FileNotFoundException($"No file {file.FullName} (nor a shipped template of that name).", file.FullName);
    }

    private static FileInfo? ToFile(ArgumentResult result, string name, string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Contains('\0', StringComparison.Ordinal))
        {
            result.AddError($"{name} {Quote(text)}: give a file name.");
            return null;
        }

        return new FileInfo(text);
    }

    private static bool TryWhole<T>(string text, T min, T max, out T value, out string error)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var range = max == T.MaxValue && long.CreateSaturating(T.MaxValue) >= int.MaxValue ? $"{min} or more" : $"from {min} to {max}";
        if (!T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) || text.Trim() != text)
        {
            // Also a number too large for the type: it is out of range all the same.
            error = !IsDigits(text) ? $"must be a whole number {range}" : text.StartsWith('-') ? $"must be {range}" : $"must be from {min} to {max}";
            return false;
        }

        error = $"must be {range}";
        return value >= min && value <= max;
    }

    private static bool IsDigits(string text) => text.TrimStart('-').Length > 0 && text.TrimStart('-').All(char.IsAsciiDigit);

    private static string Quote(string text) => text.Length == 0 || text.Any(char.IsWhiteSpace) ? $"'{text}'" : text;
}

/// <summary>An option taking <c>true</c> or <c>false</c>; see <see cref="CliOptions.TrueOrFalse"/>.</summary>
/// <param name="name">The option.</param>
internal sealed class TrueOrFalseOption(string name) : Option<string?>(name)
{
    /// <summary>Gets the option's value in a parsed command line, <see langword="null"/> when not given.</summary>
    public bool? ValueIn(ParseResult result) => result.GetValue(this) is { } text ? bool.Parse(text) : null;
}

/// <summary>An option taking one of a set of names (see <see cref="CliOptions.Enum"/>), with its default.</summary>
/// <typeparam name="T">The enum.</typeparam>
/// <param name="name">The option.</param>
/// <param name="defaultValue">The value when the option is not given.</param>
internal sealed class ChoiceOption<T>(string name, T defaultValue) : Option<T?>(name)
    where T : struct, System.Enum
{
    /// <summary>Gets the value when the option is not given.</summary>
    public T Default { get; } = defaultValue;

    /// <summary>Gets the option's value in a parsed command line, or <see cref="Default"/>.</summary>
    public T ValueIn(ParseResult result) => result.GetValue(this) ?? Default;
}
