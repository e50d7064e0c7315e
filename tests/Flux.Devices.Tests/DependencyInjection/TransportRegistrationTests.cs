using Flux.Devices.Discovery;
using Flux.Devices.Health;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;

namespace Flux.Devices.Tests.DependencyInjection;

/// <summary>What talks to devices comes with a transport: without one every registered service still resolves, and what needs one says which call to add.</summary>
public sealed class TransportRegistrationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddFluxDevices_Alone_EveryRegisteredServiceResolves()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var failures = ResolveEach(services, provider);

        Assert.Empty(failures);
        Assert.Null(provider.GetService<IDeviceHealthMonitor>());
        Assert.Null(provider.GetService<IDeviceScanner>());
    }

    [Fact]
    public async Task AddFluxDevices_Alone_HostStartsAndEveryRegisteredServiceResolves()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices();
        using var host = builder.Build();

        await host.StartAsync(Cancel);
        var failures = ResolveEach(builder.Services, host.Services);
        await host.StopAsync(Cancel);

        Assert.Empty(failures);
    }

    [Fact]
    public async Task AddHealthMonitor_WithoutATransport_TheOnlyServiceThatFailsNamesUseModbusTcp()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFluxDevices().AddHealthMonitor();
        services.AddHealthChecks().AddFluxDevices();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var failures = ResolveEach(services, provider);

        var failure = Assert.Single(failures, f => f.Type == typeof(IHostedService));
        Assert.Contains("UseModbusTcp()", failure.Error.Message, StringComparison.Ordinal);
        Assert.All(failures, f => Assert.Contains("UseModbusTcp()", f.Error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddHealthMonitor_WithoutATransport_HostFailsToStartNamingUseModbusTcp()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices().AddHealthMonitor();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Cancel));

        Assert.Contains("UseModbusTcp()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FleetHealthCheck_WithoutATransport_HostFailsToStartNamingUseModbusTcp()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices();
        builder.Services.AddHealthChecks().AddFluxDevices();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Cancel));

        Assert.Contains("UseModbusTcp()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_WithoutATransport_ScanningSaysWhatToAdd()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var discovery = provider.GetRequiredService<IDeviceDiscoveryService>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await discovery.DiscoverAsync(new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.2") }, new AutoRegistrationOptions { Site = "WLCE" }, cancellationToken: Cancel).ToListAsync(Cancel));

        Assert.Contains("UseModbusTcp()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseTransport_WithAFactory_RegistersTheMonitorAndTheScanner_AndTheHostStarts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices().UseTransport(_ => Mock.Of<IModbusTransport>(), _ => Factory(Mock.Of<IModbusTransport>())).AddHealthMonitor();
        builder.Services.AddHealthChecks().AddFluxDevices();
        using var host = builder.Build();

        await host.StartAsync(Cancel);
        var failures = ResolveEach(builder.Services, host.Services);
        await host.StopAsync(Cancel);

        Assert.Empty(failures);
        Assert.NotNull(host.Services.GetService<IDeviceHealthMonitor>());
        Assert.NotNull(host.Services.GetService<IDeviceScanner>());
    }

    [Fact]
    public async Task UseTransport_WithoutAFactory_AfterOneWithAFactory_LeavesNoScannerThatCannotScan()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseTransport(_ => Mock.Of<IModbusTransport>(), _ => Factory(Mock.Of<IModbusTransport>())).UseTransport(_ => Mock.Of<IModbusTransport>());
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var failures = ResolveEach(services, provider);

        Assert.Empty(failures);
        Assert.Null(provider.GetService<IDeviceScanner>());
        Assert.Null(provider.GetService<IModbusTransportFactory>());
        Assert.NotNull(provider.GetService<IDeviceHealthMonitor>());
        Assert.Single(services, d => d.ServiceType == typeof(IDeviceHealthMonitor));
    }

    [Fact]
    public void Dispose_Synchronous_TheMonitorsOwnAsyncOnlyTransport_IsDisposed()
    {
        var polling = new Mock<IModbusTransport>();
        var disposable = polling.As<IAsyncDisposable>();
        disposable.Setup(d => d.DisposeAsync()).Returns(ValueTask.CompletedTask);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseTransport(_ => Mock.Of<IModbusTransport>(), _ => Factory(polling.Object));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _ = provider.GetRequiredService<IDeviceHealthMonitor>();

        provider.Dispose();

        disposable.Verify(d => d.DisposeAsync(), Times.Once);
    }

    /// <summary>Resolves every service type registered (each registration of it), and returns what failed.</summary>
    internal static List<(Type Type, Exception Error)> ResolveEach(IServiceCollection services, IServiceProvider provider)
    {
        var failures = new List<(Type, Exception)>();
        foreach (var type in services.Where(d => !d.IsKeyedService).Select(d => d.ServiceType).Where(t => !t.IsGenericTypeDefinition).Distinct())
        {
            try
            {
                _ = provider.GetServices(type).ToList();
            }
            catch (Exception ex) when (ex is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                failures.Add((type, ex));
            }
        }

        return failures;
    }

    private static IModbusTransportFactory Factory(IModbusTransport transport)
    {
        var factory = new Mock<IModbusTransportFactory>();
        factory.Setup(f => f.CreatePollingTransport()).Returns(transport);
        factory.Setup(f => f.CreateScanTransport(It.IsAny<TimeSpan>(), It.IsAny<TimeSpan>())).Returns(transport);
        return factory.Object;
    }
}
