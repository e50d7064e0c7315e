using Flux.Devices.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Modbus.Tests;

/// <summary>The Modbus client's options bound from configuration, and named profiles beside the default client.</summary>
public sealed class ConfigurationBindingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UseModbusTcp_Configuration_BindsTheClientsOptions()
    {
        using var host = ConfiguredHost.Build(
            new()
            {
                ["FluxDevices:Modbus:RequestTimeout"] = "00:00:03",
                ["FluxDevices:Modbus:RetryCount"] = "0",
                ["FluxDevices:Modbus:StrictUnitId"] = "false",
            },
            (builder, configuration) => builder.Services.AddFluxDevices().UseModbusTcp(configuration.GetSection("FluxDevices:Modbus")));

        await host.StartAsync(Cancel);
        var options = host.Services.GetRequiredService<IOptions<ModbusTcpOptions>>().Value;
        await host.StopAsync(Cancel);

        Assert.Equal(TimeSpan.FromSeconds(3), options.RequestTimeout);
        Assert.Equal(0, options.RetryCount);
        Assert.False(options.StrictUnitId);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ConnectTimeout);
    }

    [Theory]
    [InlineData("FluxDevices:Modbus:RequestTimeout", "fast", "FluxDevices:Modbus:RequestTimeout")]
    [InlineData("FluxDevices:Modbus:Timeout", "00:00:03", "Timeout")]
    public async Task UseModbusTcp_BadKeyOrValue_HostFailsToStartNamingTheKey(string key, string value, string named)
    {
        using var host = ConfiguredHost.Build(
            new() { [key] = value },
            (builder, configuration) => builder.Services.AddFluxDevices().UseModbusTcp(configuration.GetSection("FluxDevices:Modbus")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Cancel));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseModbusTcp_ValueOutOfRange_HostFailsValidationNamingTheKey()
    {
        using var host = ConfiguredHost.Build(
            new() { ["FluxDevices:Modbus:MaxRequestsInFlight"] = "0" },
            (builder, configuration) => builder.Services.AddFluxDevices().UseModbusTcp(configuration.GetSection("FluxDevices:Modbus")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Cancel));

        Assert.Contains(error.Failures, f => f.Contains(nameof(ModbusTcpOptions.MaxRequestsInFlight), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddModbusTcpProfile_TwoProfiles_ResolveDistinctTransportsWithTheirOwnOptionsBesideTheDefault()
    {
        await using var server = await Support.Loopback.StartServerAsync();
        server.AddUnit(1, Support.Loopback.AddressEchoUnit());
        using var host = ConfiguredHost.Build(
            new()
            {
                ["FluxDevices:Modbus:RequestTimeout"] = "00:00:02",
                ["FluxDevices:Profiles:gateway-a:RequestTimeout"] = "00:00:05",
                ["FluxDevices:Profiles:gateway-a:MinimumRequestGap"] = "00:00:00.050",
            },
            (builder, configuration) => builder.Services.AddFluxDevices()
                .UseModbusTcp(configuration.GetSection("FluxDevices:Modbus"))
                .AddModbusTcpProfile("gateway-a", configuration.GetSection("FluxDevices:Profiles:gateway-a"))
                .AddModbusTcpProfile("direct", o => o.RequestTimeout = TimeSpan.FromMilliseconds(300))
                .AddModbusTcpProfile("direct", o => o.RetryCount = 0));

        await host.StartAsync(Cancel);
        var options = host.Services.GetRequiredService<IOptionsMonitor<ModbusTcpOptions>>();
        var gateway = host.Services.GetRequiredKeyedService<IModbusTransport>("gateway-a");
        var direct = host.Services.GetRequiredKeyedService<IModbusTransport>("direct");
        var values = new ushort[2];
        await gateway.ReadHoldingRegistersAsync(server.Endpoint, 1, 7, values, Cancel);
        await direct.ReadHoldingRegistersAsync(server.Endpoint, 1, 9, values.AsMemory(0, 1), Cancel);
        await host.StopAsync(Cancel);

        Assert.Equal(TimeSpan.FromSeconds(2), options.CurrentValue.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Get("gateway-a").RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Get("gateway-a").MinimumRequestGap);
        Assert.Equal(TimeSpan.FromMilliseconds(300), options.Get("direct").RequestTimeout);
        Assert.Equal(0, options.Get("direct").RetryCount);
        Assert.NotSame(gateway, direct);
        Assert.NotSame(host.Services.GetRequiredService<IModbusTransport>(), gateway);
        Assert.Same(gateway, host.Services.GetRequiredKeyedService<IModbusTransport>("gateway-a"));
        Assert.Equal(new ushort[] { 9, 8 }, values);
    }

    [Fact]
    public async Task AddModbusTcpProfile_BadValueInOneProfile_HostFailsToStartNamingTheProfileAndTheKey()
    {
        using var host = ConfiguredHost.Build(
            new() { ["Profiles:slow:RetryCount"] = "11" },
            (builder, configuration) => builder.Services.AddFluxDevices()
                .UseModbusTcp()
                .AddModbusTcpProfile("fast", o => o.RequestTimeout = TimeSpan.FromMilliseconds(200))
                .AddModbusTcpProfile("slow", configuration.GetSection("Profiles:slow")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Cancel));

        Assert.Equal("slow", error.OptionsName);
        Assert.Contains(error.Failures, f => f.Contains(nameof(ModbusTcpOptions.RetryCount), StringComparison.Ordinal));
    }

    [Fact]
    public void AddModbusTcpProfile_BlankName_Throws()
    {
        var builder = new ServiceCollection().AddFluxDevices();

        Assert.Throws<ArgumentException>(() => builder.AddModbusTcpProfile(" ", _ => { }));
    }
}
