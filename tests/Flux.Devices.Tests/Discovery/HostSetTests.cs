using System.Diagnostics;
using System.Net;
using Flux.Devices.Discovery;

namespace Flux.Devices.Tests.Discovery;

public sealed class HostSetTests
{
    [Theory]
    [InlineData("127.0.0.5", 1, "127.0.0.5", "127.0.0.5", "127.0.0.5")]
    [InlineData("::1", 1, "::1", "::1", "::1")]
    [InlineData("2001:DB8::0:1", 1, "2001:db8::1", "2001:db8::1", "2001:db8::1")]
    [InlineData("::ffff:10.0.0.1", 1, "10.0.0.1", "10.0.0.1", "10.0.0.1")]
    [InlineData("127.0.0.0/24", 254, "127.0.0.1", "127.0.0.254", "127.0.0.1-127.0.0.254")]
    [InlineData("192.168.0.0/30", 2, "192.168.0.1", "192.168.0.2", "192.168.0.1-192.168.0.2")]
    [InlineData("192.168.0.4/31", 2, "192.168.0.4", "192.168.0.5", "192.168.0.4-192.168.0.5")]
    [InlineData("192.168.0.9/32", 1, "192.168.0.9", "192.168.0.9", "192.168.0.9")]
    [InlineData("10.0.0.0/16", 65534, "10.0.0.1", "10.0.255.254", "10.0.0.1-10.0.255.254")]
    [InlineData("127.0.0.2-127.0.0.20", 19, "127.0.0.2", "127.0.0.20", "127.0.0.2-127.0.0.20")]
    [InlineData("127.0.0.2-20", 19, "127.0.0.2", "127.0.0.20", "127.0.0.2-127.0.0.20")]
    [InlineData("127.0.0.2-2", 1, "127.0.0.2", "127.0.0.2", "127.0.0.2")]
    [InlineData("10.0.0.250-10.0.1.5", 12, "10.0.0.250", "10.0.1.5", "10.0.0.250-10.0.1.5")]
    [InlineData(" 10.0.0.1 ,10.0.0.3,  10.0.0.2 ", 3, "10.0.0.1", "10.0.0.3", "10.0.0.1-10.0.0.3")]
    [InlineData("10.0.0.1 - 10.0.0.4, 10.0.1.0 / 30", 6, "10.0.0.1", "10.0.1.2", "10.0.0.1-10.0.0.4, 10.0.1.1-10.0.1.2")]
    [InlineData("10.0.0.0/24, 10.0.0.100-10.0.1.5", 261, "10.0.0.1", "10.0.1.5", "10.0.0.1-10.0.1.5")]
    [InlineData("10.0.0.0/16, 10.0.0.0/16, 10.0.3.7", 65534, "10.0.0.1", "10.0.255.254", "10.0.0.1-10.0.255.254")]
    [InlineData("10.0.0.7, 10.0.0.5", 2, "10.0.0.5", "10.0.0.7", "10.0.0.5, 10.0.0.7")]
    [InlineData("fe80::1, 10.0.0.1, 2001:db8::1, ::1, ::ffff:10.0.0.2", 5, "10.0.0.1", "fe80::1", "10.0.0.1-10.0.0.2, ::1, 2001:db8::1, fe80::1")]
    [InlineData("223.255.255.254/31", 2, "223.255.255.254", "223.255.255.255", "223.255.255.254-223.255.255.255")]
    [InlineData("10.0.0.0/15, 10.4.0.0/16", 196604, "10.0.0.1", "10.4.255.254", "10.0.0.1-10.1.255.254, 10.4.0.1-10.4.255.254", true)]
    public void Parse_Good_ReadsTheHosts(string text, long count, string first, string last, string canonical, bool allowWide = false)
    {
        var hosts = HostSet.Parse(text, allowWide);

        Assert.Equal(count, hosts.Count);
        Assert.Equal(IPAddress.Parse(first), hosts.GetHosts().First());
        Assert.Equal(IPAddress.Parse(last), hosts.GetHosts().Last());
        Assert.Equal(canonical, hosts.ToString());
        Assert.Equal(canonical, HostSet.Parse(canonical, allowWide).ToString());
        Assert.True(HostSet.TryParse(text, out var again, allowWide));
        Assert.Equal(canonical, again.ToString());
    }

