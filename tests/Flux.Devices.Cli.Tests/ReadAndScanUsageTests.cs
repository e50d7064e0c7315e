using System.CommandLine;
using Flux.Devices.Modbus.Server;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary><c>registers read</c> and <c>scan</c> against a device on loopback: strings, and unit id ranges.</summary>
public sealed class ReadAndScanUsageTests : PowerPackTestBed
{
    public override async ValueTask InitializeAsync()
    {
        var named = new ModbusUnit();
        named.SetRegisters(ModbusTable.HoldingRegisters, 100, [0x5050, 0x2D35, 0x3030, 0x2041]); // "PP-500 A"
        Server.AddUnit(2, named);
        await base.InitializeAsync();
    }

    [Fact]
    public async Task RegistersRead_AString_IsOneValueOverCountRegisters()
    {
        var (code, output, error) = await FluxProcess.RunAsync("registers", "read", "--host", "127.0.0.1", "--port", $"{Server.Endpoint.Port}", "--unit", "2", "--address", "100", "--type", "string", "--count", "4");

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        var lines = output.Trim().Split('\n');
        Assert.Equal(2, lines.Length); // the header and one value, not four 2-character rows
        Assert.Matches(@"^100\s+PP-500 A\s+5050 2D35 3030 2041$", lines[1]);
    }

    [Fact]
    public async Task Scan_UnitsAsARange_FindsTheUnitInIt()
    {
        var (code, output, _) = await FluxProcess.RunAsync(
            "devices", "scan", "127.0.0.1", "--ports", $"{Server.Endpoint.Port}", "--units", "1-1,3", "--template", Template, "--defaults", Defaults, "--output", "csv", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Contains($"\r\n127.0.0.1:{Server.Endpoint.Port},1,bess,PowerPack,PP-500,WouldRegister,SITE-BESS-1,\r\n", output, StringComparison.Ordinal);
    }
}
