"""A pymodbus TCP server on 127.0.0.1 for the interoperability tests (Debian's python3-pymodbus 3.x).

Usage: /usr/bin/python3 pymodbus_server.py PORT
Zero-based addressing. Holding register i holds 1000 + i, input register i holds 5000 + i,
coil i is set when i is even, discrete input i is set when i is odd (i < 200).
"""
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


async def main(port):
    store = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, [1000 + i for i in range(200)]),
        ir=ModbusSequentialDataBlock(0, [5000 + i for i in range(200)]),
        co=ModbusSequentialDataBlock(0, [i % 2 == 0 for i in range(200)]),
        di=ModbusSequentialDataBlock(0, [i % 2 == 1 for i in range(200)]),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves=store, single=True)
    await StartAsyncTcpServer(context=context, address=("127.0.0.1", port))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
