namespace Flux.Devices.Internal;

/// <summary>
/// Orders names by Unicode code point, as PostgreSQL's <c>COLLATE "C"</c> orders UTF-8 text, so that every store
/// lists devices alike. Ordinal UTF-16 comparison differs only for characters beyond U+FFFF (surrogate pairs),
/// which it puts before U+E000..U+FFFF.
/// </summary>
internal static class NameOrder
{
    public static int Compare(string? a, string? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            if (a[i] != b[i])
            {
                return Rank(a[i]) - Rank(b[i]);
            }
        }

        return a.Length - b.Length;
    }

    // Surrogates (U+D800..U+DFFF) move above U+FFFF; U+E000..U+FFFF move down into the gap they leave.
    private static int Rank(char c) => c switch
    {
        >= '\uD800' and <= '\uDFFF' => c + 0x2000,
        >= '\uE000' => c - 0x800,
        _ => c,
    };
}