    [Theory]
    [InlineData(null, 0, "no hosts given")]
    [InlineData("", 0, "no hosts given")]
    [InlineData("  ", 0, "no hosts given")]
    [InlineData("127.0.0.1,,127.0.0.2", 10, "empty item; remove the extra comma")]
    [InlineData("127.0.0.1, ", 11, "empty item")]
    [InlineData(",127.0.0.1", 0, "empty item")]
    [InlineData("127.0.0.256", 0, "'127.0.0.256' is not an IPv4 address: '256' is not a number from 0 to 255")]
    [InlineData("127.0.0", 0, "'127.0.0' is not an IPv4 address (four numbers from 0 to 255 joined by dots)")]
    [InlineData("127.0.0.1.2", 0, "is not an IPv4 address (four numbers")]
    [InlineData("127.0..1", 0, "'' is not a number from 0 to 255")]
    [InlineData("127.0.0.+1", 0, "'+1' is not a number from 0 to 255")]
    [InlineData("10.0.0.1, localhost", 10, "'localhost' is not an IPv4 address")]
    [InlineData("010.0.0.1", 0, "'010' has a leading zero, which some tools read as octal; write 10")]
    [InlineData("127.0.0.0/33", 0, "'/33' is not a prefix length from /0 to /32")]
    [InlineData("127.0.0.0/-1", 0, "'/-1' is not a prefix length")]
    [InlineData("127.0.0.0/x", 0, "'/x' is not a prefix length")]
    [InlineData("127.0.0.0/", 0, "'/' is not a prefix length")]
    [InlineData("127.0.0.0/24/8", 0, "'/24/8' is not a prefix length")]
    [InlineData("127.0.0.5/24", 0, "127.0.0.5/24 is not a network address; use 127.0.0.0/24")]
    [InlineData("10.0.0.1, 10.1.2.3/8", 10, "use 10.0.0.0/8")]
    [InlineData("127.0.0.20-127.0.0.2", 0, "127.0.0.20-127.0.0.2 ends before it starts")]
    [InlineData("127.0.0.20-2", 0, "ends before it starts")]
    [InlineData("127.0.0.2-300", 0, "'300' is not a number from 0 to 255")]
    [InlineData("127.0.0.2-", 0, "'' is not a number from 0 to 255")]
    [InlineData("127.0.0.2-127.0.1", 0, "'127.0.1' is not an IPv4 address")]
    [InlineData("2001:db8::/64", 0, "IPv6 networks are not supported; list IPv6 hosts one by one")]
    [InlineData("::1-::5", 0, "IPv6 ranges are not supported; list IPv6 hosts one by one")]
    [InlineData("10.0.0.1-::5", 0, "IPv6 ranges are not supported")]
    [InlineData("2001:db8::zz", 0, "'2001:db8::zz' is not an IPv6 address")]
    [InlineData("[::1]", 0, "'[::1]' is not an IPv6 address")]
    [InlineData("[::1]:502", 0, "'[::1]:502' is not an IPv6 address")]
    [InlineData("10.0.0.1:502", 0, "'10.0.0.1:502' is not an IPv6 address; write addresses without brackets or ports")]
    [InlineData("fe80::1%eth0", 0, "fe80::1%eth0 has a zone index")]
    [InlineData("224.0.0.1", 0, "224.0.0.1 is a multicast address; a scan contacts unicast hosts only")]
    [InlineData("239.255.255.250", 0, "is a multicast address")]
    [InlineData("255.255.255.255", 0, "255.255.255.255 is the limited broadcast address; a scan contacts unicast hosts only")]
    [InlineData("0.0.0.0", 0, "0.0.0.0 is the unspecified address; a scan contacts unicast hosts only")]
    [InlineData("240.0.0.1", 0, "240.0.0.1 is a reserved address (240.0.0.0/4)")]
    [InlineData("::", 0, ":: is the unspecified address")]
    [InlineData("ff02::1", 0, "ff02::1 is a multicast address (ff00::/8)")]
    [InlineData("::ffff:224.0.0.1", 0, "::ffff:224.0.0.1 is a multicast address")]
    [InlineData("::ffff:0.0.0.0", 0, "is the unspecified address")]
    [InlineData("224.0.0.0/24", 0, "224.0.0.0/24 includes multicast addresses (224.0.0.0/4); a scan contacts unicast hosts only")]
    [InlineData("0.0.0.0/8", 0, "0.0.0.0/8 includes the unspecified address 0.0.0.0")]
    [InlineData("239.255.255.250-240.0.0.1", 0, "239.255.255.250-240.0.0.1 includes multicast addresses")]
    [InlineData("10.0.0.1, 192.0.0.0/2", 10, "192.0.0.0/2 includes multicast addresses")]
    [InlineData("255.255.255.0/24", 0, "includes reserved addresses (240.0.0.0/4)")]
    [InlineData("255.255.255.255/32", 0, "is the limited broadcast address")]
    [InlineData("10.0.0.0/15", 0, "the list holds 131,070 hosts, more than 65,536 (a /16); pass allowWide to scan that many")]
    [InlineData("10.0.0.0/16, 10.1.0.0/24, 10.2.0.0/24", 13, "the list holds 66,042 hosts")]
    [InlineData("10.0.0.0/16, 10.0.0.0/16, 10.1.0.1, 10.1.0.2, 10.1.0.3", 46, "the list holds 65,537 hosts")]
    [InlineData("1.0.0.1-223.255.255.255", 0, "pass allowWide")]
    public void Parse_Refused_NamesTheItemAndTheReason(string? text, int position, string reason)
    {
        var error = Assert.Throws<HostSetException>(() => HostSet.Parse(text!));

        Assert.Equal(text ?? string.Empty, error.Text);
        Assert.Equal(position, error.Position);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FluxDevicesException>(error);
        Assert.False(HostSet.TryParse(text, out var hosts));
        Assert.Null(hosts);
    }

