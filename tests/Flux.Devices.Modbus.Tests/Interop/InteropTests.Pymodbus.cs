using System.Diagnostics;
using System.Globalization;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests.Interop;

/// <summary>A pymodbus server script of this folder, run with /usr/bin/python3 on a free port of 127.0.0.1.</summary>
public sealed partial class InteropTests
{
    private sealed class PymodbusServer : IAsyncDisposable
    {
        private readonly Process _process;

        private PymodbusServer(Process process, ModbusEndpoint endpoint)
        {
            _process = process;
            Endpoint = endpoint;
        }

        public ModbusEndpoint Endpoint { get; }

        /// <summary>Starts <paramref name="script"/> with the port and then <paramref name="arguments"/>, and waits until it listens.</summary>
        public static Task<PymodbusServer> StartAsync(string script, params string[] arguments) =>
            StartAtAsync(new ModbusEndpoint("127.0.0.1", FreePort()), script, arguments);

        /// <summary>
        /// Starts <paramref name="script"/> listening at <paramref name="at"/> (a script that takes its host as the argument after
        /// <paramref name="arguments"/>), and waits until it listens.
        /// </summary>
        public static async Task<PymodbusServer> StartAtAsync(ModbusEndpoint at, string script, params string[] arguments)
        {
            RequireTool(Python, "/usr/bin/python3");
            RequirePymodbus();
            var port = at.Port;
            var path = Path.Combine(AppContext.BaseDirectory, "Interop", script);
            var log = new System.Text.StringBuilder();
            var process = new Process
            {
                StartInfo = new ProcessStartInfo(Python, [path, port.ToString(CultureInfo.InvariantCulture), .. arguments, .. at.Host == "127.0.0.1" ? Array.Empty<string>() : [at.Host]]) { RedirectStandardError = true },
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (log)
                {
                    log.AppendLine(e.Data);
                }
            };
            process.Start();
            process.BeginErrorReadLine();
            var server = new PymodbusServer(process, new ModbusEndpoint(at.Host, port));
            try
            {
                await WaitForListenerAsync(server.Endpoint, process, log);
                return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            _process.Dispose();
        }
    }
}
