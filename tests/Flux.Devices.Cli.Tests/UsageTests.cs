using System.CommandLine;
using System.Text;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// What a user meets before the registry does anything: help, and errors that name the option, the file or the device as
/// the user typed it, in one line and with the exit codes of docs/cli.md.
/// </summary>
public sealed class UsageTests : FluxTestBed
{
    private Guid _retiredId;

    public override async ValueTask InitializeAsync() => await WithRegistryAsync(async registry =>
    {
        await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        var retired = await registry.RegisterAsync(SpecSamples.Meter("WLCE-OLD-METER"), cancellationToken: Cancel);
        _retiredId = (await registry.DecommissionAsync(retired.Id, "replaced", cancellationToken: Cancel)).Id;
    });

    [Fact]
    public async Task NoArguments_PrintsHelp_AndExitsTwo_WithoutRunningTheDemo()
    {
        var (code, output, error) = await FluxProcess.RunAsync();

        Assert.Equal((FluxCli.Usage, string.Empty), (code, error));
        Assert.Matches(@"Usage:\n\s+\S+ \[command\] \[options\]", output); // flux, or the test host's name
        Assert.Matches(@"\n\s+demo\s+Simulate a site", output);
        Assert.DoesNotContain("Simulated site", output, StringComparison.Ordinal); // the demo did not run
    }

