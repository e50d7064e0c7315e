using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Flux.Devices.Discovery.Internal;

/// <summary>A range of IPv4 addresses as numbers, both ends included.</summary>
internal readonly record struct Ipv4Range(uint First, uint Last)
{
    public long Count => (long)Last - First + 1;
}

/// <summary>One item of a host list: a range of IPv4 addresses, or (when <see cref="Ipv6"/> is set) one IPv6 address.</summary>
internal readonly record struct HostItem(Ipv4Range Ipv4, UInt128? Ipv6 = null);

/// <summary>Addresses as numbers, and the addresses a scan must not contact.</summary>
internal static class HostAddresses
{
    public const string ZoneIndexNotSupported = "has a zone index (%...), which a host list does not keep; give the address without it";

    private const string UnicastOnly = "; a scan contacts unicast hosts only";
    private const string Unspecified = "the unspecified address";
    private const string Multicast = "a multicast address";

    /// <summary>The IPv4 addresses that are not hosts, in ascending order.</summary>
    private static readonly NonHosts[] Ipv4NonHosts =
    [
        new(new(0x00000000, 0x00000000), Unspecified, "the unspecified address 0.0.0.0"),
        new(new(0xE0000000, 0xEFFFFFFF), Multicast, "multicast addresses (224.0.0.0/4)"),
        new(new(0xF0000000, 0xFFFFFFFE), "a reserved address (240.0.0.0/4)", "reserved addresses (240.0.0.0/4)"),
        new(new(0xFFFFFFFF, 0xFFFFFFFF), "the limited broadcast address", "the limited broadcast address 255.255.255.255"),
    ];

    /// <summary>Tells why an item of IPv4 addresses is refused, or returns <see langword="null"/> when every address in it may be scanned.</summary>
    /// <param name="shown">The item as the reason shows it.</param>
    /// <param name="span">Every address the item spans (for a network, with its network and broadcast addresses).</param>
    public static string? CheckIpv4(string shown, Ipv4Range span)
    {
        foreach (var nonHosts in Ipv4NonHosts)
        {
            if (span.First <= nonHosts.Range.Last && nonHosts.Range.First <= span.Last)
            {
                return span.First == span.Last
                    ? $"{shown} is {nonHosts.One}{UnicastOnly}"
                    : $"{shown} includes {nonHosts.Some}{UnicastOnly}";
            }
        }

        return null;
    }

    /// <summary>Reads one address as a host item, or tells why it is refused.</summary>
    /// <param name="address">The address; an IPv4-mapped IPv6 address counts as its IPv4 address.</param>
    /// <param name="shown">The address as the reason shows it.</param>
    /// <param name="item">The item, when the address is accepted.</param>
    /// <returns><see langword="null"/>, or why the address is refused.</returns>
    public static string? ReadHost(IPAddress address, string shown, out HostItem item)
    {
        address = Unmap(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var value = ToUInt32(address);
            item = new(new(value, value));
            return CheckIpv4(shown, item.Ipv4);
        }

        var number = ToUInt128(address);
        item = new(default, number);
        return address.ScopeId != 0 ? $"{shown} {ZoneIndexNotSupported}"
            : number == 0 ? $"{shown} is {Unspecified}{UnicastOnly}"
            : number >> 120 == 0xFF ? $"{shown} is {Multicast} (ff00::/8){UnicastOnly}"
            : null;
    }

    /// <summary>Returns the IPv4 address an IPv4-mapped IPv6 address stands for, and any other address as it is.</summary>
    public static IPAddress Unmap(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Returns an IPv4 address as a number (its bytes big-endian).</summary>
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>Returns an IPv6 address as a number (its bytes big-endian, so numbers order as bytes do).</summary>
    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>Returns the IPv4 address of a number.</summary>
    public static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>Returns the IPv6 address of a number.</summary>
    public static IPAddress ToAddress(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>A block of addresses that are not hosts, with how a reason names one of them and several of them.</summary>
    private sealed record NonHosts(Ipv4Range Range, string One, string Some);
}
