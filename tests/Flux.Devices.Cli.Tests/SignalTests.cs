using System.Diagnostics;
using System.Net;
using Flux.Devices.Modbus.Server;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// Ctrl+C during <c>flux devices scan --register</c> on a new store: the scan stops as cancelled (exit code 130, one
/// line) and leaves no store behind, whenever the signal comes. The scan is of a device that accepts connections and
/// never answers, so it is still running when cancelled.
/// </summary>
public sealed class SignalTests : FluxTestBed
{
    private readonly ModbusTcpServer _stalled = new(new ModbusTcpServerOptions { AnswerEveryUnitId = Stalled() });

    public override async ValueTask InitializeAsync() => await _stalled.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);

    [Fact]
    public async Task ScanRegister_CancelledWhileScanning_SaysSoAndLeavesNoStore()
    {
        // Ctrl+C as the device receives the scan's first request: the store is open by then, and nothing is registered.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        _stalled.RequestReceived += _ => stop.Cancel();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await FluxCli.RunAsync(
            ["devices", "scan", "127.0.0.1", "--ports", $"{_stalled.Endpoint.Port}", "--units", "1", "--site", "WLCE", "--register", "--store", Store],
            output,
            error,
            stop.Token);

        Assert.True(stop.IsCancellationRequested, "the device was never asked");
        Assert.Equal((FluxCli.Cancelled, "flux: cancelled"), (code, error.ToString().Trim()));
        Assert.False(File.Exists(Store), "the store the cancelled scan created is still there");
        Assert.Empty(System.IO.Directory.GetFiles(Directory)); // nor its journals
    }

    [Fact]
    public async Task ScanRegister_SigintAsTheCommandLineStarts_IsHandled_NotAKill()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "SIGINT is a POSIX signal.");
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "flux"))
        {
            ArgumentList = { "devices", "scan", "127.0.0.1", "--ports", $"{_stalled.Endpoint.Port}", "--units", "1", "--site", "WLCE", "--register", "--store", Store },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            Environment =
            {
                ["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location,
                [StartupHook.Variable] = "System.CommandLine", // as the command line is first parsed
            },
        };

        using var flux = Process.Start(start)!;
        var output = flux.StandardOutput.ReadToEndAsync(Cancel);
        var error = flux.StandardError.ReadToEndAsync(Cancel);
        await flux.WaitForExitAsync(Cancel).WaitAsync(TimeSpan.FromSeconds(60), Cancel);

        Assert.Equal("flux: cancelled", (await error).Trim()); // killed by the signal, it would say nothing
        Assert.Equal((FluxCli.Cancelled, string.Empty), (flux.ExitCode, await output));
        Assert.False(File.Exists(Store), "the store the cancelled scan created is still there");
    }

    private protected override async ValueTask DisposeCoreAsync()
    {
        await _stalled.DisposeAsync();
        await base.DisposeCoreAsync();
    }

    private static ModbusUnit Stalled()
    {
        var unit = new ModbusUnit();
        unit.Faults.Stall = true;
        return unit;
    }
}