    [Fact]
    public async Task ACommandGroupAlone_PrintsItsHelp_AndExitsTwo()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "maintenance", "--store", Store);

        Assert.Equal((FluxCli.Usage, string.Empty), (code, error));
        Assert.Matches(@"Usage:\n\s+\S+ devices maintenance \[command\] \[options\]", output);
        Assert.Matches(@"\n\s+exit <device>\s+Take a device out of maintenance", output);
    }

    [Theory]
    [InlineData("flux: Device WLCE-OLD-METER is Decommissioned: trigger ExitMaintenance is not permitted", "devices", "maintenance", "exit", "WLCE-OLD-METER")]
    [InlineData("flux: Device WLCE-OLD-METER is Decommissioned: trigger EnterMaintenance is not permitted", "devices", "maintenance", "enter", "WLCE-OLD-METER", "--reason", "x")]
    [InlineData("flux: Device WLCE-OLD-METER is Decommissioned: trigger Decommission is not permitted", "devices", "decommission", "WLCE-OLD-METER")]
    [InlineData("flux: Device WLCE-OLD-METER was changed by someone else: expected version 1, found version 2.", "devices", "update", "WLCE-OLD-METER", "--set", "a=1", "--expected-version", "1")]
    [InlineData("flux: Invalid device_id: device WLCE-OLD-METER is Decommissioned and cannot join a group", "groups", "add", "WLCE-CONTROL", "WLCE-OLD-METER")]
    public async Task Errors_NameTheDeviceAsTheUserTypedIt_NotByItsId(string expected, params string[] args)
    {
        await FluxProcess.RunAsync("groups", "create", "WLCE-CONTROL", "--site", "WLCE", "--store", Store);

        var (code, _, error) = await FluxProcess.RunAsync([.. args, "--store", Store]);

        Assert.Equal(FluxCli.Failed, code);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(_retiredId.ToString(), error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Errors_NameTheDeviceByItsId_WhenTheUserTypedTheId()
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "maintenance", "exit", _retiredId.ToString().ToUpperInvariant(), "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.StartsWith($"flux: Device {_retiredId.ToString().ToUpperInvariant()} is Decommissioned", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FluxCli.Usage, "flux: --store: port=notaport is not a valid value for port in a PostgreSQL connection string.", "Host=127.0.0.1;Port=notaport;Username=flux")]
    [InlineData(FluxCli.Usage, "flux: --store: 'colour' is not a PostgreSQL connection string keyword.", "Host=127.0.0.1;Colour=blue")]
    [InlineData(FluxCli.Usage, "flux: --store: timeout=soon is not a valid value for timeout in a PostgreSQL connection string.", "Host=127.0.0.1;Password=hunter2;Port=1;Timeout=soon;")]
    [InlineData(FluxCli.Usage, "flux: --store: not a PostgreSQL connection string (Host=...;Username=...): it is not KEY=VALUE pairs separated by ';'.", "Host=127.0.0.1;Password=\"hunter2")]
    public async Task AConnectionStringNpgsqlCannotRead_IsBadUsageNamingTheKeyword(int expectedCode, string expected, string store)
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "list", "--store", store);

        Assert.Equal((expectedCode, string.Empty), (code, output));
        Assert.Equal(expected, error.Trim());
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoreInAFolderThatDoesNotExist_NamesThePath_AndCreatesNothing()
    {
        var store = Path.Combine(Directory, "nonexistent", "dir", "flux.db");

        var (code, output, error) = await FluxProcess.RunAsync("devices", "register", "X", "--type", "meter", "--site", "WLCE", "--metadata", SpecSamples.MeterMetadataJson, "--store", store);

        Assert.Equal((FluxCli.Failed, string.Empty), (code, output));
        Assert.Equal($"flux: --store {store}: no folder {Path.GetDirectoryName(store)} to make the registry in.", error.Trim());
        Assert.False(System.IO.Directory.Exists(Path.Combine(Directory, "nonexistent")));
    }

    [Fact]
    public async Task AStoreThatIsNotASqliteDatabase_FailsInOneLine_NamingTheFile_FromTheStoresOwnError()
    {
        var store = Path.Combine(Directory, "notes.db");
        await File.WriteAllTextAsync(store, "not a database, only text that is long enough to fill a SQLite header", TestContext.Current.CancellationToken);

        var (code, output, error) = await FluxProcess.RunAsync("devices", "list", "--store", store);

        Assert.Equal((FluxCli.Failed, string.Empty), (code, output));
        Assert.StartsWith($"flux: SQLite file {store} could not be used: ", error, StringComparison.Ordinal);
        Assert.Contains("file is not a database", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task AStoreThatIsAFolder_IsBadUsage()
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "register", "X", "--type", "meter", "--site", "WLCE", "--metadata", SpecSamples.MeterMetadataJson, "--store", Directory);

        Assert.Equal(FluxCli.Usage, code);
        Assert.StartsWith($"flux: --store {Directory}: is a folder; give a SQLite file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetadataFileThatIsNotUtf8_IsRefusedWithItsLineAndOffset_AndNothingIsWritten()
    {
        // Latin-1 "é" (0xE9) where UTF-8 was expected: read leniently, it was stored as U+FFFD.
        var file = Path.Combine(Directory, "meter.json");
        await File.WriteAllBytesAsync(file, [.. Encoding.UTF8.GetBytes("{\n  \"manufacturer\": \"Accuenergy\",\n  \"note\": \"caf"), 0xE9, .. "\"\n}"u8], Cancel);

        var (code, output, error) = await FluxProcess.RunAsync("devices", "register", "WLCE-METER-9", "--type", "meter", "--site", "WLCE", "--metadata", "@" + file, "--store", Store);
        var (_, list, _) = await FluxProcess.RunAsync("devices", "list", "--output", "csv", "--store", Store);

        Assert.Equal((FluxCli.Usage, string.Empty), (code, output));
        Assert.Equal($"flux: --metadata @{file}: not UTF-8 at line 3, byte 15 (offset 48 in the file: 0xE9); save it as UTF-8.", error.Trim());
        Assert.DoesNotContain("WLCE-METER-9", list, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--metadata: the text is not UTF-8 (a byte that is not became U+FFFD at character 22)", "devices", "register", "WLCE-METER-9", "--type", "meter", "--site", "WLCE", "--metadata", "{\"manufacturer\": \"Acc\uFFFDuenergy\"}")]
    [InlineData("--set: the text is not UTF-8 (a byte that is not became U+FFFD at character 9)", "devices", "update", "WLCE-BESS-01", "--set", "note=caf\uFFFD")]
    [InlineData("--name: the text is not UTF-8 (a byte that is not became U+FFFD at character 6)", "devices", "update", "WLCE-BESS-01", "--name=WLCE-\uFFFD")]
    [InlineData("argument 3: the text is not UTF-8 (a byte that is not became U+FFFD at character 6)", "devices", "register", "WLCE-\uFFFD", "--type", "meter", "--site", "WLCE")]
    public async Task ArgumentsThatWereNotUtf8_AreRefused_NotStoredAsReplacementCharacters(string expected, params string[] args)
    {
        // The runtime decodes the process's arguments with U+FFFD in place of bytes that are not UTF-8 (a Latin-1 "é").
        var (code, output, error) = await FluxProcess.RunAsync([.. args, "--store", Store]);
        var (_, shown, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-BESS-01", "--output", "json", "--store", Store);
        var (_, list, _) = await FluxProcess.RunAsync("devices", "list", "--store", Store);

        Assert.Equal((FluxCli.Usage, string.Empty), (code, output));
        Assert.Equal($"flux: {expected}; give it as UTF-8.", error.Trim());
        Assert.Contains("\"version\": 1", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("WLCE-METER-9", list, StringComparison.Ordinal);
        Assert.DoesNotContain("\uFFFD", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingMetadataFile_NamesTheOption()
    {
        var file = Path.Combine(Directory, "nope.json");

        var (code, _, error) = await FluxProcess.RunAsync("devices", "register", "WLCE-METER-9", "--type", "meter", "--site", "WLCE", "--metadata", "@" + file, "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Equal($"flux: --metadata @{file}: no file {file}.", error.Trim());
    }

    [Fact]
    public async Task MetadataFileThatIsNotJson_NamesTheFileAndTheLine()
    {
        var file = Path.Combine(Directory, "meter.json");
        await File.WriteAllTextAsync(file, "{\n  \"manufacturer\": Accuenergy\n}", Cancel);

        var (code, _, error) = await FluxProcess.RunAsync("devices", "register", "WLCE-METER-9", "--type", "meter", "--site", "WLCE", "--metadata", "@" + file, "--store", Store);

        Assert.Equal(FluxCli.Usage, code);
        Assert.StartsWith($"flux: --metadata @{file}: not valid JSON at line 2, byte 19 (", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultsFileThatIsNotUtf8_IsRefusedBeforeAnythingIsScanned()
    {
        var file = Path.Combine(Directory, "defaults.json");
        await File.WriteAllBytesAsync(file, [.. "{\"bess\": {\"model\": \"PP"u8, 0xFF, .. "\"}}"u8], Cancel);

        var (code, output, error) = await FluxProcess.RunAsync("devices", "scan", "127.0.0.1", "--ports", "1", "--site", "WLCE", "--register", "--defaults", file, "--store", Store);

        Assert.Equal((FluxCli.Usage, string.Empty), (code, output));
        Assert.Equal($"flux: --defaults {file}: not UTF-8 at line 1, byte 23 (offset 22 in the file: 0xFF); save it as UTF-8.", error.Trim());
    }

    [Fact]
    public async Task TemplateThatIsNotUtf8_IsABadTemplate_WithItsLineAndOffset()
    {
        var file = Path.Combine(Directory, "latin1.yaml");
        await File.WriteAllBytesAsync(file, [.. "device_template:\n  type: bess\n  manufacturer: Power"u8, 0xC9, .. "\n"u8], Cancel);

        var (code, _, error) = await FluxProcess.RunAsync("devices", "apply-template", "--template", file, "--filter", "type=bess", "--commit", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Equal("flux: latin1.yaml(3,22): the file is not UTF-8: byte 0xC9 at offset 51 does not start a valid UTF-8 sequence; save the file as UTF-8", error.Trim());
    }

    [Fact]
    public async Task Help_ShowsDefaultsAsTheChoicesAreTyped_AndActiveAsTakingAValue()
    {
        var (_, read, _) = await FluxProcess.RunAsync("registers", "read", "--help");
        var (_, add, _) = await FluxProcess.RunAsync("groups", "add", "--help");
        var (_, update, _) = await FluxProcess.RunAsync("devices", "update", "--help");

        Assert.Matches(@"--type <int16\|uint16\|int32\|uint32\|float32\|int64\|uint64\|float64\|string>\s+How to read each value\. \[default: uint16\]", read);
        Assert.Matches(@"--order <abcd\|cdab\|badc\|dcba>\s+.*\[default: abcd\]", read);
        Assert.Contains("[default: table]", read, StringComparison.Ordinal);
        Assert.DoesNotContain("u_int", read, StringComparison.Ordinal);
        Assert.DoesNotContain("UInt16", read, StringComparison.Ordinal);
        Assert.Matches(@"--role <primary\|backup\|monitor>\s+.*\[default: primary\]", add);
        Assert.Matches(@"--active <true\|false>\s+Whether the device is active", update);
    }

    [Fact]
    public async Task MaintenanceExitHelp_SaysTheDeviceGoesToTesting()
    {
        var (code, help, _) = await FluxProcess.RunAsync("devices", "maintenance", "exit", "--help");

        Assert.Equal(FluxCli.Ok, code);
        Assert.Contains("it goes to Testing", help, StringComparison.Ordinal);
        Assert.DoesNotContain("back to the state it was in", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActiveTakesTrueOrFalse()
    {
        var (code, output, _) = await FluxProcess.RunAsync("devices", "update", "WLCE-BESS-01", "--active", "false", "--output", "json", "--store", Store);
        var (bareCode, _, bare) = await FluxProcess.RunAsync("devices", "update", "WLCE-BESS-01", "--active", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Contains("\"active\": false", output, StringComparison.Ordinal);
        Assert.Equal(FluxCli.Usage, bareCode);
        Assert.StartsWith("flux: --active", bare, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "1-3,7", "9", "2" }, new byte[] { 1, 2, 3, 7, 9 })]
    [InlineData(new[] { "1-247" }, null)]
    [InlineData(new[] { "255" }, new byte[] { 255 })]
    public void UnitIds_TakeListsAndRanges(string[] tokens, byte[]? expected)
    {
        var units = CliOptions.WholeList<byte>("--units", "Unit ids.", u => u is (>= 1 and <= 247) or 255, "a unit id is from 1 to 247, or 255", [1]);
        var command = new RootCommand { units };

        var parsed = command.Parse([.. tokens.SelectMany(t => new[] { "--units", t })]);

        Assert.Empty(parsed.Errors);
        Assert.Equal(expected ?? [.. Enumerable.Range(1, 247).Select(u => (byte)u)], parsed.GetValue(units));
    }
}
