using System.Buffers.Binary;
using System.Net.Sockets;

namespace Flux.Devices.Modbus.Tests.Support;

/// <summary>One request as the script sees it, and the ways to answer it.</summary>
internal sealed class ScriptedExchange(Socket socket, SemaphoreSlim sendLock, byte[] request, int connectionNumber, int requestNumber, CancellationToken stop)
{
    public byte[] Request => request;

    public int ConnectionNumber => connectionNumber;

    /// <summary>Gets the number of this request over the whole server, from 1.</summary>
    public int RequestNumber => requestNumber;

    public ushort TransactionId => BinaryPrimitives.ReadUInt16BigEndian(request);

    public byte UnitId => request[6];

    public byte FunctionCode => request[7];

    public ushort Address => BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(8));

    public ushort Quantity => BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(10));

    public bool Closed { get; private set; }

    /// <summary>Builds a frame: MBAP header (protocol id 0, length from the PDU) and PDU.</summary>
    public static byte[] Frame(ushort transactionId, byte unitId, params byte[] pdu)
    {
        var frame = new byte[7 + pdu.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), (ushort)(pdu.Length + 1));
        frame[6] = unitId;
        pdu.CopyTo(frame, 7);
        return frame;
    }

    /// <summary>The correct reply to a register read, each register holding <paramref name="valueOf"/> of its address.</summary>
    public byte[] RegisterReply(Func<int, ushort>? valueOf = null, ushort? transactionId = null)
    {
        valueOf ??= a => (ushort)a;
        var pdu = new byte[2 + (2 * Quantity)];
        pdu[0] = FunctionCode;
        pdu[1] = (byte)(2 * Quantity);
        for (var i = 0; i < Quantity; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(2 + (2 * i)), valueOf(Address + i));
        }

        return Frame(transactionId ?? TransactionId, UnitId, pdu);
    }

    /// <summary>The correct reply to a write: the echo of the request's first 5 PDU bytes.</summary>
    public byte[] EchoReply() => Frame(TransactionId, UnitId, request.AsSpan(7, 5).ToArray());

    public async Task SendAsync(byte[] bytes)
    {
        await sendLock.WaitAsync(stop);
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, stop);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends later, without holding up the next request.</summary>
    public void SendLater(byte[] bytes, TimeSpan delay) => _ = Task.Run(async () =>
    {
        try
        {
            await Task.Delay(delay, stop);
            await SendAsync(bytes);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    });

    /// <summary>Sends byte by byte, with a pause between bytes.</summary>
    public async Task DripAsync(byte[] bytes, TimeSpan gap)
    {
        foreach (var b in bytes)
        {
            await SendAsync([b]);
            await Task.Delay(gap, stop);
        }
    }

    /// <summary>Closes the connection with a FIN.</summary>
    public void Close()
    {
        Closed = true;
        socket.Shutdown(SocketShutdown.Both);
        socket.Close();
    }

    /// <summary>Resets the connection (RST: linger 0).</summary>
    public void Reset()
    {
        Closed = true;
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }
}
