using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Flux.Devices.Discovery.Internal;

/// <summary>Reads host lists: <c>10.0.0.5, 10.0.1.0/24, 10.0.2.10-20, 10.0.3.1-10.0.4.254, ::1</c>.</summary>
internal static class HostSetParser
{
    private const string Ipv4Shape = "four numbers from 0 to 255 joined by dots";

    /// <summary>Reads a host list.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowWide">Whether the list may hold more than <see cref="HostSet.MaxHostsWithoutWide"/> hosts.</param>
    /// <param name="hosts">The hosts, when the text is accepted.</param>
    /// <param name="error">Why the text is refused (not thrown), when it is.</param>
    /// <returns><see langword="true"/> when the text is accepted.</returns>
    public static bool TryRead(string? text, bool allowWide, [NotNullWhen(true)] out HostSet? hosts, [NotNullWhen(false)] out HostSetException? error)
    {
        hosts = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = new(text ?? string.Empty, 0, "no hosts given; list addresses, ranges (a-b) or networks (a/n) separated by commas");
            return false;
        }

        var items = new List<(int Position, HostItem Item)>();
        for (var start = 0; start <= text.Length;)
        {
            var end = text.IndexOf(',', start);
            end = end < 0 ? text.Length : end;
            var raw = text.AsSpan(start, end - start);
            var position = start + (raw.Length - raw.TrimStart().Length);
            var reason = ReadItem(raw.Trim().ToString(), out var item);
            if (reason is not null)
            {
                error = new(text, position, reason);
                return false;
            }

            items.Add((position, item));
            start = end + 1;
        }

        var all = HostSet.Create(items.Select(i => i.Item));
        if (all.Count > HostSet.MaxHostsWithoutWide && !allowWide)
        {
            error = new(
                text,
                FirstItemOverCap(items),
                string.Create(CultureInfo.InvariantCulture, $"the list holds {all.Count:N0} hosts, more than {HostSet.MaxHostsWithoutWide:N0} (a /16); pass allowWide to scan that many"));
            return false;
        }

        hosts = all;
        error = null;
        return true;
    }

    /// <summary>Finds the item with which the distinct hosts first pass the cap (their count only grows item by item, so bisect).</summary>
    private static int FirstItemOverCap(List<(int Position, HostItem Item)> items)
    {
        var low = 0;
        var high = items.Count - 1;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (HostSet.Create(items.Take(middle + 1).Select(i => i.Item)).Count > HostSet.MaxHostsWithoutWide)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return items[low].Position;
    }

    private static string? ReadItem(string item, out HostItem result)
    {
        result = default;
        if (item.Length == 0)
        {
            return "empty item; remove the extra comma";
        }

        var slash = item.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return ReadNetwork(item, item[..slash].Trim(), item[(slash + 1)..].Trim(), out result);
        }

        var dash = item.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            return ReadRange(item, item[..dash].Trim(), item[(dash + 1)..].Trim(), out result);
        }

        if (item.Contains(':', StringComparison.Ordinal))
        {
            return ReadIpv6(item, out result);
        }

        var reason = ReadIpv4(item, out var address);
        result = new(new(address, address));
        return reason ?? HostAddresses.CheckIpv4(item, result.Ipv4);
    }

    private static string? ReadNetwork(string item, string addressText, string prefixText, out HostItem result)
    {
        result = default;
        if (addressText.Contains(':', StringComparison.Ordinal))
        {
            return $"{item}: IPv6 networks are not supported; list IPv6 hosts one by one";
        }

        if (ReadIpv4(addressText, out var address) is { } reason)
        {
            return reason;
        }

        if (!TryReadNumber(prefixText, 32, out var prefix))
        {
            return $"'/{prefixText}' is not a prefix length from /0 to /32";
        }

        var mask = prefix == 0 ? 0u : uint.MaxValue << (int)(32 - prefix);
        var network = address & mask;
        if (network != address)
        {
            return $"{item} is not a network address; use {HostAddresses.ToAddress(network)}/{prefix}";
        }

        var block = new Ipv4Range(network, network | ~mask);

        // Classic subnets lose their network and broadcast addresses; /31 (point-to-point) and /32 have neither.
        result = new(prefix <= 30 ? new(block.First + 1, block.Last - 1) : block);
        return HostAddresses.CheckIpv4(item, block);
    }

    private static string? ReadRange(string item, string firstText, string lastText, out HostItem result)
    {
        result = default;
        if (firstText.Contains(':', StringComparison.Ordinal) || lastText.Contains(':', StringComparison.Ordinal))
        {
            return $"{item}: IPv6 ranges are not supported; list IPv6 hosts one by one";
        }

        if (ReadIpv4(firstText, out var first) is { } reason)
        {
            return reason;
        }

        uint last;
        if (lastText.Contains('.', StringComparison.Ordinal))
        {
            reason = ReadIpv4(lastText, out last);
        }
        else
        {
            // The shorthand a.b.c.d-e replaces the last number.
            reason = ReadOctet(lastText, out var octet);
            last = (first & 0xFFFFFF00) | octet;
        }

        if (reason is not null)
        {
            return reason;
        }

        if (last < first)
        {
            return $"{item} ends before it starts";
        }

        result = new(new(first, last));
        return HostAddresses.CheckIpv4(item, result.Ipv4);
    }

    private static string? ReadIpv6(string item, out HostItem result)
    {
        result = default;
        if (item.Contains('%', StringComparison.Ordinal))
        {
            return $"{item} {HostAddresses.ZoneIndexNotSupported}";
        }

        // IPAddress also takes "[::1]:502" and drops the port; a host list takes the plain form only.
        if (!item.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            || !IPAddress.TryParse(item, out var address)
            || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return $"'{item}' is not an IPv6 address; write addresses without brackets or ports";
        }

        return HostAddresses.ReadHost(address, item, out result);
    }

    private static string? ReadIpv4(string text, out uint address)
    {
        address = 0;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return $"'{text}' is not an IPv4 address ({Ipv4Shape})";
        }

        foreach (var part in parts)
        {
            if (ReadOctet(part, out var octet) is { } reason)
            {
                return $"'{text}' is not an IPv4 address: {reason}";
            }

            address = (address << 8) | octet;
        }

        return null;
    }

    private static string? ReadOctet(string text, out uint octet) =>
        !TryReadNumber(text, 255, out octet) ? $"'{text}' is not a number from 0 to 255"
        : text.Length > 1 && text[0] == '0' ? $"'{text}' has a leading zero, which some tools read as octal; write {octet}"
        : null;

    /// <summary>Reads one to three decimal digits (no sign, no spaces), up to <paramref name="max"/>.</summary>
    private static bool TryReadNumber(string text, uint max, out uint value)
    {
        value = 0;
        return text.Length is > 0 and <= 3
            && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value <= max;
    }
}
