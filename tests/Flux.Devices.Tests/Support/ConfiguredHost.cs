using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Flux.Devices.Tests.Support;

/// <summary>A host with nothing but an in-memory configuration and the services a test registers from it.</summary>
internal static class ConfiguredHost
{
    public static IHost Build(Dictionary<string, string?> settings, Action<HostApplicationBuilder, IConfiguration> register)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        register(builder, builder.Configuration);
        return builder.Build();
    }
}
