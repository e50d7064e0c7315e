"""A pymodbus TCP server speaking RTU framing (ModbusRtuFramer) on 127.0.0.1, for the RTU-over-TCP interoperability test.

Usage: /usr/bin/python3 pymodbus_rtu_server.py PORT
Written for Debian's python3-pymodbus 3.0 (StartAsyncTcpServer with framer=ModbusRtuFramer).
Zero-based addressing. Holding register i holds 2000 + i, input register i holds 6000 + i,
coil i is set when i is a multiple of 3, discrete input i is set when i is odd (i < 200).
Device identification: vendor "Flux Interop", product code "RTU-1", revision "3.0".
"""
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.server import StartAsyncTcpServer
from pymodbus.transaction import ModbusRtuFramer


async def main(port):
    store = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, [2000 + i for i in range(200)]),
        ir=ModbusSequentialDataBlock(0, [6000 + i for i in range(200)]),
        co=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(200)]),
        di=ModbusSequentialDataBlock(0, [i % 2 == 1 for i in range(200)]),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves=store, single=True)
    identity = ModbusDeviceIdentification(
        info_name={"VendorName": "Flux Interop", "ProductCode": "RTU-1", "MajorMinorRevision": "3.0"}
    )
    await StartAsyncTcpServer(
        context=context, identity=identity, address=("127.0.0.1", port), framer=ModbusRtuFramer
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
