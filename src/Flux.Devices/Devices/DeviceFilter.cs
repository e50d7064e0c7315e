using System.Text;
using System.Text.Json;
using Flux.Devices.Internal;

namespace Flux.Devices;

/// <summary>
/// Selects devices, as the spec's <c>--filter "type=bess,site=WLCE"</c>. Conditions on different keys must all
/// hold; the values of one key are alternatives (<c>site=WLCE|HMCE</c>). An empty filter selects every device.
/// </summary>
/// <remarks>
/// <para>Keys and how their values match:</para>
/// <list type="bullet">
/// <item><c>type</c>, <c>site</c>: the exact text (case-sensitive).</item>
/// <item><c>name</c>: the exact text, or a pattern in which <c>*</c> stands for any run of characters (<c>WLCE-*</c>).</item>
/// <item><c>state</c>: a <see cref="DeviceState"/> name, in any case (<c>active</c>, <c>Maintenance</c>).</item>
/// <item><c>active</c>: <c>true</c> or <c>false</c>, one value only.</item>
/// <item>
/// <c>metadata.&lt;key&gt;</c> (nested keys as <c>metadata.maintenance.reason</c>): a string value matches the exact
/// text, a number matches numerically (<c>500</c> matches <c>500.0</c>), a boolean matches <c>true</c> or
/// <c>false</c>; a missing key, null, objects and arrays never match.
/// </item>
/// </list>
/// <para>
/// A value that contains <c>,</c> <c>|</c> <c>=</c> or <c>"</c>, or leading or trailing spaces, is written in double
/// quotes, with <c>\"</c> and <c>\\</c> for a quote and a backslash. Every store gives the same results:
/// <see cref="Matches"/> is the reference.
/// </para>
/// </remarks>
public sealed class DeviceFilter
{
    /// <summary>Gets the filter that selects every device.</summary>
    public static DeviceFilter All { get; } = new();

    /// <summary>Gets the accepted device types; empty for any. Setting it copies the values.</summary>
    public IReadOnlyList<string> Types { get; init => field = Copy(value, nameof(Types)); } = [];

    /// <summary>Gets the accepted sites; empty for any. Setting it copies the values.</summary>
    public IReadOnlyList<string> Sites { get; init => field = Copy(value, nameof(Sites)); } = [];

    /// <summary>Gets the accepted names or <c>*</c> patterns; empty for any. Setting it copies the values.</summary>
    public IReadOnlyList<string> Names { get; init => field = Copy(value, nameof(Names)); } = [];

    /// <summary>Gets the accepted lifecycle states; empty for any. Setting it copies the values.</summary>
    public IReadOnlyList<DeviceState> States
    {
        get;
        init => field = value is null || value.Any(s => !Enum.IsDefined(s))
            ? throw new ArgumentException("States must not be null or hold undefined states.", nameof(value))
            : Array.AsReadOnly(value.ToArray());
    } = [];

    /// <summary>Gets the required active flag; <see langword="null"/> for either.</summary>
    public bool? Active { get; init; }

    /// <summary>Gets the conditions on metadata values, all of which must hold. Setting it copies the list.</summary>
    public IReadOnlyList<MetadataCondition> Metadata { get; init => field = Copy(value, nameof(Metadata)); } = [];

    /// <summary>Gets a value indicating whether the filter selects every device.</summary>
    public bool IsEmpty =>
        Types.Count == 0 && Sites.Count == 0 && Names.Count == 0 && States.Count == 0 && Active is null && Metadata.Count == 0;

    /// <summary>Parses filter text such as <c>type=bess,site=WLCE</c>.</summary>
    /// <param name="text">The text; <see langword="null"/>, empty or blank selects every device.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="DeviceFilterException">The text is malformed or names an unknown key; the error gives the column.</exception>
    public static DeviceFilter Parse(string? text) => DeviceFilterParser.Parse(text);

    /// <summary>Tells whether a device matches. This is the reference semantics every store follows.</summary>
    /// <param name="device">The device.</param>
    /// <returns><see langword="true"/> when every condition holds.</returns>
    public bool Matches(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (Types.Count > 0 && !ContainsOrdinal(Types, device.Type))
        {
            return false;
        }

        if (Sites.Count > 0 && !ContainsOrdinal(Sites, device.Site))
        {
            return false;
        }

        if (Active is { } active && device.Active != active)
        {
            return false;
        }

        if (States.Count > 0 && !States.Contains(device.State))
        {
            return false;
        }

        if (Names.Count > 0 && !MatchesAnyName(device.Name))
        {
            return false;
        }

        // Index loops: a foreach over an IReadOnlyList boxes its enumerator, once per device.
        var metadata = Metadata;
        for (var i = 0; i < metadata.Count; i++)
        {
            if (!metadata[i].Matches(device.Metadata))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns the filter as text that <see cref="Parse"/> reads back to an equivalent filter.</summary>
    /// <returns>The canonical text; empty for <see cref="All"/>.</returns>
    public override string ToString()
    {
        var clauses = new List<string>();
        AddClause(clauses, "type", Types);
        AddClause(clauses, "site", Sites);
        AddClause(clauses, "name", Names);
        AddClause(clauses, "state", States.Select(s => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString())).ToList());
        if (Active is { } active)
        {
            clauses.Add(active ? "active=true" : "active=false");
        }

        foreach (var condition in Metadata)
        {
            AddClause(clauses, "metadata." + string.Join('.', condition.Path), condition.Values);
        }

        return string.Join(',', clauses);
    }

    private static System.Collections.ObjectModel.ReadOnlyCollection<T> Copy<T>(IReadOnlyList<T> values, string name)
        where T : class =>
        values is null || values.Any(v => v is null)
            ? throw new ArgumentException($"{name} must not be null or hold null values.", nameof(values))
            : Array.AsReadOnly(values.ToArray());

    internal static bool GlobMatch(string pattern, string text)
    {
        // '*' matches any run of characters; everything else matches itself. Linear-time greedy match with
        // one backtrack point, as in the classic wildcard algorithm.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private bool MatchesAnyName(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            var pattern = Names[i];
            if (pattern.Contains('*', StringComparison.Ordinal) ? GlobMatch(pattern, name) : string.Equals(pattern, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsOrdinal(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddClause(List<string> clauses, string key, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            clauses.Add(key + "=" + string.Join('|', values.Select(Quote)));
        }
    }

    private static string Quote(string value)
    {
        var needsQuotes = value.Length == 0
            || char.IsWhiteSpace(value[0])
            || char.IsWhiteSpace(value[^1])
            || value.AsSpan().IndexOfAny(",|=\"\\") >= 0;
        if (!needsQuotes)
        {
            return value;
        }

        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
