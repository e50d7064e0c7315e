using System.Net;
using System.Net.Sockets;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Client;

/// <summary>Opens a TCP connection to an endpoint within a connect timeout, trying each address its host name resolves to.</summary>
internal static class TcpConnector
{
    /// <summary>Connects; a passed <paramref name="connectTimeout"/> surfaces as <see cref="OperationCanceledException"/> with <paramref name="token"/> not cancelled.</summary>
    /// <exception cref="SocketException">No address accepted the connection.</exception>
    public static async Task<Socket> ConnectAsync(ModbusEndpoint endpoint, TimeSpan connectTimeout, TimeProvider time, CancellationToken token)
    {
        using var timeout = new CancellationTokenSource(connectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, linked.Token).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), linked.Token).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
