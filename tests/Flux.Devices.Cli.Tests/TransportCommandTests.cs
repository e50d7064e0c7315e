using System.Net;
using System.Text.Json;
using Flux.Devices.Modbus;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// The transports beyond Modbus TCP from the command line, against our server on 127.0.0.1: <c>--framing rtu</c> and
/// <c>rtu+tcp://</c> (an RTU-over-TCP gateway), <c>--tls</c> and <c>mbaps://</c> with the client's PEM files from the test
/// PKI, written to the test's folder.
/// </summary>
public sealed class TransportCommandTests : FluxTestBed
{
    private string Template => Path.Combine(Directory, "powerpack_bess.yaml");

    private string Defaults => Path.Combine(Directory, "defaults.json");

    public override async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(Template, SpecSamples.PowerPackTemplateAsPrinted, Cancel);
        await File.WriteAllTextAsync(Defaults, """{"bess": {"capacity_kwh": 500, "max_power_kw": 100, "efficiency": 0.92}}""", Cancel);
    }

    [Fact]
    public async Task Scan_WithFramingRtu_RegistersTheDeviceWithModbusFramingRtu()
    {
        await using var gateway = await StartAsync(new ModbusTcpServerOptions { Framing = ModbusFraming.RtuOverTcp }, new PowerPackBessSimulator(capacityKwh: 500, initialSoe: 0.5));

        var (code, output, error) = await FluxProcess.RunAsync(
            "devices", "scan", "127.0.0.1", "--ports", $"{gateway.LocalEndPoint.Port}", "--units", "1", "--framing", "rtu", "--site", "WLCE", "--register",
            "--template", Template, "--defaults", Defaults, "--output", "json", "--store", Store);
        var device = await RegisteredAsync("WLCE-BESS-1");

        Assert.True(code == FluxCli.Ok, error);
        using var line = JsonDocument.Parse(output.Trim());
        Assert.Equal($"rtu+tcp://127.0.0.1:{gateway.LocalEndPoint.Port}", line.RootElement.GetProperty("endpoint").GetString());
        Assert.Equal("registered", line.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("rtu", device.Metadata.GetString("modbus_framing"));
        Assert.False(device.Metadata.TryGetValue("modbus_tls", out _));
    }

    [Fact]
    public async Task RegistersRead_RtuOverTcpEndpoint_ReadsThroughTheGateway()
    {
        var unit = new ModbusUnit();
        unit.SetRegisters(ModbusTable.HoldingRegisters, 10, [4242, 7]);
        await using var gateway = await StartAsync(new ModbusTcpServerOptions { Framing = ModbusFraming.RtuOverTcp, RecordRequests = true }, unit);

        var (code, output, error) = await FluxProcess.RunAsync(
            "registers", "read", "--host", $"rtu+tcp://127.0.0.1:{gateway.LocalEndPoint.Port}", "--address", "10", "--count", "2", "--output", "json", "--store", Store);

        Assert.True(code == FluxCli.Ok, error);
        using var values = JsonDocument.Parse(output);
        Assert.Equal([4242, 7], values.RootElement.EnumerateArray().Select(v => v.GetProperty("value").GetInt32()));
        Assert.Equal(new ModbusRequestRecord { UnitId = 1, FunctionCode = 3, Address = 10, Quantity = 2 }, Assert.Single(gateway.RecordedRequests) with { ConnectionId = 0, RemoteEndPoint = null });
    }

    [Fact]
    public async Task RegistersRead_OverTls_WithPemFiles_ReadsAndTheServerSeesTheClientsRole()
    {
        var unit = new ModbusUnit();
        unit.SetRegisters(ModbusTable.HoldingRegisters, 5, [802]);
        await using var server = await StartAsync(TlsServer(), unit);
        var (certificate, key, ca) = WriteClientPem();

        var (code, output, error) = await FluxProcess.RunAsync(
            "registers", "read", "--host", $"mbaps://127.0.0.1:{server.LocalEndPoint.Port}", "--tls-cert", certificate, "--tls-key", key, "--tls-ca", ca,
            "--address", "5", "--output", "json", "--store", Store);
        var (optionsCode, optionsOutput, optionsError) = await FluxProcess.RunAsync(
            "registers", "read", "--host", "127.0.0.1", "--port", $"{server.LocalEndPoint.Port}", "--tls", "--tls-cert", certificate, "--tls-key", key, "--tls-ca", ca,
            "--address", "5", "--output", "json", "--store", Store);

        Assert.True(code == FluxCli.Ok, error);
        Assert.True(optionsCode == FluxCli.Ok, optionsError);
        foreach (var json in new[] { output, optionsOutput })
        {
            using var values = JsonDocument.Parse(json);
            Assert.Equal(802, Assert.Single(values.RootElement.EnumerateArray().ToList()).GetProperty("value").GetInt32());
        }

        Assert.All(server.RecordedRequests, r => Assert.Equal(TestPki.Role, r.Role));
        Assert.Equal(2, server.RecordedRequests.Count);
    }

    [Fact]
    public async Task Scan_WithTls_RegistersTheDeviceWithModbusTls_AndHealthPollsItWithTheCertificate()
    {
        await using var server = await StartAsync(TlsServer(), new PowerPackBessSimulator(capacityKwh: 500, initialSoe: 0.5));
        var (certificate, key, ca) = WriteClientPem();

        var (code, output, error) = await FluxProcess.RunAsync(
            "devices", "scan", "127.0.0.1", "--ports", $"{server.LocalEndPoint.Port}", "--units", "1", "--tls", "--tls-cert", certificate, "--tls-key", key, "--tls-ca", ca,
            "--site", "WLCE", "--register", "--template", Template, "--defaults", Defaults, "--output", "json", "--store", Store);
        var device = await RegisteredAsync("WLCE-BESS-1");
        var (againCode, again, againError) = await FluxProcess.RunAsync(
            "devices", "scan", "127.0.0.1", "--ports", $"{server.LocalEndPoint.Port}", "--units", "1", "--tls", "--tls-cert", certificate, "--tls-key", key, "--tls-ca", ca,
            "--site", "WLCE", "--register", "--template", Template, "--defaults", Defaults, "--output", "json", "--store", Store);
        var (applyCode, _, applyError) = await FluxProcess.RunAsync("devices", "apply-template", "--template", Template, "--filter", "site=WLCE", "--commit", "--store", Store);
        var polledFrom = server.RequestCount;
        var (healthCode, health, healthError) = await FluxProcess.RunAsync("devices", "health", "--tls-cert", certificate, "--tls-key", key, "--tls-ca", ca, "--output", "json", "--store", Store);

        Assert.Equal((FluxCli.Ok, string.Empty), (againCode, again.Trim())); // the registered TLS unit is known by its endpoint, TLS included...
        Assert.Contains("1 unit id(s) of registered devices not contacted", againError, StringComparison.Ordinal); // ...and not asked again
        Assert.True(applyCode == FluxCli.Ok, applyError);
        Assert.True(healthCode == FluxCli.Ok, healthError + health);
        Assert.Contains("online", health, StringComparison.OrdinalIgnoreCase);
        Assert.True(server.RequestCount > polledFrom);

        Assert.True(code == FluxCli.Ok, error);
        using var line = JsonDocument.Parse(output.Trim());
        Assert.Equal($"mbaps://127.0.0.1:{server.LocalEndPoint.Port}", line.RootElement.GetProperty("endpoint").GetString());
        Assert.True(device.Metadata.TryGetValue("modbus_tls", out var tls));
        Assert.Equal(JsonValueKind.True, tls.ValueKind);
        Assert.Null(device.Metadata.GetString("modbus_framing"));
    }

    [Fact]
    public async Task Scan_WithTlsButAnUntrustedServer_RegistersNothingAndSaysTheEndpointRefusedTheTlsSettings()
    {
        await using var server = await StartAsync(TlsServer(TestPki.Instance.OtherCaServer), new PowerPackBessSimulator(capacityKwh: 500, initialSoe: 0.5));
        var (certificate, key, ca) = WriteClientPem();

        var (code, output, error) = await FluxProcess.RunAsync(
            "devices", "scan", "127.0.0.1", "--ports", $"{server.LocalEndPoint.Port}", "--units", "1", "--tls", "--tls-cert", certificate, "--tls-key", key, "--tls-ca", ca,
            "--site", "WLCE", "--register", "--template", Template, "--defaults", Defaults, "--output", "json", "--store", Store);

        Assert.Equal(string.Empty, output.Trim());
        Assert.Equal(0, server.RequestCount);
        Assert.Equal(FluxCli.Failed, code); // not an empty network: the certificates do not match
        Assert.Contains("1 endpoint(s) refused the connection's security", error, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{server.LocalEndPoint.Port}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flux: --tls with --framing rtu: Modbus/TCP Security carries Modbus TCP framing only.", "devices", "scan", "127.0.0.1", "--framing", "rtu", "--tls")]
    [InlineData("flux: --tls with rtu+tcp://: Modbus/TCP Security carries Modbus TCP framing only.", "registers", "read", "--host", "rtu+tcp://127.0.0.1", "--tls", "--address", "0")]
    [InlineData("flux: mbaps:// with --framing rtu: Modbus/TCP Security carries Modbus TCP framing only.", "registers", "read", "--host", "mbaps://127.0.0.1", "--framing", "rtu", "--address", "0")]
    [InlineData("flux: --tls needs --tls-cert: Modbus/TCP Security requires a client certificate.", "devices", "scan", "127.0.0.1", "--tls")]
    [InlineData("flux: --tls needs --tls-cert: Modbus/TCP Security requires a client certificate.", "registers", "read", "--host", "mbaps://127.0.0.1", "--address", "0")]
    [InlineData("flux: --tls-ca ca.pem: is for Modbus/TCP Security; give --tls too.", "devices", "scan", "127.0.0.1", "--tls-ca", "ca.pem")]
    [InlineData("flux: --host ftp://127.0.0.1: scheme 'ftp' is not one of tcp://, rtu+tcp:// and mbaps://.", "registers", "read", "--host", "ftp://127.0.0.1", "--address", "0")]
    [InlineData("flux: --port 1502 with --host rtu+tcp://127.0.0.1: give the port in one place (in --host, as host:port).", "registers", "read", "--host", "rtu+tcp://127.0.0.1", "--port", "1502", "--address", "0")]
    [InlineData("flux: --tls-ca ca.pem: give --tls-cert too: Modbus/TCP Security requires a client certificate.", "devices", "health", "--tls-ca", "ca.pem")]
    [InlineData("flux: Argument 'ascii' not recognized for --framing. Must be one of: 'tcp', 'rtu'.", "devices", "scan", "127.0.0.1", "--framing", "ascii")]
    public async Task BadTransportOptions_AreBadUsageNamingTheOptions(string expected, params string[] args)
    {
        var (code, output, error) = await FluxProcess.RunAsync([.. args, "--store", Store]);

        Assert.Equal(FluxCli.Usage, code);
        Assert.Equal(expected, error.TrimEnd('\n'));
        Assert.Equal(string.Empty, output);
        Assert.False(File.Exists(Store));
    }

    [Fact]
    public async Task TlsCertificateFileNotThere_NamesTheOptionAndTheFile()
    {
        var missing = Path.Combine(Directory, "nope.crt");

        var (code, _, error) = await FluxProcess.RunAsync("registers", "read", "--host", "mbaps://127.0.0.1", "--tls-cert", missing, "--address", "0", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Equal($"flux: --tls-cert {missing}: no file {missing}.", error.TrimEnd('\n'));
    }

    private static ModbusTcpServerOptions TlsServer(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var options = new ModbusTcpServerOptions { RecordRequests = true, Tls = new ModbusTlsServerOptions { ServerCertificate = certificate ?? TestPki.Instance.Server } };
        options.Tls.TrustedCertificateAuthorities.Add(TestPki.Instance.Ca);
        return options;
    }

    private static async Task<ModbusTcpServer> StartAsync(ModbusTcpServerOptions options, ModbusUnit unit)
    {
        var server = new ModbusTcpServer(options);
        server.AddUnit(1, unit);
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        return server;
    }

    private (string Certificate, string Key, string Ca) WriteClientPem()
    {
        var (certificate, key) = TestPki.WritePem(TestPki.Instance.Client, Directory, "client");
        var (ca, _) = TestPki.WritePem(TestPki.Instance.Ca, Directory, "ca");
        return (certificate, key, ca);
    }

    private async Task<Device> RegisteredAsync(string name)
    {
        Device? device = null;
        await WithRegistryAsync(async registry => device = await registry.GetByNameAsync(name, Cancel));
        return device ?? throw new InvalidOperationException($"{name} is not registered.");
    }
}
