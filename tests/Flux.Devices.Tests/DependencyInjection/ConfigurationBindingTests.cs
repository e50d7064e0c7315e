using Flux.Devices.Health;
using Flux.Devices.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;

namespace Flux.Devices.Tests.DependencyInjection;

/// <summary>The registry's and the health monitor's options bound from configuration, checked at start.</summary>
public sealed class ConfigurationBindingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddFluxDevices_Configuration_BindsTheKeysAndKeepsTheDefaultsOfTheOthers()
    {
        var folder = Directory.CreateTempSubdirectory("flux-maps-").FullName;
        try
        {
            using var host = ConfiguredHost.Build(
                new()
                {
                    ["FluxDevices:Registry:MaxMetadataBytes"] = "4096",
                    ["FluxDevices:Registry:RegisterMapDirectories:0"] = folder,
                },
                (builder, configuration) => builder.Services.AddFluxDevices(configuration.GetSection("FluxDevices:Registry")));

            await host.StartAsync(Cancel);
            var options = host.Services.GetRequiredService<IOptions<FluxDevicesOptions>>().Value;
            await host.StopAsync(Cancel);

            Assert.Equal(4096, options.MaxMetadataBytes);
            Assert.Equal(8, options.TriggerConflictRetries);
            Assert.Equal([folder], options.RegisterMapDirectories);
            Assert.Equal(2, options.DeviceTypes.Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AddFluxDevices_ConfigurationAndCode_BothApplyInOrder()
    {
        using var host = ConfiguredHost.Build(
            new() { ["FluxDevices:Registry:TriggerConflictRetries"] = "3" },
            (builder, configuration) => builder.Services
                .AddFluxDevices(configuration.GetSection("FluxDevices:Registry"))
                .Services.Configure<FluxDevicesOptions>(o => o.MaxMetadataBytes = 2048));

        await host.StartAsync(Cancel);
        var options = host.Services.GetRequiredService<IOptions<FluxDevicesOptions>>().Value;
        await host.StopAsync(Cancel);

        Assert.Equal(3, options.TriggerConflictRetries);
        Assert.Equal(2048, options.MaxMetadataBytes);
    }

    [Theory]
    [InlineData("MaxMetdataBytes", "4096", "'MaxMetdataBytes'")]
    [InlineData("TriggerConflictRetries", "many", "'FluxDevices:Registry:TriggerConflictRetries'")]
    public async Task AddFluxDevices_UnknownKeyOrValueThatDoesNotConvert_HostFailsToStartNamingTheSectionAndTheKey(string key, string value, string named)
    {
        using var host = ConfiguredHost.Build(
            new() { [$"FluxDevices:Registry:{key}"] = value },
            (builder, configuration) => builder.Services.AddFluxDevices(configuration.GetSection("FluxDevices:Registry")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Cancel));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("The configuration of FluxDevicesOptions (section 'FluxDevices:Registry') is refused: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddFluxDevices_ValueOutOfRange_HostFailsValidationNamingTheKey()
    {
        using var host = ConfiguredHost.Build(
            new() { ["FluxDevices:Registry:MaxMetadataBytes"] = "10" },
            (builder, configuration) => builder.Services.AddFluxDevices(configuration.GetSection("FluxDevices:Registry")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Cancel));

        Assert.Contains(error.Failures, f => f.Contains(nameof(FluxDevicesOptions.MaxMetadataBytes), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddHealthMonitor_Configuration_BindsTheMonitorsOptions()
    {
        using var host = ConfiguredHost.Build(
            new()
            {
                ["FluxDevices:Health:DefaultPollingInterval"] = "00:00:15",
                ["FluxDevices:Health:MaxConcurrentPolls"] = "8",
                ["FluxDevices:Health:UnhealthyOfflineRatio"] = "0.25",
            },
            (builder, configuration) => builder.Services.AddFluxDevices()
                .UseTransport(_ => Mock.Of<IModbusTransport>())
                .AddHealthMonitor(configuration.GetSection("FluxDevices:Health")));

        await host.StartAsync(Cancel);
        var options = host.Services.GetRequiredService<IOptions<DeviceHealthOptions>>().Value;
        await host.StopAsync(Cancel);

        Assert.Equal(TimeSpan.FromSeconds(15), options.DefaultPollingInterval);
        Assert.Equal(8, options.MaxConcurrentPolls);
        Assert.Equal(0.25, options.UnhealthyOfflineRatio);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DefaultTimeout);
    }

    [Theory]
    [InlineData("FluxDevices:Health:DefaultTimeout", "soon", "FluxDevices:Health:DefaultTimeout")]
    [InlineData("FluxDevices:Health:PollInterval", "00:00:10", "PollInterval")]
    public async Task AddHealthMonitor_BadKeyOrValue_HostFailsToStartNamingTheKey(string key, string value, string named)
    {
        using var host = ConfiguredHost.Build(
            new() { [key] = value },
            (builder, configuration) => builder.Services.AddFluxDevices()
                .UseTransport(_ => Mock.Of<IModbusTransport>())
                .AddHealthMonitor(configuration.GetSection("FluxDevices:Health")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Cancel));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddHealthMonitor_ValueOutOfRange_HostFailsValidationNamingTheKey()
    {
        using var host = ConfiguredHost.Build(
            new() { ["FluxDevices:Health:UnhealthyOfflineRatio"] = "1.5" },
            (builder, configuration) => builder.Services.AddFluxDevices()
                .UseTransport(_ => Mock.Of<IModbusTransport>())
                .AddHealthMonitor(configuration.GetSection("FluxDevices:Health")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Cancel));

        Assert.Contains(error.Failures, f => f.Contains(nameof(DeviceHealthOptions.UnhealthyOfflineRatio), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("FluxDevices:Health:FailedRetryInterval", "00:00:00.5", "FailedRetryInterval")]
    [InlineData("FluxDevices:Health:FailedRetryMaxInterval", "2.00:00:00", "FailedRetryMaxInterval")]
    [InlineData("FluxDevices:Health:FailedRetryMaxInterval", "00:01:00", "FailedRetryMaxInterval (00:01:00) must be at least FailedRetryInterval (00:05:00)")]
    public async Task AddHealthMonitor_AFailedRetryBackoffOutOfRange_HostFailsValidationSayingWhy(string key, string value, string said)
    {
        using var host = ConfiguredHost.Build(
            new() { [key] = value },
            (builder, configuration) => builder.Services.AddFluxDevices()
                .UseTransport(_ => Mock.Of<IModbusTransport>())
                .AddHealthMonitor(configuration.GetSection("FluxDevices:Health")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Cancel));

        Assert.Contains(error.Failures, f => f.Contains(said, StringComparison.Ordinal));
    }
}
