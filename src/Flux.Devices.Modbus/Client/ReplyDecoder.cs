using Flux.Devices.Modbus.Protocol;

namespace Flux.Devices.Modbus.Client;

/// <summary>Fills a request's target from its reply PDU, once <see cref="ModbusReply.Check"/> found the PDU valid (any framing).</summary>
internal static class ReplyDecoder
{
    public static ReplyInfo Fill(in ModbusRequest request, ReplyTarget target, ReadOnlySpan<byte> pdu)
    {
        switch (request.FunctionCode)
        {
            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs:
                ModbusRequest.UnpackBits(pdu[2..], target.Bits.Span);
                return default;
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters or ModbusFunction.ReadWriteMultipleRegisters:
                ModbusRequest.ReadRegisters(pdu[2..], target.Registers.Span);
                return default;
            case ModbusFunction.EncapsulatedInterface:
                var (more, next, conformity) = ModbusReply.ReadDeviceIdentification(pdu, target.Objects!);
                return new ReplyInfo(more, next, conformity);
            default:
                return default;
        }
    }
}
