using System.Text.Json;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Tests.Devices;

public sealed class DeviceMetadataTests
{
    [Fact]
    public void Parse_SpecBessJson_KeepsEveryKeyInOrder()
    {
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson);

        Assert.Equal(["manufacturer", "model", "capacity_kwh", "max_power_kw", "efficiency", "modbus_address", "firmware_version"], metadata.Keys);
        Assert.Equal("PowerPack", metadata.GetString("manufacturer"));
        Assert.Equal(0.92, metadata["efficiency"].GetDouble());
    }

    [Fact]
    public void ToJsonString_UnknownKeys_RoundTripUnchanged()
    {
        const string json = """{"manufacturer":"PowerPack","ip_address":"127.0.0.10","discovered_at":"2026-11-27T06:00:00Z","maintenance":{"started_at":"2024-01-01T10:00:00Z","reason":"Firmware upgrade","expected_duration":"2 hours"},"tags":["a",1,true,null],"nested":{"deep":{"x":1.5e3}}}""";

        var metadata = DeviceMetadata.Parse(json);

        Assert.Equal(json, metadata.ToJsonString());
        Assert.Equal(metadata, DeviceMetadata.Parse(metadata.ToJsonString()));
        Assert.Equal(json, JsonSerializer.Serialize(metadata));
        Assert.Equal(metadata, JsonSerializer.Deserialize<DeviceMetadata>(json));
    }

    [Fact]
    public void Equals_SameKeysInOtherOrder_AreEqualWithTheSameHashCode()
    {
        var a = DeviceMetadata.Parse("""{"a":1,"b":{"c":[1,2]},"d":"x"}""");
        var b = DeviceMetadata.Parse("""{"d":"x","b":{"c":[1,2]},"a":1.0}""");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, DeviceMetadata.Parse("""{"a":1,"b":{"c":[2,1]},"d":"x"}"""));
        Assert.NotEqual(a, a.Without("d"));
    }

    public static TheoryData<string, string, string> UnstorableJson => new()
    {
        { "[1,2]", "metadata", "must be a JSON object, not an array" },
        { "\"text\"", "metadata", "must be a JSON object, not a string" },
        { "null", "metadata", "must be a JSON object, not null" },
        { "{\"a\":", "metadata", "is not valid JSON" },
        { "{\"a\":1,}", "metadata", "is not valid JSON" },
        { "{\"a\":1,\"a\":2}", "metadata", "is not valid JSON" },
        { "{\"a\":\"x\\u0000y\"}", "metadata.a", "U+0000" },
        { "{\"a\":{\"b\\u0000\":1}}", "metadata.a", "U+0000" },
        { "{\"a\":1e400}", "metadata.a", "outside the range of a double" },
        { "{\"a\":[1,-1e999]}", "metadata.a[1]", "outside the range of a double" },
        { "{\"a\":" + string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40)) + "}", "metadata", "is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(UnstorableJson))]
    public void Parse_UnstorableJson_ThrowsValidationNamingTheField(string json, string field, string reason)
    {
        var error = Assert.Throws<DeviceValidationException>(() => DeviceMetadata.Parse(json));

        var only = Assert.Single(error.Errors);
        Assert.Equal(field, only.Field);
        Assert.Contains(reason, only.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"a\":\"\\ud800\"}", "metadata.a")]
    [InlineData("{\"a\":{\"b\":\"x\\udc00y\"}}", "metadata.a.b")]
    [InlineData("{\"\\ud800\":1}", "metadata")]
    [InlineData("{\"a\":[\"\\ud800\"]}", "metadata.a[0]")]
    public void Parse_UnpairedSurrogateEscape_ThrowsValidationNotAnUntypedError(string json, string field)
    {
        var error = Assert.Throws<DeviceValidationException>(() => DeviceMetadata.Parse(json));

        var only = Assert.Single(error.Errors);
        Assert.Equal(field, only.Field);
        Assert.Contains("unpaired", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_UnpairedSurrogateString_ThrowsValidation()
    {
        var error = Assert.Throws<DeviceValidationException>(() => DeviceMetadata.Empty.With("a", "x\ud800"));

        Assert.Equal("metadata.a", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public void GetUtf8ByteCount_NonAsciiText_CountsUtf8BytesNotEscapes()
    {
        var metadata = DeviceMetadata.Empty.With("note", "Ünïcødé Ωμέγα 東京 <'+>");

        Assert.Equal("""{"note":"Ünïcødé Ωμέγα 東京 <'+>"}""", metadata.ToJsonString());
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(metadata.ToJsonString()), metadata.GetUtf8ByteCount());
    }

    [Fact]
    public void FromElement_DuplicateKeysInAnUncheckedElement_ThrowsValidation()
    {
        using var document = JsonDocument.Parse("""{"a":{"x":1,"x":2}}""");

        var error = Assert.Throws<DeviceValidationException>(() => DeviceMetadata.FromElement(document.RootElement));

        Assert.Equal("metadata.a.x", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public void FromElement_NestedDeeperThanTheLimit_ThrowsValidation()
    {
        var json = "{\"a\":" + string.Concat(Enumerable.Repeat("{\"b\":", 40)) + "1" + new string('}', 41);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 100 });

        var error = Assert.Throws<DeviceValidationException>(() => DeviceMetadata.FromElement(document.RootElement));

        Assert.Contains($"deeper than {DeviceMetadata.MaxDepth}", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_ExistingKey_ReplacesInPlaceAndLeavesTheOriginalAlone()
    {
        var original = DeviceMetadata.Parse("""{"a":1,"b":2}""");

        var changed = original.With("a", "one").With("c", true).With("d", 2.5).With("e", 7L);

        Assert.Equal("""{"a":"one","b":2,"c":true,"d":2.5,"e":7}""", changed.ToJsonString());
        Assert.Equal("""{"a":1,"b":2}""", original.ToJsonString());
    }

    [Fact]
    public void With_NonFiniteNumberOrNulString_ThrowsValidationNamingTheKey()
    {
        var nan = Assert.Throws<DeviceValidationException>(() => DeviceMetadata.Empty.With("x", double.NaN));
        var nul = Assert.Throws<DeviceValidationException>(() => DeviceMetadata.Empty.With("y", "a\0b"));

        Assert.Equal("metadata.x", Assert.Single(nan.Errors).Field);
        Assert.Equal("metadata.y", Assert.Single(nul.Errors).Field);
    }

    [Fact]
    public void WithoutAndMerge_BehaveLikeJsonbOperators()
    {
        var metadata = DeviceMetadata.Parse("""{"a":1,"b":2,"c":3}""");

        Assert.Equal("""{"a":1,"c":3}""", metadata.Without("b").ToJsonString());
        Assert.Same(metadata, metadata.Without("missing"));
        Assert.Equal("""{"a":1,"b":"two","c":3,"d":4}""", metadata.Merge(DeviceMetadata.Parse("""{"b":"two","d":4}""")).ToJsonString());
        Assert.Equal(["b", "d"], metadata.DifferingKeys(metadata.Merge(DeviceMetadata.Parse("""{"b":"two","d":4}"""))));
    }

    [Fact]
    public void TryGetPath_NestedKeys_FindsValuesAndMissesGracefully()
    {
        var metadata = DeviceMetadata.Parse("""{"maintenance":{"reason":"Firmware upgrade"},"list":[1]}""");

        Assert.True(metadata.TryGetPath(["maintenance", "reason"], out var reason));
        Assert.Equal("Firmware upgrade", reason.GetString());
        Assert.False(metadata.TryGetPath(["maintenance", "missing"], out _));
        Assert.False(metadata.TryGetPath(["list", "0"], out _));
        Assert.False(metadata.TryGetPath([], out _));
    }

    [Fact]
    public void TypedViews_RoundTripThroughMetadata()
    {
        var bess = BessMetadata.From(DeviceMetadata.Parse(SpecSamples.BessMetadataJson));
        var meter = MeterMetadata.From(DeviceMetadata.Parse(SpecSamples.MeterMetadataJson));

        Assert.Equal(DeviceMetadata.Parse(SpecSamples.BessMetadataJson), bess.ToMetadata());
        Assert.Equal(DeviceMetadata.Parse(SpecSamples.MeterMetadataJson), meter.ToMetadata());
        Assert.Equal(bess, DeviceMetadata.Parse(SpecSamples.BessMetadataJson).Deserialize<BessMetadata>());
        Assert.Equal(meter, DeviceMetadata.FromObject(meter).Deserialize<MeterMetadata>());
    }

    [Theory]
    [InlineData("{}", "config", """{"a":1}""")]
    [InlineData("""{"x":1}""", "config", """{"a":[1,2,"three"]}""")]
    [InlineData("""{"config":{"a":1},"x":"y"}""", "config", """{"a":"longer value ✓"}""")]
    [InlineData("""{"x":1,"config":{"a":"a long old value"}}""", "config", "2")]
    [InlineData("""{"Ünï":"<&>"}""", "clé", "\"<é>\"")]
    public void WithChecked_KnowsItsSizeWithoutCountingAgain(string json, string key, string valueJson)
    {
        var metadata = DeviceMetadata.Parse(json);
        var value = DeviceMetadata.Empty.With(key, DeviceMetadata.Parse($"{{\"v\":{valueJson}}}")["v"])[key];

        var changed = metadata.WithChecked(key, value, DeviceMetadata.EntryByteCount(key, value));

        Assert.Equal(metadata.With(key, value), changed);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(changed.ToJsonString()), changed.GetUtf8ByteCount());
        Assert.Equal(DeviceMetadata.Parse(changed.ToJsonString()).GetUtf8ByteCount(), changed.GetUtf8ByteCount());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"x":{"x":{"x":1}},"y":[{"x":1},{"x":2}],"z":{"a":1},"a":2}""")] // one name in different objects
    [InlineData("""{"manufacturer":"PowerPack","model":"PP-500","capacity_kwh":500,"efficiency":0.92,"firmware_version":"2.1.3"}""")]
    [InlineData("""{"site": "Zürich 東京 😀", "big": 1e300, "neg": -0.5, "int": 12345678901234567890, "flags": [true, false, null], "m": {"started_at": "2024-01-01T10:00:00Z", "deep": {"x": [1, {"y": 2}]}}}""")]
    public void TryParsePlain_PlainStoredText_GivesWhatParseGives(string json)
    {
        var plain = DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(json));

        Assert.NotNull(plain);
        var parsed = DeviceMetadata.Parse(json);
        Assert.Equal(parsed, plain);
        Assert.Equal(parsed.Keys, plain.Keys);
        Assert.Equal(parsed.ToJsonString(), plain.ToJsonString());
        Assert.Equal(parsed.GetUtf8ByteCount(), plain.GetUtf8ByteCount());
    }

    [Theory]
    [InlineData("""{"note":"a \"quote\""}""")] // escaped string: Parse reads it
    [InlineData("""{"a\tb":1}""")] // escaped key
    [InlineData("""{"x":"\u0000"}""")] // U+0000: Parse refuses it
    [InlineData("""{"x":"\ud800"}""")] // an unpaired surrogate: Parse refuses it
    [InlineData("""{"x":1e400}""")] // beyond a double
    [InlineData("""{"x":1,"x":2}""")] // a repeated key
    [InlineData("""{"a":{"x":1,"y":{"z":1},"x":2}}""")] // a repeated key in a nested object
    [InlineData("""{"a":[{"x":1},{"y":1,"y":2}]}""")] // a repeated key in an object in an array
    [InlineData("""["not","an","object"]""")]
    [InlineData("\"text\"")]
    [InlineData("""{"x":1} trailing""")]
    [InlineData("""{"x":1,}""")]
    [InlineData("""{"x":1 /* comment */}""")]
    [InlineData("")]
    public void TryParsePlain_TextThatIsNotPlain_LeavesItToParse(string json)
    {
        Assert.Null(DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void TryParsePlain_TooDeepTooLargeOrInvalidUtf8_LeavesItToParse()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", DeviceMetadata.MaxDepth + 1)) + "1" + new string('}', DeviceMetadata.MaxDepth + 1);
        var deepest = string.Concat(Enumerable.Repeat("{\"a\":", DeviceMetadata.MaxDepth)) + "1" + new string('}', DeviceMetadata.MaxDepth);

        Assert.Null(DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(deep)));
        Assert.Throws<DeviceValidationException>(() => DeviceMetadata.Parse(deep));
        Assert.Equal(DeviceMetadata.Parse(deepest), DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(deepest)));
        var longNumber = "{\"x\":" + new string('9', 400) + "}"; // beyond a double without an exponent
        var longFinite = "{\"x\":" + new string('9', 300) + "." + new string('9', 200) + "}";
        Assert.Null(DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(longNumber)));
        Assert.Throws<DeviceValidationException>(() => DeviceMetadata.Parse(longNumber));
        Assert.Equal(DeviceMetadata.Parse(longFinite), DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(longFinite)));
        var manyKeys = "{" + string.Join(',', Enumerable.Range(0, 65).Select(i => $"\"k{i}\":{i}")) + "}"; // the pairwise check would be quadratic
        Assert.Null(DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(manyKeys)));
        Assert.Equal(65, DeviceMetadata.Parse(manyKeys).Count);
        Assert.Null(DeviceMetadata.TryParsePlain("{\"x\":\""u8.ToArray().Concat(new byte[] { 0xED, 0xA0, 0x80 }).Concat("\"}"u8.ToArray()).ToArray()));
    }

    [Theory]
    [InlineData("""{"a": 1, "b": {"c": [1, 2.5, -3]}, "d": "Zürich 😀", "e": null, "f": true}""", true)]
    [InlineData("""{"big": 1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000}""", false)]
    [InlineData("""{"note": "a \"quote\""}""", false)]
    public void TryParseJsonb_PostgresText_GivesWhatParseGives_OrLeavesItToParse(string json, bool readCheaply)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(json);

        var jsonb = DeviceMetadata.TryParseJsonb(utf8);

        Assert.Equal(readCheaply, jsonb is not null);
        Assert.Equal(DeviceMetadata.TryParsePlain(utf8) is null, jsonb is null);
        if (jsonb is not null)
        {
            Assert.Equal(DeviceMetadata.Parse(json).ToJsonString(), jsonb.ToJsonString());
        }
    }

    [Fact]
    public void TryParseJsonb_DeepText_IsCheckedByTheReader()
    {
        var deepest = string.Concat(Enumerable.Repeat("{\"a\": ", DeviceMetadata.MaxDepth)) + "1" + new string('}', DeviceMetadata.MaxDepth);
        var deeper = string.Concat(Enumerable.Repeat("{\"a\": ", DeviceMetadata.MaxDepth + 1)) + "1" + new string('}', DeviceMetadata.MaxDepth + 1);

        Assert.Equal(DeviceMetadata.Parse(deepest), DeviceMetadata.TryParseJsonb(System.Text.Encoding.UTF8.GetBytes(deepest)));
        Assert.Null(DeviceMetadata.TryParseJsonb(System.Text.Encoding.UTF8.GetBytes(deeper)));
    }

    [Fact]
    public void TryParsePlain_OneTextAfterAnother_KeepsEachTextsOwnKeys()
    {
        string[] texts = ["""{"a":1,"b":2,"c":3}""", """{"a":1,"c":3,"b":2}""", """{"b":2}""", """{"a":1,"b":2,"c":3,"d":4}""", """{"a":1,"b":2,"c":3}"""];

        foreach (var text in texts)
        {
            var plain = DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(text))!;
            Assert.Equal(DeviceMetadata.Parse(text).Keys, plain.Keys);
            Assert.Equal(text, plain.ToJsonString());
        }
    }

    [Fact]
    public async Task TryParsePlain_FirstUsedOnSeveralThreadsAtOnce_GivesEveryOneTheSameEntries()
    {
        var json = """{"a":1,"b":{"c":[1,2]},"d":"x"}""";
        for (var round = 0; round < 50; round++)
        {
            var plain = DeviceMetadata.TryParsePlain(System.Text.Encoding.UTF8.GetBytes(json))!;
            var keys = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => string.Join(",", plain.Keys), TestContext.Current.CancellationToken)));

            Assert.All(keys, k => Assert.Equal("a,b,d", k));
            Assert.Equal(DeviceMetadata.Parse(json), plain);
        }
    }

    [Fact]
    public void TryParsePlain_SpecMetadata_AllocatesLessThanHalfWhatParsingTheStringDoes()
    {
        // What a store read costs per device once its metadata is used: before, the jsonb column came as a string and went through Parse.
        var json = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With("modbus_address", 17L).ToJsonString();
        var utf8 = System.Text.Encoding.UTF8.GetBytes(json);
        _ = DeviceMetadata.Parse(json);
        _ = DeviceMetadata.TryParsePlain(utf8)!.Count;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = DeviceMetadata.Parse(json);
        }

        var parse = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = DeviceMetadata.TryParsePlain(utf8)!.Count; // first use: parsed
        }

        var plain = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(plain * 2 < parse, $"TryParsePlain allocated {plain / 100} bytes a call, Parse {parse / 100}.");
    }
}
