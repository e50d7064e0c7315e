using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Modbus.Diagnostics;

/// <summary>Log messages of the Modbus client and server (event ids 6000-6999), category <c>Flux.Devices.Modbus</c>.</summary>
internal static partial class ModbusLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Debug, Message = "Connected to {Endpoint}")]
    public static partial void Connected(ILogger logger, ModbusEndpoint endpoint);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Connection attempt {Attempt} to {Endpoint} failed: {Error}; next attempt in {Backoff}")]
    public static partial void ConnectFailed(ILogger logger, ModbusEndpoint endpoint, int attempt, string error, TimeSpan backoff);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Debug, Message = "Connection to {Endpoint} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, ModbusEndpoint endpoint, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Debug, Message = "Discarded a late reply from {Endpoint} (transaction {TransactionId}, whose request had already ended)")]
    public static partial void LateReplyDiscarded(ILogger logger, ModbusEndpoint endpoint, ushort transactionId);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Invalid reply from {Endpoint}: {Error}; closing the connection")]
    public static partial void ProtocolError(ILogger logger, ModbusEndpoint endpoint, string error);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "Retrying function {FunctionCode} on {Endpoint} unit {UnitId} in {Delay} (attempt {Attempt}): {Reason}")]
    public static partial void Retrying(ILogger logger, byte functionCode, ModbusEndpoint endpoint, byte unitId, TimeSpan delay, int attempt, string reason);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Trace, Message = "{Direction} {Endpoint}: {Frame}")]
    public static partial void Frame(ILogger logger, string direction, ModbusEndpoint endpoint, string frame);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Warning, Message = "Invalid reply from {Endpoint}: {Error}; only its own request fails (the frame was whole, so the connection is kept)")]
    public static partial void InvalidReply(ILogger logger, ModbusEndpoint endpoint, string error);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "Cannot reach {Endpoint}: {Error}; reconnecting in the background (attempts are logged at Debug)")]
    public static partial void OutageStarted(ILogger logger, ModbusEndpoint endpoint, string error);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Information, Message = "Reconnected to {Endpoint} after an outage of {Duration} ({Attempts} failed attempts)")]
    public static partial void OutageEnded(ILogger logger, ModbusEndpoint endpoint, TimeSpan duration, int attempts);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Modbus TCP server listening on {EndPoint}")]
    public static partial void ServerListening(ILogger logger, System.Net.EndPoint? endPoint);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Debug, Message = "Modbus TCP server connection from {Remote} ended: {Reason}")]
    public static partial void ServerConnectionEnded(ILogger logger, System.Net.EndPoint? remote, string reason);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Warning, Message = "Invalid RTU frame from {Endpoint}: {Error}; the stream will be re-synchronised")]
    public static partial void RtuFrameError(ILogger logger, ModbusEndpoint endpoint, string error);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Debug, Message = "Discarded {Count} bytes from {Endpoint} to re-synchronise the RTU stream")]
    public static partial void RtuBytesDiscarded(ILogger logger, ModbusEndpoint endpoint, int count);

    [LoggerMessage(EventId = 6022, Level = LogLevel.Warning, Message = "Rejected a reply from {Endpoint}: {Error}")]
    public static partial void ReplyRejected(ILogger logger, ModbusEndpoint endpoint, string error);

    [LoggerMessage(EventId = 6023, Level = LogLevel.Debug, Message = "Modbus RTU server ignored a frame from {Remote}: {Error}")]
    public static partial void ServerRtuFrameIgnored(ILogger logger, System.Net.EndPoint? remote, string error);
}
