using System.CommandLine;
using System.Globalization;
using Flux.Devices.RegisterMaps;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux registers read</c>: an mbpoll-style one-off read, with 0-based PDU addresses. The device is <c>--host</c> and
/// <c>--port</c>, or an endpoint's text in <c>--host</c> (<c>rtu+tcp://host:port</c>, <c>mbaps://host[:802]</c>); the
/// transport options (<c>--framing</c>, <c>--tls</c> and its files) say the rest.
/// </summary>
internal static class RegisterCommands
{
    public static Command Build(Cli cli)
    {
        var host = new Option<string>("--host") { Description = "The device's address, or an endpoint: tcp://H:P, rtu+tcp://H:P (RTU over TCP), mbaps://H[:P] (Modbus/TCP Security, port 802 by default).", Required = true };
        host.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.Tokens[0].Value))
            {
                r.AddError($"--host '{r.Tokens[0].Value}': give the device's address (a name or an IP address).");
            }
        });
        var portOption = CliOptions.Whole("--port", "The TCP port (802 with --tls).", 1, 65_535, defaultValue: Transport.ModbusEndpoint.DefaultPort);
        var unit = CliOptions.Whole<byte>("--unit", "The unit id.", 0, 255, defaultValue: 1);
        var address = CliOptions.Whole<ushort>("--address", "The first register, a 0-based PDU address (holding register 40001 is 0; mbpoll -r 1 is 0).", 0, 65_535);
        address.Required = true;
        var count = CliOptions.Whole("--count", "How many values; for --type string, how many registers the one string takes (two characters each).", 1, 125, defaultValue: 1);
        var type = CliOptions.Enum("--type", "How to read each value.", RegisterDataType.UInt16, t => t.ToString().ToLowerInvariant());
        var order = CliOptions.Enum("--order", "The byte order of multi-register values.", ByteOrder.ABCD, o => o.ToString().ToLowerInvariant());
        var input = new Option<bool>("--input") { Description = "Read input registers (function 4) instead of holding registers (function 3)." };
        var read = new Command("read", "Read registers from a device.") { host, portOption, unit, address, count, type, order, input };
        var transportOptions = TransportOptions.AddTo(read);
        read.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var dataType = type.ValueIn(result);
            var byteOrder = order.ValueIn(result);

            // A string is one value over --count registers; other types are --count values of their own width.
            var (values, width) = dataType == RegisterDataType.String ? (1, result.GetValue(count)) : (result.GetValue(count), RegisterCodec.RegisterCount(dataType));
            if (values > 125 / width)
            {
                throw new UsageException($"--count {values}: must be from 1 to {125 / width} for {dataType.ToString().ToLowerInvariant()} (125 registers in one read).");
            }

            var start = result.GetValue(address);
            if (start + (values * width) > 65_536)
            {
                throw new UsageException($"--address {start} with --count {result.GetValue(count)}: the registers run past 65535.");
            }

            var endpoint = Endpoint(result, result.GetValue(host)!, portOption, transportOptions, out var tls);

            // The library's Modbus TCP client, one attempt per request, from a container of its own that disposes it.
            var services = new ServiceCollection();
            services.AddFluxDevices().UseModbusTcp(o =>
            {
                o.RetryCount = 0;
                o.Tls = tls;
            });
            await using var modbus = services.BuildServiceProvider();
            var transport = modbus.GetRequiredService<Transport.IModbusTransport>();
            var words = new ushort[values * width];
            if (result.GetValue(input))
            {
                await transport.ReadInputRegistersAsync(endpoint, result.GetValue(unit), start, words, token);
            }
            else
            {
                await transport.ReadHoldingRegistersAsync(endpoint, result.GetValue(unit), start, words, token);
            }

            var grid = new Grid("ADDRESS", "VALUE", "RAW");
            var readings = new List<object>();
            for (var i = 0; i < values; i++)
            {
                var point = new RegisterDefinition { Name = "value", Address = (ushort)(start + (i * width)), DataType = dataType, Count = width, Order = byteOrder };
                var raw = words.AsSpan(i * width, width);
                object? value = dataType switch
                {
                    // Exact: a double (what a reading holds) keeps only 53 bits.
                    RegisterDataType.UInt64 => RegisterCodec.ReadUInt64(raw, point.Order),
                    RegisterDataType.Int64 => RegisterCodec.ReadInt64(raw, point.Order),
                    _ => ValueOf(RegisterDecoder.Decode(point, raw)),
                };
                var hex = string.Join(' ', raw.ToArray().Select(w => w.ToString("X4", CultureInfo.InvariantCulture)));
                grid.Add(CliOutput.Number(point.Address), Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, hex);
                readings.Add(new { address = point.Address, value, raw = raw.ToArray() });
            }

            await (output.IsJson ? output.WriteJsonAsync(readings) : output.WriteAsync(grid));
            return FluxCli.Ok;
        }, token));
        return new Command("registers", "Talk to a device directly.") { read };

        static object? ValueOf(RegisterReading reading) => (object?)reading.Text ?? reading.Value;
    }

    /// <summary>
    /// The endpoint <c>--host</c> names: a host (with <c>--port</c>), or an endpoint's text with a scheme, whose port is
    /// its own (a <c>--port</c> beside it is refused rather than one of the two quietly ignored).
    /// </summary>
    /// <exception cref="UsageException">The text is not an endpoint, names its port twice, or asks for TLS with RTU framing.</exception>
    private static Transport.ModbusEndpoint Endpoint(ParseResult result, string host, Option<int> portOption, TransportOptions options, out Modbus.ModbusTlsOptions? tls)
    {
        var portGiven = result.GetResult(portOption) is { Implicit: false };
        if (!host.Contains("://", StringComparison.Ordinal))
        {
            var (framing, useTls, settings) = options.Read(result);
            tls = settings;
            var port = portGiven || !useTls ? result.GetValue(portOption) : Transport.ModbusEndpoint.DefaultSecurePort;
            return new Transport.ModbusEndpoint(host.Trim(), port) { Framing = framing, UseTls = useTls };
        }

        Transport.ModbusEndpoint endpoint;
        try
        {
            endpoint = Transport.ModbusEndpoint.Parse(host);
        }
        catch (FormatException ex)
        {
            // The library's text starts "Modbus endpoint 'TEXT': "; the option is what the user typed.
            var reason = ex.Message[(ex.Message.IndexOf("': ", StringComparison.Ordinal) + 3)..];
            throw new UsageException($"--host {host}: {reason}", ex);
        }

        if (portGiven)
        {
            throw new UsageException($"--port {result.GetValue(portOption)} with --host {host}: give the port in one place (in --host, as host:port).");
        }

        var (readFraming, readTls, readSettings) = options.Read(result, endpoint.Framing, endpoint.UseTls);
        tls = readSettings;
        var securePort = readTls && !endpoint.UseTls && !HasPort(host) ? Transport.ModbusEndpoint.DefaultSecurePort : endpoint.Port;
        return new Transport.ModbusEndpoint(endpoint.Host, securePort) { Framing = readFraming, UseTls = readTls };

        static bool HasPort(string text)
        {
            var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
            return rest.StartsWith('[') ? rest.Contains("]:", StringComparison.Ordinal) : rest.Contains(':', StringComparison.Ordinal);
        }
    }
}
