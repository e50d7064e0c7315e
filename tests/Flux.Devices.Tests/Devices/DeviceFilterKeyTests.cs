namespace Flux.Devices.Tests.Devices;

/// <summary>Each key's step of the filter parser, on the paths <see cref="DeviceFilterTests"/> does not take.</summary>
public sealed class DeviceFilterKeyTests
{
    [Theory]
    [InlineData("=bess", 0, "expected a key (type, site, name, state, active or metadata.<key>), found '='")]
    [InlineData("TYPE=bess,type=meter", 10, "'type' appears twice; give several values as type=a|b")]
    [InlineData("metadata.x=1,Metadata.x=2", 13, "'Metadata.x' appears twice; give several values as Metadata.x=a|b")]
    [InlineData("type=bess|Meter", 10, "'Meter' is not a device type name (lower-case letters, digits and underscores)")]
    [InlineData("state=active|running", 13, "unknown state 'running'; use registered, configured, testing, active, failed, maintenance, decommissioned")]
    [InlineData("active=true|false|true", 12, "'active' takes one value, true or false")]
    [InlineData("active=\"maybe\"", 7, "'active' must be true or false, not 'maybe'")]
    [InlineData("sites=WLCE", 0, "unknown key 'sites'; use type, site, name, state, active or metadata.<key>")]
    [InlineData("metadata.a.=x", 0, "empty metadata key in 'metadata.a.'; write metadata.<key> or metadata.<key>.<key>")]
    public void Parse_KeyRefusingItsValues_ThrowsNamingThePosition(string text, int position, string reason)
    {
        var error = Assert.Throws<DeviceFilterException>(() => DeviceFilter.Parse(text));

        Assert.Equal((position, reason), (error.Position, error.Reason));
    }

    [Fact]
    public void Parse_KeysInAnyCase_MetadataPathKeepsItsCase()
    {
        var filter = DeviceFilter.Parse("TYPE=bess, Site=WLCE, NAME=a|b, State=de_commissioned|Active, ACTIVE=False, METADATA.Serial.No=\"7\"");

        Assert.Equal(["bess"], filter.Types);
        Assert.Equal(["WLCE"], filter.Sites);
        Assert.Equal(["a", "b"], filter.Names);
        Assert.Equal([DeviceState.Decommissioned, DeviceState.Active], filter.States);
        Assert.False(filter.Active);
        var condition = Assert.Single(filter.Metadata);
        Assert.Equal(["Serial", "No"], condition.Path);
        Assert.Equal(["7"], condition.Values);
    }
}
