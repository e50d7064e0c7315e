using System.Text.Json;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary>The commands, run through the real entry point on a SQLite file of their own: output, JSON, errors and exit codes.</summary>
public sealed class CommandTests : FluxTestBed
{
    public override async ValueTask InitializeAsync() =>
        await WithRegistryAsync(registry => registry.RegisterManyAsync([SpecSamples.Bess(), SpecSamples.Meter(), SpecSamples.Bess("HMCE-BESS-01", site: "HMCE")], cancellationToken: Cancel).AsTask());

    [Fact]
    public async Task DevicesList_WithAFilter_PrintsTheMatchingDevicesAsATable()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "list", "--filter", "type=bess", "--store", Store);

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        var lines = output.Trim().Split('\n');
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.Equal(["HMCE-BESS-01", "WLCE-BESS-01"], lines[1..].Select(l => l.Split(' ')[0]));
    }

    [Fact]
    public async Task DevicesList_AsJson_IsTheDevicesWithTheirMetadata()
    {
        var (code, output, _) = await FluxProcess.RunAsync("devices", "list", "--output", "json", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        using var json = JsonDocument.Parse(output);
        var names = json.RootElement.EnumerateArray().Select(d => d.GetProperty("name").GetString()).ToList();
        Assert.Equal(["HMCE-BESS-01", "WLCE-BESS-01", "WLCE-GRID-METER"], names);
        Assert.Equal(500, json.RootElement[1].GetProperty("metadata").GetProperty("capacity_kwh").GetInt32());
    }

    [Fact]
    public async Task ApplyTemplate_DryRunThenCommit_PrintsThePlanAndConfiguresTheDevices()
    {
        var template = Path.Combine(Directory, "powerpack_bess.yaml");
        await File.WriteAllTextAsync(template, SpecSamples.PowerPackTemplateAsPrinted, Cancel);

        var (dryCode, plan, _) = await FluxProcess.RunAsync("devices", "apply-template", "--template", template, "--filter", "type=bess,site=WLCE", "--store", Store);
        var (commitCode, _, summary) = await FluxProcess.RunAsync("devices", "apply-template", "--template", template, "--filter", "type=bess,site=WLCE", "--commit", "--store", Store);
        var (_, shown, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-BESS-01", "--store", Store);
        var (_, history, _) = await FluxProcess.RunAsync("devices", "history", "WLCE-BESS-01", "--store", Store);

        Assert.Equal(FluxCli.DryRunHasChanges, dryCode);
        Assert.Contains("WLCE-BESS-01", plan, StringComparison.Ordinal);
        Assert.Contains("Configure", plan, StringComparison.Ordinal);
        Assert.Equal(FluxCli.Ok, commitCode);
        Assert.Contains("Committed: 1 device(s) changed", summary, StringComparison.Ordinal);
        Assert.Contains("Configured", shown, StringComparison.Ordinal);
        Assert.Contains("Registered -> Configured", history, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FluxCli.Usage, "flux: Invalid filter", "devices", "list", "--filter", "type=")]
    [InlineData(FluxCli.Usage, "flux: Unrecognized command or argument 'frobnicate'", "devices", "frobnicate")]
    [InlineData(FluxCli.Usage, "flux: Argument 'xml' not recognized", "devices", "list", "--output", "xml")]
    [InlineData(FluxCli.Failed, "flux: No device is named 'WLCE-BESS-99'.", "devices", "show", "WLCE-BESS-99")]
    [InlineData(FluxCli.Usage, "flux: devices update: nothing to change", "devices", "update", "WLCE-BESS-01")]
    [InlineData(FluxCli.Usage, "flux: --set 'capacity': expected KEY=VALUE.", "devices", "update", "WLCE-BESS-01", "--set", "capacity")]
    [InlineData(FluxCli.Usage, "flux: --duration 'soon': not a duration", "devices", "maintenance", "enter", "WLCE-BESS-01", "--reason", "x", "--duration", "soon")]
    [InlineData(FluxCli.Failed, "flux: Device WLCE-BESS-01 is Registered: trigger EnterMaintenance is not permitted", "devices", "maintenance", "enter", "WLCE-BESS-01", "--reason", "x")]
    [InlineData(FluxCli.Failed, "flux: Device WLCE-BESS-01 is Registered: trigger ExitMaintenance is not permitted", "devices", "maintenance", "exit", "WLCE-BESS-01")]
    [InlineData(FluxCli.Failed, "flux: Device WLCE-BESS-01 was changed by someone else: expected version 7, found version 1.", "devices", "update", "WLCE-BESS-01", "--set", "note=x", "--expected-version", "7")]
    [InlineData(FluxCli.Failed, "flux: No device group is named 'NOPE'.", "groups", "add", "NOPE", "WLCE-BESS-01")]
    [InlineData(FluxCli.Usage, "flux: Argument '' not recognized for --role.", "groups", "add", "G", "WLCE-BESS-01", "--role", "")]
    [InlineData(FluxCli.Usage, "flux: Argument '5' not recognized for --role. Must be one of: 'primary', 'backup', 'monitor'.", "groups", "add", "G", "WLCE-BESS-01", "--role", "5")]
    [InlineData(FluxCli.Usage, "flux: --count 63: must be from 1 to 62 for float32 (125 registers in one read).", "registers", "read", "--host", "127.0.0.1", "--address", "0", "--type", "float32", "--count", "63")]
    [InlineData(FluxCli.Usage, "flux: Option '--site' is required.", "devices", "register", "X", "--type", "bess")]
    [InlineData(FluxCli.Usage, "flux: --filter is empty", "devices", "apply-template", "--template", "powerpack_bess.yaml", "--filter", "", "--commit")]
    [InlineData(FluxCli.Usage, "flux: --register needs --site", "devices", "scan", "127.0.0.1", "--register")]
    [InlineData(FluxCli.Usage, "flux: --ports 0: a port is from 1 to 65535.", "devices", "scan", "127.0.0.1", "--ports", "0")]
    [InlineData(FluxCli.Usage, "flux: --units 0: a unit id is from 1 to 247, or 255", "devices", "scan", "127.0.0.1", "--units", "0")]
    [InlineData(FluxCli.Usage, "flux: --port 0: must be from 1 to 65535.", "registers", "read", "--host", "127.0.0.1", "--port", "0", "--address", "0")]
    [InlineData(FluxCli.Usage, "flux: --count 32: must be from 1 to 31 for float64 (125 registers in one read).", "registers", "read", "--host", "127.0.0.1", "--address", "0", "--type", "float64", "--count", "32")]
    [InlineData(FluxCli.Usage, "flux: --count 1073741824: must be from 1 to 125.", "registers", "read", "--host", "127.0.0.1", "--address", "0", "--type", "float64", "--count", "1073741824")]
    [InlineData(FluxCli.Usage, "flux: --metadata @: give a file name after @.", "devices", "register", "X", "--type", "bess", "--site", "WLCE", "--metadata", "@")]
    [InlineData(FluxCli.Usage, "flux: Argument 'primary,backup' not recognized for --role.", "groups", "add", "G", "WLCE-BESS-01", "--role", "primary,backup")]
    [InlineData(FluxCli.Usage, "flux: --port abc: must be a whole number from 1 to 65535.", "registers", "read", "--host", "127.0.0.1", "--port", "abc", "--address", "0")]
    [InlineData(FluxCli.Usage, "flux: --unit 256: must be from 0 to 255.", "registers", "read", "--host", "127.0.0.1", "--unit", "256", "--address", "0")]
    [InlineData(FluxCli.Usage, "flux: --address -1: must be from 0 to 65535.", "registers", "read", "--host", "127.0.0.1", "--address", "-1")]
    [InlineData(FluxCli.Usage, "flux: --port x: must be a whole number from 0 to 65535.", "simulate", "--port", "x")]
    [InlineData(FluxCli.Usage, "flux: --units x: not a number or a range of numbers (1-9); a unit id is from 1 to 247, or 255", "devices", "scan", "127.0.0.1", "--units", "x")]
    [InlineData(FluxCli.Usage, "flux: --units 0: a unit id is from 1 to 247, or 255", "devices", "scan", "127.0.0.1", "--units", "0-3")]
    [InlineData(FluxCli.Usage, "flux: --units 9-1: a range goes from the smaller number to the larger.", "devices", "scan", "127.0.0.1", "--units", "9-1")]
    [InlineData(FluxCli.Usage, "flux: --ports 70000: a port is from 1 to 65535.", "devices", "scan", "127.0.0.1", "--ports", "1502,70000")]
    [InlineData(FluxCli.Usage, "flux: hosts 10.0.0.0/8: 16,777,214 hosts, more than 65,536 (a /16); give --wide to scan that many.", "devices", "scan", "10.0.0.0/8")]
    [InlineData(FluxCli.Usage, "flux: --metadata: not valid JSON at line 1, byte 2 (expected an object", "devices", "register", "X", "--type", "bess", "--site", "WLCE", "--metadata", "{bad json")]
    [InlineData(FluxCli.Usage, "flux: --metadata: must be a JSON object, not a number.", "devices", "register", "X", "--type", "bess", "--site", "WLCE", "--metadata", "5")]
    [InlineData(FluxCli.Usage, "flux: --priority -5: must be 0 or more.", "groups", "add", "G", "WLCE-BESS-01", "--priority", "-5")]
    [InlineData(FluxCli.Usage, "flux: --priority 99999999999: must be from 0 to 2147483647.", "groups", "add", "G", "WLCE-BESS-01", "--priority", "99999999999")]
    [InlineData(FluxCli.Usage, "flux: --active maybe: must be true or false.", "devices", "update", "WLCE-BESS-01", "--active", "maybe")]
    [InlineData(FluxCli.Usage, "flux: --expected-version x: must be a whole number 1 or more.", "devices", "update", "WLCE-BESS-01", "--expected-version", "x")]
    [InlineData(FluxCli.Usage, "flux: Unrecognized command or argument 'device'; see flux --help.", "device", "list")]
    [InlineData(FluxCli.Usage, "flux: Unrecognized command or argument '--fitler'; see flux devices list --help.", "devices", "list", "--fitler", "type=bess")]
    [InlineData(FluxCli.Usage, "flux: Argument 'u_int16x' not recognized for --type. Must be one of: 'int16', 'uint16',", "registers", "read", "--host", "127.0.0.1", "--address", "0", "--type", "u_int16x")]
    [InlineData(FluxCli.Usage, "flux: --template '': give a file name.", "devices", "apply-template", "--template", "", "--filter", "type=bess")]
    [InlineData(FluxCli.Usage, "flux: --defaults '': give a file name.", "devices", "scan", "127.0.0.1", "--defaults", "")]
    [InlineData(FluxCli.Usage, "flux: --host '': give the device's address (a name or an IP address).", "registers", "read", "--host", "", "--address", "0")]
    public async Task BadInput_PrintsOneClearLine_AndExitsNonZero(int expectedCode, string expectedError, params string[] args)
    {
        var (code, output, error) = await FluxProcess.RunAsync([.. args, "--store", Store]);

        Assert.Equal(expectedCode, code);
        Assert.StartsWith(expectedError, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n')); // one line, whatever went wrong
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal); // no .NET type names
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task ApplyTemplate_ABadTemplate_FailsWithItsLineAndWritesNothing()
    {
        var template = Path.Combine(Directory, "bad.yaml");
        await File.WriteAllTextAsync(template, "device_template:\n  type: bess\n  default_config:\n    polling_interval: soon\n", Cancel);

        var (code, _, error) = await FluxProcess.RunAsync("devices", "apply-template", "--template", template, "--filter", "type=bess", "--commit", "--store", Store);
        var (_, list, _) = await FluxProcess.RunAsync("devices", "list", "--filter", "state=configured", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Contains("bad.yaml(4,23): device_template.default_config.polling_interval", error, StringComparison.Ordinal);
        Assert.Single(list.Trim().Split('\n')); // the header only: nothing configured
    }

    [Fact]
    public async Task Register_ThenUpdate_WritesTheDeviceItsChangesAndItsHistory()
    {
        var metadata = Path.Combine(Directory, "bess-02.json");
        await File.WriteAllTextAsync(metadata, """{"manufacturer": "PowerPack", "model": "PP-250", "capacity_kwh": 250, "max_power_kw": 50, "efficiency": 0.9, "modbus_address": 2, "ip_address": "127.0.0.2"}""", Cancel);

        var (code, output, error) = await FluxProcess.RunAsync("devices", "register", "WLCE-BESS-02", "--type", "bess", "--site", "WLCE", "--metadata", "@" + metadata, "--store", Store);
        var (updateCode, updated, _) = await FluxProcess.RunAsync("devices", "update", "WLCE-BESS-02", "--set", "capacity_kwh=300", "--set", "note=rack 4, \"north\"", "--unset", "ip_address", "--output", "json", "--store", Store);
        var (_, csv, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-BESS-02", "--output", "csv", "--store", Store);
        var (_, history, _) = await FluxProcess.RunAsync("devices", "history", "WLCE-BESS-02", "--output", "json", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.StartsWith("Registered WLCE-BESS-02 (", error, StringComparison.Ordinal);
        Assert.Matches(@"\nmetadata\.capacity_kwh\s+250\n", output);
        Assert.Equal(FluxCli.Ok, updateCode);
        using var device = JsonDocument.Parse(updated);
        var stored = device.RootElement.GetProperty("metadata");
        Assert.Equal((300, "rack 4, \"north\"", false, 2), (stored.GetProperty("capacity_kwh").GetInt32(), stored.GetProperty("note").GetString(), stored.TryGetProperty("ip_address", out _), device.RootElement.GetProperty("version").GetInt32()));
        Assert.Contains("\r\nmetadata.note,\"rack 4, \"\"north\"\"\"\r\n", csv, StringComparison.Ordinal); // RFC 4180 quoting
        Assert.StartsWith("field,value\r\nid,", csv, StringComparison.Ordinal);
        using var entries = JsonDocument.Parse(history);
        Assert.Equal(["registered", "updated"], entries.RootElement.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Register_BadMetadata_NamesTheFieldAndWritesNothing()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "register", "WLCE-BESS-02", "--type", "bess", "--site", "WLCE", "--metadata", """{"manufacturer": "PowerPack", "model": "PP-250", "capacity_kwh": 250, "max_power_kw": 50, "efficiency": 1.5, "modbus_address": 2}""", "--store", Store);
        var (_, list, _) = await FluxProcess.RunAsync("devices", "list", "--output", "csv", "--store", Store);

        Assert.Equal((FluxCli.Failed, string.Empty), (code, output));
        Assert.Contains("metadata.efficiency", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal(["name", "HMCE-BESS-01", "WLCE-BESS-01", "WLCE-GRID-METER"], list.Trim().Split("\r\n").Select(l => l.Split(',')[0]));
    }

    [Fact]
    public async Task Decommission_RetiresTheDeviceWithItsReason()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "decommission", "WLCE-GRID-METER", "--reason", "replaced by a new meter", "--store", Store);
        var (againCode, _, again) = await FluxProcess.RunAsync("devices", "decommission", "WLCE-GRID-METER", "--store", Store);
        var (_, history, _) = await FluxProcess.RunAsync("devices", "history", "WLCE-GRID-METER", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Contains("WLCE-GRID-METER: Registered -> Decommissioned.", error, StringComparison.Ordinal);
        Assert.Matches(@"WLCE-GRID-METER\s+meter\s+WLCE\s+Decommissioned", output);
        Assert.Equal(FluxCli.Failed, againCode);
        Assert.Contains("Decommissioned is a terminal state", again, StringComparison.Ordinal);
        Assert.Matches(@"Registered -> Decommissioned\s+Decommission\s+flux\s+replaced by a new meter", history);
    }

    [Fact]
    public async Task Maintenance_EnterAndExit_NotifiesAndStopsPolling()
    {
        await ActivateAsync("WLCE-BESS-01");

        var (enterCode, _, entered) = await FluxProcess.RunAsync("devices", "maintenance", "enter", "WLCE-BESS-01", "--reason", "Firmware upgrade", "--duration", "2h", "--store", Store);
        var (healthCode, polled, healthStatus) = await FluxProcess.RunAsync("devices", "health", "--output", "json", "--store", Store);
        var (exitCode, _, exited) = await FluxProcess.RunAsync("devices", "maintenance", "exit", "WLCE-BESS-01", "--store", Store);

        Assert.Equal(FluxCli.Ok, enterCode);
        Assert.Contains("[notify Information] Device WLCE-BESS-01 entering maintenance: Firmware upgrade (expected to take 2 hours)", entered, StringComparison.Ordinal);
        Assert.Contains("WLCE-BESS-01: Active -> Maintenance.", entered, StringComparison.Ordinal);
        Assert.Equal((FluxCli.Ok, "[]"), (healthCode, polled.Trim())); // nothing polled: the only polled device is in maintenance
        Assert.Contains("No device to poll", healthStatus, StringComparison.Ordinal);
        Assert.Equal(FluxCli.Ok, exitCode);
        Assert.Contains("WLCE-BESS-01: Maintenance -> Testing.", exited, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Groups_CreateAddListShow_KeepRolesAndPriorities()
    {
        var (createCode, _, created) = await FluxProcess.RunAsync("groups", "create", "WLCE-CONTROL", "--site", "WLCE", "--type", "control", "--store", Store);
        var (duplicateCode, _, duplicate) = await FluxProcess.RunAsync("groups", "create", "WLCE-CONTROL", "--site", "WLCE", "--store", Store);
        var (addCode, _, _) = await FluxProcess.RunAsync("groups", "add", "WLCE-CONTROL", "WLCE-GRID-METER", "--role", "monitor", "--priority", "2", "--store", Store);
        var (otherSiteCode, _, otherSite) = await FluxProcess.RunAsync("groups", "add", "WLCE-CONTROL", "HMCE-BESS-01", "--store", Store);
        await FluxProcess.RunAsync("groups", "add", "WLCE-CONTROL", "WLCE-BESS-01", "--role", "primary", "--priority", "1", "--store", Store);
        var (_, csv, _) = await FluxProcess.RunAsync("groups", "list", "--output", "csv", "--store", Store);
        var (_, listed, _) = await FluxProcess.RunAsync("groups", "list", "--output", "json", "--store", Store);
        var (_, shown, _) = await FluxProcess.RunAsync("groups", "show", "WLCE-CONTROL", "--output", "json", "--store", Store);
        var (_, table, _) = await FluxProcess.RunAsync("groups", "show", "WLCE-CONTROL", "--store", Store);
        var (removeCode, _, removed) = await FluxProcess.RunAsync("groups", "remove", "WLCE-CONTROL", "WLCE-GRID-METER", "--store", Store);
        var (removeAgainCode, _, removedAgain) = await FluxProcess.RunAsync("groups", "remove", "WLCE-CONTROL", "WLCE-GRID-METER", "--store", Store);
        var (_, after, _) = await FluxProcess.RunAsync("groups", "show", "WLCE-CONTROL", "--output", "csv", "--store", Store);

        Assert.Equal(FluxCli.Ok, createCode);
        Assert.StartsWith("Created group WLCE-CONTROL (", created, StringComparison.Ordinal);
        Assert.Equal(FluxCli.Failed, duplicateCode);
        Assert.Contains("WLCE-CONTROL", duplicate, StringComparison.Ordinal);
        Assert.Equal(FluxCli.Ok, addCode);
        Assert.Equal(FluxCli.Failed, otherSiteCode);
        Assert.Contains("flux: Invalid site: device HMCE-BESS-01 is at site HMCE, group WLCE-CONTROL is for site WLCE", otherSite, StringComparison.Ordinal);
        var rows = csv.Trim().Split("\r\n");
        Assert.Equal("name,site,type,members,created", rows[0]);
        Assert.StartsWith("WLCE-CONTROL,WLCE,Control,2,", rows[1], StringComparison.Ordinal);
        using var groups = JsonDocument.Parse(listed);
        Assert.Equal(("WLCE-CONTROL", "control", 2), (groups.RootElement[0].GetProperty("name").GetString(), groups.RootElement[0].GetProperty("group_type").GetString(), groups.RootElement[0].GetProperty("members").GetInt32()));
        using var group = JsonDocument.Parse(shown);
        Assert.Equal(
            [("WLCE-BESS-01", "primary", 1), ("WLCE-GRID-METER", "monitor", 2)],
            group.RootElement.GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("device").GetString(), m.GetProperty("role").GetString(), m.GetProperty("priority").GetInt32())));
        Assert.Matches(@"WLCE-BESS-01\s+bess\s+Primary\s+1\s+Registered", table);
        Assert.Equal((FluxCli.Ok, "WLCE-GRID-METER left WLCE-CONTROL."), (removeCode, removed.Trim()));
        Assert.Equal((FluxCli.Failed, "flux: WLCE-GRID-METER is not in WLCE-CONTROL."), (removeAgainCode, removedAgain.Trim()));
        Assert.Equal("device,type,role,priority,state\r\nWLCE-BESS-01,bess,Primary,1,Registered\r\n", after);
    }

    [Fact]
    public async Task ApplyTemplate_AShippedTemplateByName_IsFoundOutsideTheRepository()
    {
        Assert.False(File.Exists("powerpack_bess.yaml")); // not in the working directory: the one shipped with flux

        var (code, plan, _) = await FluxProcess.RunAsync("devices", "apply-template", "--template", "powerpack_bess.yaml", "--filter", "type=bess,site=WLCE", "--store", Store);
        var (missingCode, _, missing) = await FluxProcess.RunAsync("devices", "apply-template", "--template", "nope.yaml", "--filter", "type=bess", "--store", Store);

        Assert.Equal(FluxCli.DryRunHasChanges, code);
        Assert.Matches(@"WLCE-BESS-01\s+Registered\s+Configure", plan);
        Assert.Equal(FluxCli.Failed, missingCode);
        Assert.Contains("nope.yaml (nor a shipped template of that name)", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyTemplate_AMistypedPath_IsNotTheShippedTemplate()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "apply-template", "--template", Path.Combine(Directory, "typo", "powerpack_bess.yaml"), "--filter", "type=bess", "--commit", "--store", Store);

        Assert.Equal((FluxCli.Failed, string.Empty), (code, output));
        Assert.Equal($"flux: No file {Path.Combine(Directory, "typo", "powerpack_bess.yaml")}.", error.Trim());
    }

    [Fact]
    public async Task AMissingSqliteStore_IsAnErrorForReads_AndIsNotCreated()
    {
        var missing = Path.Combine(Directory, "typo.db");

        var (code, output, error) = await FluxProcess.RunAsync("devices", "list", "--store", missing);

        Assert.Equal((FluxCli.Failed, string.Empty), (code, output));
        Assert.StartsWith($"flux: No registry at {missing}: give --store", error, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task TheStore_IsTheOption_ElseFluxStore_ElseFluxDb()
    {
        var other = Path.Combine(Directory, "other.db");
        await FluxProcess.RunAsync("devices", "register", "OTHER-METER", "--type", "meter", "--site", "OTHR", "--metadata", SpecSamples.MeterMetadataJson, "--store", other);
        CliConsole FromEnvironment(TextWriter o, TextWriter e) => CliConsole.Plain(o, e) with { Variable = name => name == FluxCli.StoreVariable ? Store : null };

        var (_, fromVariable, _) = await FluxProcess.RunAsync(FromEnvironment, "devices", "list", "--output", "csv");
        var (_, fromOption, _) = await FluxProcess.RunAsync(FromEnvironment, "devices", "list", "--output", "csv", "--store", other);

        Assert.Equal(["name", "HMCE-BESS-01", "WLCE-BESS-01", "WLCE-GRID-METER"], fromVariable.Trim().Split("\r\n").Select(l => l.Split(',')[0]));
        Assert.Equal(["name", "OTHER-METER"], fromOption.Trim().Split("\r\n").Select(l => l.Split(',')[0]));
    }

    [Fact]
    public async Task Help_ShowsNoStoreValue_SoThatAConnectionStringInTheEnvironmentStaysPrivate()
    {
        var (code, output, _) = await FluxProcess.RunAsync("devices", "list", "--help");

        Assert.Equal(FluxCli.Ok, code);
        var store = output.Split('\n').Single(l => l.TrimStart().StartsWith("--store", StringComparison.Ordinal));
        Assert.DoesNotContain("[default:", store, StringComparison.Ordinal); // the parser would print $FLUX_STORE here
        Assert.Contains("Else $FLUX_STORE, else flux.db.", store, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachablePostgresStore_IsOneLineWithoutThePassword()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "list", "--store", "Host=127.0.0.1;Port=1;Username=flux;Password=hunter2;Timeout=5");

        Assert.Equal((FluxCli.Failed, string.Empty), (code, output));
        // The schema check is retried like every call of the store, then told in one line.
        Assert.StartsWith("flux: PostgreSQL could not be reached or failed transiently 4 time(s): Failed to connect to 127.0.0.1:1", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnATerminal_TablesAreDrawnAndColoured_UnlessColourIsOff()
    {
        var (_, coloured, _) = await FluxProcess.RunAsync((o, e) => new CliConsole(o, e, OutputIsTerminal: true, Color: true), "devices", "list", "--store", Store);
        var (_, plain, _) = await FluxProcess.RunAsync((o, e) => new CliConsole(o, e, OutputIsTerminal: true, Color: false), "devices", "list", "--store", Store);

        Assert.Contains("╭", coloured, StringComparison.Ordinal);
        Assert.Matches(@"\u001b\[9?4mRegistered", coloured); // blue
        Assert.Contains("╭", plain, StringComparison.Ordinal);
        Assert.Contains("│ WLCE-BESS-01 ", plain, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\u001b\[(3|9)\d", plain); // no colour codes
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("", null, true)]
    [InlineData("1", null, false)]
    [InlineData(null, "dumb", false)]
    [InlineData(null, "xterm-256color", true)]
    public void Colour_FollowsNoColorAndTerm(string? noColor, string? term, bool expected)
    {
        var console = CliConsole.FromProcess(name => name switch { "NO_COLOR" => noColor, "TERM" => term, _ => null });

        Assert.Equal(expected, console.Color);
    }

    private Task ActivateAsync(string name) => WithRegistryAsync(async registry =>
    {
        var device = (await registry.GetByNameAsync(name, Cancel))!;
        foreach (var trigger in new[] { DeviceTrigger.DeployConfig, DeviceTrigger.PollAttempted, DeviceTrigger.PollSucceeded })
        {
            device = await registry.FireAsync(device.Id, trigger, cancellationToken: Cancel);
        }
    });
}
