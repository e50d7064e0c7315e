using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Modbus.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task UseModbusTcp_RegistersTheClientWithItsOptions()
    {
        await using var server = await Support.Loopback.StartServerAsync();
        server.AddUnit(1, Support.Loopback.AddressEchoUnit());
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp(o => o.RequestTimeout = TimeSpan.FromSeconds(3)).UseModbusTcp();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var transport = provider.GetRequiredService<IModbusTransport>();
        var values = new ushort[2];
        await transport.ReadHoldingRegistersAsync(server.Endpoint, 1, 7, values);

        Assert.IsType<ModbusTcpTransport>(transport);
        Assert.Single(services, d => d.ServiceType == typeof(IModbusTransport));
        Assert.Equal(TimeSpan.FromSeconds(3), provider.GetRequiredService<IOptions<ModbusTcpOptions>>().Value.RequestTimeout);
        Assert.Equal(new ushort[] { 7, 8 }, values);
    }

    [Fact]
    public async Task Dispose_Synchronous_EveryServiceResolved_ClosesTheClientsWithoutThrowing()
    {
        await using var server = await Support.Loopback.StartServerAsync();
        server.AddUnit(1, Support.Loopback.AddressEchoUnit());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFluxDevices().UseModbusTcp().AddHealthMonitor();
        services.AddHealthChecks().AddFluxDevices();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (var type in services.Select(d => d.ServiceType).Where(t => !t.IsGenericTypeDefinition).Distinct())
        {
            _ = provider.GetServices(type).ToList();
        }

        var transport = provider.GetRequiredService<IModbusTransport>();
        await transport.ReadHoldingRegistersAsync(server.Endpoint, 1, 7, new ushort[1]); // a connection to close

        provider.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await transport.ReadHoldingRegistersAsync(server.Endpoint, 1, 7, new ushort[1]));
    }

    [Fact]
    public async Task UseModbusTcp_WithTheMonitorAndTheHealthCheck_HostStartsAndEveryRegisteredServiceResolves()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices().UseModbusTcp().AddHealthMonitor();
        builder.Services.AddHealthChecks().AddFluxDevices();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        foreach (var type in builder.Services.Where(d => !d.IsKeyedService).Select(d => d.ServiceType).Where(t => !t.IsGenericTypeDefinition).Distinct())
        {
            Assert.NotEmpty(host.Services.GetServices(type));
        }

        await host.StopAsync(TestContext.Current.CancellationToken);
        Assert.IsType<Flux.Devices.Discovery.DeviceScanner>(host.Services.GetRequiredService<Flux.Devices.Discovery.IDeviceScanner>());
        Assert.NotNull(host.Services.GetService<Flux.Devices.Health.IDeviceHealthMonitor>());
    }

    [Fact]
    public async Task UseModbusTcp_InvalidOptions_HostFailsToStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices().UseModbusTcp(o =>
        {
            o.MaxRequestsInFlight = 0;
            o.RequestTimeout = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains(nameof(ModbusTcpOptions.MaxRequestsInFlight), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains(nameof(ModbusTcpOptions.RequestTimeout), StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 11 }));

        Assert.Contains(nameof(ModbusTcpOptions.RetryCount), error.Message, StringComparison.Ordinal);
    }
}
