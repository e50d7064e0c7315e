namespace Flux.Devices.Tests.Devices;

public sealed class DeviceFilterTests
{
    [Fact]
    public void Parse_SpecFilter_ReadsTypeAndSite()
    {
        var filter = DeviceFilter.Parse("type=bess,site=WLCE");

        Assert.Equal(["bess"], filter.Types);
        Assert.Equal(["WLCE"], filter.Sites);
        Assert.Empty(filter.Names);
        Assert.Empty(filter.States);
        Assert.Null(filter.Active);
        Assert.Empty(filter.Metadata);
        Assert.False(filter.IsEmpty);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_Nothing_SelectsEveryDevice(string? text) => Assert.Same(DeviceFilter.All, DeviceFilter.Parse(text));

    [Fact]
    public void Parse_EveryKey_WithAlternativesQuotesAndSpaces()
    {
        var filter = DeviceFilter.Parse(
            " Type = bess|meter , site=WLCE|HMCE, name=\"A,B\"|WLCE-*, state=active|Maintenance|DECOMMISSIONED, active=False, metadata.maintenance.reason=\"Firmware upgrade\", metadata.tag=\"say \\\"hi\\\"\" ");

        Assert.Equal(["bess", "meter"], filter.Types);
        Assert.Equal(["WLCE", "HMCE"], filter.Sites);
        Assert.Equal(["A,B", "WLCE-*"], filter.Names);
        Assert.Equal([DeviceState.Active, DeviceState.Maintenance, DeviceState.Decommissioned], filter.States);
        Assert.False(filter.Active);
        Assert.Equal(["maintenance", "reason"], filter.Metadata[0].Path);
        Assert.Equal(["Firmware upgrade"], filter.Metadata[0].Values);
        Assert.Equal(["say \"hi\""], filter.Metadata[1].Values);
    }

    [Theory]
    [InlineData("type=bess,site=WLCE")]
    [InlineData("site=WLCE|HMCE,name=\"A,B\"|WLCE-*,state=active|maintenance,active=true,metadata.maintenance.reason=\"Firmware upgrade\"")]
    [InlineData("name=\"back\\\\slash\"|\" padded \",metadata.x=\"a=b\"")]
    public void ToString_ParsesBackToTheSameFilter(string text)
    {
        var filter = DeviceFilter.Parse(text);

        var again = DeviceFilter.Parse(filter.ToString());

        Assert.Equal(filter.ToString(), again.ToString());
        Assert.Equal(filter.Names, again.Names);
        Assert.Equal(filter.Metadata.SelectMany(m => m.Values), again.Metadata.SelectMany(m => m.Values));
    }

    [Theory]
    [InlineData("color=red", 0, "unknown key 'color'; use type, site, name, state, active or metadata.<key>")]
    [InlineData("type=bess,colour=red", 10, "unknown key 'colour'")]
    [InlineData("type", 4, "expected '=' after 'type'")]
    [InlineData("type=", 5, "expected a value")]
    [InlineData("type=bess,", 10, "expected a key")]
    [InlineData(",type=bess", 0, "expected a key")]
    [InlineData("type=bess|", 10, "expected a value")]
    [InlineData("type=bess site=WLCE", 14, "unexpected '=' in a value")]
    [InlineData("type=BESS", 5, "'BESS' is not a device type name")]
    [InlineData("state=running", 6, "unknown state 'running'")]
    [InlineData("active=yes", 7, "'active' must be true or false")]
    [InlineData("active=true|false", 12, "'active' takes one value")]
    [InlineData("site=WLCE,site=HMCE", 10, "'site' appears twice; give several values as site=a|b")]
    [InlineData("name=\"open", 5, "the quoted value is not closed")]
    [InlineData("name=\"a\\b\"", 7, "only \\\" and \\\\ may follow a backslash")]
    [InlineData("metadata.=x", 0, "empty metadata key in")]
    [InlineData("metadata.a..b=x", 0, "empty metadata key in")]
    [InlineData("name=a\0b", 5, "a value must not contain U+0000")]
    [InlineData("type=bess;site=WLCE", 14, "unexpected '=' in a value; separate conditions with ','")]
    [InlineData("name=\"a\"b", 8, "expected ',' or the end, found 'b'")]
    public void Parse_Malformed_ThrowsNamingThePosition(string text, int position, string reason)
    {
        var error = Assert.Throws<DeviceFilterException>(() => DeviceFilter.Parse(text));

        Assert.Equal(text, error.Text);
        Assert.Equal(position, error.Position);
        Assert.StartsWith(reason, error.Reason, StringComparison.Ordinal);
        Assert.Contains($"at column {position + 1}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_NullOrUndefinedValues_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new DeviceFilter { Types = null! });
        Assert.Throws<ArgumentException>(() => new DeviceFilter { Sites = [null!] });
        Assert.Throws<ArgumentException>(() => new DeviceFilter { States = [(DeviceState)42] });
        Assert.Throws<ArgumentException>(() => new MetadataCondition([""], ["x"]));
    }

    [Fact]
    public void Init_CopiesTheValues()
    {
        var sites = new List<string> { "WLCE" };
        var filter = new DeviceFilter { Sites = sites };

        sites.Add("HMCE");

        Assert.Equal(["WLCE"], filter.Sites);
    }

    [Theory]
    [InlineData("WLCE-*", "WLCE-BESS-01", true)]
    [InlineData("WLCE-*", "HMCE-BESS-01", false)]
    [InlineData("*-01", "WLCE-BESS-01", true)]
    [InlineData("*BESS*", "WLCE-BESS-01", true)]
    [InlineData("W*E*1", "WLCE-BESS-01", true)]
    [InlineData("W*E*2", "WLCE-BESS-01", false)]
    [InlineData("*", "", true)]
    [InlineData("**", "x", true)]
    [InlineData("a*a*a", "aaa", true)]
    [InlineData("a*a*a", "aa", false)]
    public void GlobMatch_StarPatterns(string pattern, string name, bool expected) =>
        Assert.Equal(expected, DeviceFilter.GlobMatch(pattern, name));

    [Fact]
    public void Matches_MetadataValuesByJsonKind()
    {
        var device = new Device
        {
            Id = Guid.NewGuid(),
            Name = "D",
            Type = "bess",
            Site = "WLCE",
            Metadata = DeviceMetadata.Parse("""{"n":500,"f":0.92,"s":"500","b":true,"z":null,"o":{"k":"v"},"a":[1]}"""),
        };

        Assert.True(DeviceFilter.Parse("metadata.n=500.0").Matches(device));
        Assert.True(DeviceFilter.Parse("metadata.f=0.920").Matches(device));
        Assert.True(DeviceFilter.Parse("metadata.s=500").Matches(device));
        Assert.False(DeviceFilter.Parse("metadata.s=500.0").Matches(device));
        Assert.True(DeviceFilter.Parse("metadata.b=TRUE").Matches(device));
        Assert.False(DeviceFilter.Parse("metadata.b=1").Matches(device));
        Assert.False(DeviceFilter.Parse("metadata.z=null").Matches(device));
        Assert.True(DeviceFilter.Parse("metadata.o.k=v").Matches(device));
        Assert.False(DeviceFilter.Parse("metadata.a=1").Matches(device));
        Assert.False(DeviceFilter.Parse("metadata.n=abc").Matches(device));
    }
}