    [Fact]
    public void Exception_Message_GivesTheTextColumnAndReason()
    {
        var error = Assert.Throws<HostSetException>(() => HostSet.Parse("10.0.0.1, 224.0.0.1"));

        Assert.Equal("Invalid hosts \"10.0.0.1, 224.0.0.1\" at column 11: 224.0.0.1 is a multicast address; a scan contacts unicast hosts only", error.Message);
    }

    [Fact]
    public void Parse_SixteenAllowed_FifteenOnlyWhenWide()
    {
        Assert.Equal(65534, HostSet.Parse("10.0.0.0/16").Count);
        Assert.Equal(65536, HostSet.Parse("10.0.0.0-10.0.255.255").Count);
        Assert.Throws<HostSetException>(() => HostSet.Parse("10.0.0.0-10.1.0.0"));
        Assert.Throws<HostSetException>(() => HostSet.Parse("10.0.0.0/15"));
        Assert.Equal(131070, HostSet.Parse("10.0.0.0/15", allowWide: true).Count);
        Assert.Equal(HostSet.MaxHostsWithoutWide, HostSet.Parse("10.0.0.0-10.0.255.254, ::1").Count);
        Assert.Throws<HostSetException>(() => HostSet.Parse("10.0.0.0-10.0.255.255, ::1"));
    }

