using System.Net;
using System.Net.Sockets;
using Flux.Devices.Transport;
using Flux.Devices.Modbus.Server;

namespace Flux.Devices.Modbus.Tests.Support;

/// <summary>Starts our own server on 127.0.0.1, port 0.</summary>
internal static class Loopback
{
    public static async Task<ModbusTcpServer> StartServerAsync(ModbusTcpServerOptions? options = null, TimeProvider? time = null)
    {
        var server = new ModbusTcpServer(options, time);
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
        return server;
    }

    /// <summary>A unit whose holding and input registers 0..65535 hold their own address, and whose coils are set on even addresses.</summary>
    public static ModbusUnit AddressEchoUnit()
    {
        var unit = new ModbusUnit();
        var registers = new ushort[65536];
        for (var i = 0; i < registers.Length; i++)
        {
            registers[i] = (ushort)i;
        }

        unit.SetRegisters(ModbusTable.HoldingRegisters, 0, registers);
        unit.SetRegisters(ModbusTable.InputRegisters, 0, registers.Select(r => (ushort)(r ^ 0xFFFF)).ToArray());
        var bits = Enumerable.Range(0, 65536).Select(i => i % 2 == 0).ToArray();
        unit.SetBits(ModbusTable.Coils, 0, bits);
        unit.SetBits(ModbusTable.DiscreteInputs, 0, bits.Select(b => !b).ToArray());
        return unit;
    }

    /// <summary>A port on 127.0.0.1 where nothing listens (bound and closed again at once): connecting is refused.</summary>
    public static ModbusEndpoint ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ModbusEndpoint.From((IPEndPoint)socket.LocalEndPoint!);
    }
}
