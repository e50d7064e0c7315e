using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Flux.Devices.Discovery.Internal;

namespace Flux.Devices.Discovery;

/// <summary>
/// The hosts a Modbus TCP network scan covers: distinct unicast IPv4 and IPv6 addresses, read from text such as
/// <c>10.0.0.5, 10.0.1.0/24, 10.0.2.10-20, 10.0.3.1-10.0.4.254, ::1</c> or given as addresses.
/// </summary>
/// <remarks>
/// <para>
/// An item of the text is a single IPv4 or IPv6 address; an IPv4 network <c>a.b.c.d/n</c>, whose hosts are its
/// usable addresses (without the network and broadcast addresses for /30 and shorter, every address for /31 and
/// /32), and whose address must be the network address; or an IPv4 range <c>a.b.c.d-e.f.g.h</c>, or
/// <c>a.b.c.d-h</c> with only the last number given. Items are separated by commas; overlapping or adjacent items merge.
/// </para>
/// <para>
/// The set never holds the unspecified address (0.0.0.0, ::), multicast (224.0.0.0/4, ff00::/8), reserved
/// (240.0.0.0/4) or limited broadcast (255.255.255.255) addresses: an item that spans any of them is refused.
/// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as its IPv4 address.
/// </para>
/// </remarks>
public sealed class HostSet
{
    /// <summary>The most hosts a set may hold unless the caller allows a wide scan: 65,536, the size of a /16.</summary>
    public const int MaxHostsWithoutWide = 65536;

    private readonly Ipv4Range[] _ipv4;
    private readonly UInt128[] _ipv6;

    private HostSet(Ipv4Range[] ipv4, UInt128[] ipv6)
    {
        _ipv4 = ipv4;
        _ipv6 = ipv6;
        Count = ipv4.Sum(r => r.Count) + ipv6.Length;
    }

    /// <summary>Gets the set without hosts.</summary>
    public static HostSet Empty { get; } = new([], []);

    /// <summary>Gets the number of distinct hosts.</summary>
    public long Count { get; }

    /// <summary>Reads a host list such as <c>10.0.0.5, 10.0.1.0/24, 10.0.2.10-20, ::1</c> (see <see cref="HostSet"/> for the items).</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowWide">Whether the list may hold more than <see cref="MaxHostsWithoutWide"/> hosts.</param>
    /// <returns>The hosts.</returns>
    /// <exception cref="HostSetException">
    /// The text is null or blank, an item is empty or malformed, spans addresses that are not unicast hosts, or the list
    /// holds more than <see cref="MaxHostsWithoutWide"/> hosts without <paramref name="allowWide"/>; the error names the item.
    /// </exception>
    public static HostSet Parse(string? text, bool allowWide = false) =>
        HostSetParser.TryRead(text, allowWide, out var hosts, out var error) ? hosts : throw error;

    /// <summary>Reads a host list as <see cref="Parse"/> does, without throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="hosts">The hosts, or <see langword="null"/> when the text is refused.</param>
    /// <param name="allowWide">Whether the list may hold more than <see cref="MaxHostsWithoutWide"/> hosts.</param>
    /// <returns><see langword="true"/> when <see cref="Parse"/> would accept the text.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out HostSet? hosts, bool allowWide = false) =>
        HostSetParser.TryRead(text, allowWide, out hosts, out _);

    /// <summary>Makes a set of the given addresses.</summary>
    /// <param name="addresses">The addresses; duplicates count once, and an IPv4-mapped IPv6 address counts as its IPv4 address.</param>
    /// <returns>The hosts (any number of them: the cap of <see cref="Parse"/> does not apply).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="addresses"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// An address is <see langword="null"/>, is not a unicast host (unspecified, multicast, reserved, limited broadcast),
    /// or is an IPv6 address with a zone index.
    /// </exception>
    public static HostSet Of(params IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var items = new List<HostItem>();
        foreach (var address in addresses)
        {
            if (address is null)
            {
                throw new ArgumentException("The addresses must not include null.", nameof(addresses));
            }

            if (HostAddresses.ReadHost(address, address.ToString(), out var item) is { } reason)
            {
                throw new ArgumentException(reason, nameof(addresses));
            }

            items.Add(item);
        }

        return Create(items);
    }

    /// <summary>Tells whether the set holds an address.</summary>
    /// <param name="address">The address; an IPv4-mapped IPv6 address counts as its IPv4 address, and an IPv6 zone index is ignored.</param>
    /// <returns><see langword="true"/> when the address is one of the hosts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = HostAddresses.Unmap(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return Array.BinarySearch(_ipv6, HostAddresses.ToUInt128(address)) >= 0;
        }

        var value = HostAddresses.ToUInt32(address);
        var low = 0;
        var high = _ipv4.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (_ipv4[middle].Last < value)
            {
                low = middle + 1;
            }
            else if (_ipv4[middle].First > value)
            {
                high = middle - 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Lists the hosts in ascending order, each once: IPv4 addresses numerically, then IPv6 addresses by their bytes.</summary>
    /// <returns>The hosts, made one by one as the sequence is read.</returns>
    public IEnumerable<IPAddress> GetHosts()
    {
        foreach (var range in _ipv4)
        {
            for (ulong value = range.First; value <= range.Last; value++)
            {
                yield return HostAddresses.ToAddress((uint)value);
            }
        }

        foreach (var value in _ipv6)
        {
            yield return HostAddresses.ToAddress(value);
        }
    }

    /// <summary>
    /// Returns the set as text that <see cref="Parse"/> reads back to the same hosts: IPv4 ranges as <c>a.b.c.d-e.f.g.h</c>
    /// and single addresses as themselves, in ascending order, separated by <c>", "</c>. The empty set gives an empty string,
    /// which <see cref="Parse"/> refuses.
    /// </summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Join(
            ", ",
            _ipv4.Select(r => r.First == r.Last
                    ? HostAddresses.ToAddress(r.First).ToString()
                    : $"{HostAddresses.ToAddress(r.First)}-{HostAddresses.ToAddress(r.Last)}")
                .Concat(_ipv6.Select(a => HostAddresses.ToAddress(a).ToString())));

    /// <summary>Makes a set of accepted items: IPv4 ranges sorted and merged where they overlap or touch, IPv6 addresses sorted and distinct.</summary>
    internal static HostSet Create(IEnumerable<HostItem> items)
    {
        var ipv4 = new List<Ipv4Range>();
        var ipv6 = new SortedSet<UInt128>();
        foreach (var item in items)
        {
            if (item.Ipv6 is { } address)
            {
                ipv6.Add(address);
            }
            else
            {
                ipv4.Add(item.Ipv4);
            }
        }

        ipv4.Sort((a, b) => a.First.CompareTo(b.First));
        var merged = new List<Ipv4Range>(ipv4.Count);
        foreach (var range in ipv4)
        {
            if (merged.Count > 0 && range.First <= (ulong)merged[^1].Last + 1)
            {
                merged[^1] = merged[^1] with { Last = Math.Max(merged[^1].Last, range.Last) };
            }
            else
            {
                merged.Add(range);
            }
        }

        return new HostSet([.. merged], [.. ipv6]);
    }
}