    [Fact]
    public void Contains_CountsMappedAddressesAsIpv4()
    {
        var hosts = HostSet.Parse("10.0.0.0/24, 2001:db8::1");

        Assert.True(hosts.Contains(IPAddress.Parse("10.0.0.5")));
        Assert.True(hosts.Contains(IPAddress.Parse("::ffff:10.0.0.5")));
        Assert.True(hosts.Contains(IPAddress.Parse("10.0.0.5").MapToIPv6()));
        Assert.True(hosts.Contains(IPAddress.Parse("10.0.0.254")));
        Assert.False(hosts.Contains(IPAddress.Parse("10.0.0.0")));
        Assert.False(hosts.Contains(IPAddress.Parse("::ffff:10.0.0.255")));
        Assert.False(hosts.Contains(IPAddress.Parse("10.0.1.1")));
        Assert.False(hosts.Contains(IPAddress.Parse("::a00:5")));
        Assert.True(hosts.Contains(IPAddress.Parse("2001:db8::1")));
        Assert.False(hosts.Contains(IPAddress.Parse("2001:db8::2")));
        Assert.True(HostSet.Parse("::ffff:10.0.0.9").Contains(IPAddress.Parse("10.0.0.9")));
        Assert.False(HostSet.Empty.Contains(IPAddress.Loopback));
        Assert.Throws<ArgumentNullException>(() => hosts.Contains(null!));
    }

    [Fact]
    public void Contains_FindsEveryHostAndNothingBetweenRanges()
    {
        var hosts = HostSet.Parse("10.0.0.1, 10.0.0.3-5, 10.0.0.8/30, 10.0.0.20");
        var expected = new uint[] { 1, 3, 4, 5, 9, 10, 20 };

        for (uint last = 0; last < 24; last++)
        {
            Assert.Equal(expected.Contains(last), hosts.Contains(new IPAddress([10, 0, 0, (byte)last])));
        }
    }

