using System.CommandLine;
using System.Globalization;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Cli;

/// <summary><c>flux registers read</c>: an mbpoll-style one-off read, with 0-based PDU addresses.</summary>
internal static class RegisterCommands
{
    public static Command Build(Cli cli)
    {
        var host = new Option<string>("--host") { Description = "The device's address.", Required = true };
        var portOption = new Option<int>("--port") { Description = "The TCP port.", DefaultValueFactory = _ => Transport.ModbusEndpoint.DefaultPort };
        var unit = new Option<byte>("--unit") { Description = "The unit id.", DefaultValueFactory = _ => 1 };
        var address = new Option<ushort>("--address") { Description = "The first register, a 0-based PDU address (holding register 40001 is 0; mbpoll -r 1 is 0).", Required = true };
        var count = new Option<int>("--count") { Description = "How many values.", DefaultValueFactory = _ => 1 };
        var type = CliOptions.Enum("--type", "How to read each value.", RegisterDataType.UInt16);
        var order = CliOptions.Enum("--order", "The byte order of multi-register values.", ByteOrder.ABCD);
        var input = new Option<bool>("--input") { Description = "Read input registers (function 4) instead of holding registers (function 3)." };
        var read = new Command("read", "Read registers from a device.") { host, portOption, unit, address, count, type, order, input };
        read.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var dataType = result.GetValue(type);
            var width = RegisterCodec.RegisterCount(dataType);
            var values = result.GetValue(count);
            if (values < 1 || values > 125 / width)
            {
                throw new UsageException($"--count must be from 1 to {125 / width} for {dataType}.");
            }

            var start = result.GetValue(address);
            if (start + (values * width) > 65_536)
            {
                throw new UsageException($"--address {start} with --count {values}: the registers run past 65535.");
            }

            var port = result.GetValue(portOption);
            if (port is < 1 or > 65_535)
            {
                throw new UsageException($"--port {port}: must be from 1 to 65535.");
            }

            await using var transport = new Modbus.ModbusTcpTransport(new Modbus.ModbusTcpOptions { RetryCount = 0 });
            var endpoint = new Transport.ModbusEndpoint(result.GetValue(host)!, port);
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
                var point = new RegisterDefinition { Name = "value", Address = (ushort)(start + (i * width)), DataType = dataType, Order = result.GetValue(order) };
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
}
