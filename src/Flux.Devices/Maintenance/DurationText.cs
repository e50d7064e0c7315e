using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace Flux.Devices.Maintenance;

/// <summary>
/// Writes and reads durations the way people and the spec write them: <c>2 hours</c>, <c>1 hour 30 minutes</c>,
/// <c>90 min</c>, <c>1.5h</c>; ISO 8601 (<c>PT2H</c>) and PostgreSQL's interval text (<c>02:00:00</c>,
/// <c>1 day 02:00:00</c>) are read too.
/// </summary>
public static partial class DurationText
{
    private static readonly (string Singular, string Plural, TimeSpan Unit)[] WriteUnits =
    [
        ("day", "days", TimeSpan.FromDays(1)),
        ("hour", "hours", TimeSpan.FromHours(1)),
        ("minute", "minutes", TimeSpan.FromMinutes(1)),
        ("second", "seconds", TimeSpan.FromSeconds(1)),
    ];

    /// <summary>Writes a duration in words, whole seconds only: <c>2 hours</c>, <c>1 day 6 hours</c>, <c>45 minutes</c>.</summary>
    /// <param name="duration">The duration; not negative.</param>
    /// <returns>The text.</returns>
    public static string Format(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var remaining = TimeSpan.FromSeconds(Math.Round(duration.TotalSeconds));
        var text = new StringBuilder();
        foreach (var (singular, plural, unit) in WriteUnits)
        {
            var count = (long)(remaining.Ticks / unit.Ticks);
            if (count == 0)
            {
                continue;
            }

            remaining -= TimeSpan.FromTicks(count * unit.Ticks);
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(count == 1 ? singular : plural);
        }

        return text.Length == 0 ? "0 seconds" : text.ToString();
    }

    /// <summary>Writes a duration compactly, as templates do: <c>60s</c>, <c>1500ms</c>, <c>5m</c>, <c>2h</c>.</summary>
    /// <param name="duration">The duration; not negative.</param>
    /// <returns>The text, in the largest unit that divides the duration exactly, except that one minute stays <c>60s</c> as the spec writes it.</returns>
    public static string FormatCompact(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var ms = (long)Math.Round(duration.TotalMilliseconds);
        return ms switch
        {
            0 => "0s",
            _ when ms % 3_600_000 == 0 => string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000}h"),
            _ when ms % 60_000 == 0 && ms > 60_000 => string.Create(CultureInfo.InvariantCulture, $"{ms / 60_000}m"),
            _ when ms % 1000 == 0 => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{ms}ms"),
        };
    }

    /// <summary>Reads a duration written in words, ISO 8601, or PostgreSQL's interval text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="duration">The duration read.</param>
    /// <returns><see langword="true"/> when the whole text is a non-negative duration.</returns>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        try
        {
            if (text[0] is 'P' or 'p')
            {
                duration = XmlConvert.ToTimeSpan(text.ToUpperInvariant());
                return duration >= TimeSpan.Zero;
            }

            // PostgreSQL's interval text ends in a clock: "02:00:00", "1 day 02:00:00", "36:00:00".
            var clock = TimeSpan.Zero;
            var lastSpace = text.LastIndexOf(' ');
            if (text.AsSpan(lastSpace + 1).Contains(':'))
            {
                var match = Clock().Match(text, lastSpace + 1);
                if (!match.Success)
                {
                    return false;
                }

                clock = TimeSpan.FromDays(match.Groups["d"].Success ? long.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture) : 0)
                    + TimeSpan.FromHours(long.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture))
                    + TimeSpan.FromMinutes(int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture))
                    + TimeSpan.FromSeconds(match.Groups["s"].Success ? double.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) : 0);
                if (lastSpace < 0)
                {
                    duration = clock;
                    return true;
                }

                text = text[..lastSpace].TrimEnd();
            }

            var consumed = 0;
            var total = 0d;
            foreach (Match match in Part().Matches(text))
            {
                if (match.Index != consumed)
                {
                    return false;
                }

                consumed = match.Index + match.Length;
                var amount = double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
                var seconds = UnitSeconds(match.Groups["unit"].Value);
                if (seconds is null)
                {
                    return false;
                }

                total += amount * seconds.Value;
            }

            if (consumed != text.Length || consumed == 0 || total > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                return false;
            }

            duration = TimeSpan.FromSeconds(total) + clock;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static double? UnitSeconds(string unit) => unit.ToLowerInvariant() switch
    {
        "ms" or "msec" or "millisecond" or "milliseconds" => 0.001,
        "s" or "sec" or "secs" or "second" or "seconds" => 1,
        "m" or "min" or "mins" or "minute" or "minutes" => 60,
        "h" or "hr" or "hrs" or "hour" or "hours" => 3600,
        "d" or "day" or "days" => 86400,
        "w" or "wk" or "week" or "weeks" => 604800,
        _ => null,
    };

    [GeneratedRegex(@"\G(?:(?<d>\d{1,7})\.)?(?<h>\d{1,9}):(?<m>[0-5]\d)(?::(?<s>[0-5]\d(?:\.\d+)?))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Clock();

    [GeneratedRegex(@"\G\s*(?<amount>\d+(?:\.\d+)?)\s*(?<unit>[A-Za-z]+)\s*(?:,\s*|and\s+)?", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