    [Fact]
    public void GetHosts_IsLazy()
    {
        var watch = Stopwatch.StartNew();
        var wide = HostSet.Parse("10.0.0.0/8", allowWide: true);
        var huge = HostSet.Parse("1.0.0.0-223.255.255.255", allowWide: true);

        Assert.Equal(16777214, wide.Count);
        Assert.Equal(3741319168, huge.Count);
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], wide.GetHosts().Take(3).Select(a => a.ToString()));
        Assert.Equal(["1.0.0.0", "1.0.0.1", "1.0.0.2"], huge.GetHosts().Take(3).Select(a => a.ToString()));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void GetHosts_AscendingAndEachOnce()
    {
        var hosts = HostSet.Parse("10.0.0.5, fe80::1, ::1, 10.0.0.0-10.0.0.6, 9.255.255.255, 10.0.0.3, 2001:db8::1, ::1, ::ffff:10.0.0.4, 1.2.3.4");

        Assert.Equal(
            ["1.2.3.4", "9.255.255.255", "10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "::1", "2001:db8::1", "fe80::1"],
            hosts.GetHosts().Select(a => a.ToString()));
        Assert.Equal(12, hosts.Count);
        Assert.Equal("1.2.3.4, 9.255.255.255-10.0.0.6, ::1, 2001:db8::1, fe80::1", hosts.ToString());
    }

    [Fact]
    public void Of_MergesAndRefusesLikeParse()
    {
        var hosts = HostSet.Of(IPAddress.Parse("10.0.0.2"), IPAddress.Parse("::1"), IPAddress.Parse("10.0.0.1"), IPAddress.Parse("::ffff:10.0.0.2"), IPAddress.Parse("::1"));

        Assert.Equal(3, hosts.Count);
        Assert.Equal("10.0.0.1-10.0.0.2, ::1", hosts.ToString());
        Assert.Equal(0, HostSet.Of().Count);
        Assert.Equal(70000, HostSet.Of(HostSet.Parse("10.0.0.0/15", allowWide: true).GetHosts().Take(70000)).Count);
    }

    [Theory]
    [InlineData("224.0.0.1", "is a multicast address")]
    [InlineData("255.255.255.255", "is the limited broadcast address")]
    [InlineData("0.0.0.0", "is the unspecified address")]
    [InlineData("::", "is the unspecified address")]
    [InlineData("250.1.2.3", "is a reserved address")]
    [InlineData("ff05::2", "is a multicast address")]
    [InlineData("::ffff:239.1.1.1", "is a multicast address")]
    [InlineData("fe80::1%3", "has a zone index")]
    public void Of_Refused_ThrowsArgumentException(string address, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => HostSet.Of(IPAddress.Parse("10.0.0.1"), IPAddress.Parse(address)));

        Assert.Equal("addresses", error.ParamName);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => HostSet.Of((IEnumerable<IPAddress>)null!));
        Assert.Throws<ArgumentException>(() => HostSet.Of(IPAddress.Loopback, null!));
    }

    [Fact]
    public void Empty_HasNoHosts()
    {
        Assert.Equal(0, HostSet.Empty.Count);
        Assert.Empty(HostSet.Empty.GetHosts());
        Assert.Equal(string.Empty, HostSet.Empty.ToString());
    }

    [Fact]
    public void ToString_RandomSmallSets_ParseBackToTheSameHosts()
    {
        var random = new Random(20240611);
        string[] ipv6 = ["::1", "2001:db8::1", "2001:db8::2", "fd00::10", "fe80::1"]; // in byte order
        for (var round = 0; round < 300; round++)
        {
            var items = new List<string>();
            var expected = new SortedSet<uint>();
            var expectedIpv6 = new HashSet<string>();
            for (var n = random.Next(1, 6); n > 0; n--)
            {
                // Hosts around 10.0.0.0-10.0.1.255, so that items overlap and touch.
                var start = 0x0A000000u + (uint)random.Next(0, 512);
                switch (random.Next(5))
                {
                    case 0:
                        items.Add(Text(start));
                        expected.Add(start);
                        break;
                    case 1:
                        var end = start + (uint)random.Next(0, 40);
                        items.Add($"{Text(start)}-{Text(end)}");
                        AddRange(expected, start, end);
                        break;
                    case 2:
                        var lastOctet = (uint)random.Next((int)(start & 0xFF), 256);
                        items.Add($"{Text(start)}-{lastOctet}");
                        AddRange(expected, start, (start & 0xFFFFFF00) | lastOctet);
                        break;
                    case 3:
                        var prefix = random.Next(26, 33);
                        var size = 1u << (32 - prefix);
                        var network = start & ~(size - 1);
                        items.Add($"{Text(network)}/{prefix}");
                        AddRange(expected, prefix <= 30 ? network + 1 : network, prefix <= 30 ? network + size - 2 : network + size - 1);
                        break;
                    default:
                        var address = ipv6[random.Next(ipv6.Length)];
                        items.Add(address);
                        expectedIpv6.Add(address);
                        break;
                }
            }

            var text = string.Join(random.Next(2) == 0 ? "," : " , ", items);
            var hosts = HostSet.Parse(text);
            var again = HostSet.Parse(hosts.ToString());

            var expectedHosts = expected.Select(Text).Concat(ipv6.Where(expectedIpv6.Contains)).ToList();
            Assert.Equal(expected.Count + expectedIpv6.Count, hosts.Count);
            Assert.Equal(expectedHosts, hosts.GetHosts().Select(a => a.ToString()));
            Assert.Equal(expectedHosts, again.GetHosts().Select(a => a.ToString()));
            Assert.Equal(hosts.ToString(), again.ToString());
        }

        static void AddRange(SortedSet<uint> set, uint first, uint last)
        {
            for (var value = first; value <= last; value++)
            {
                set.Add(value);
            }
        }

        static string Text(uint value) => $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}";
    }
}
