"""A pymodbus Modbus/TCP Security (TLS) server on 127.0.0.1 for the interoperability tests (Debian's python3-pymodbus 3.x).

Usage: /usr/bin/python3 pymodbus_tls_server.py PORT SERVER_CERT SERVER_KEY CA_CERT [HOST]
(HOST defaults to 127.0.0.1.)
TLS 1.2 or later; a client certificate that chains to CA_CERT is required. MBAP frames inside TLS, as the
MB-TCP-Security specification has it (pymodbus 3.0's default TLS framer sends bare PDUs, so the socket framer is
chosen explicitly). Zero-based addressing. Holding register i holds 1000 + i, input register i holds 5000 + i.
"""
import asyncio
import ssl
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTlsServer
from pymodbus.transaction import ModbusSocketFramer


async def main(port, certfile, keyfile, cafile, host):
    store = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, [1000 + i for i in range(200)]),
        ir=ModbusSequentialDataBlock(0, [5000 + i for i in range(200)]),
        co=ModbusSequentialDataBlock(0, [False] * 200),
        di=ModbusSequentialDataBlock(0, [False] * 200),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves=store, single=True)
    sslctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sslctx.minimum_version = ssl.TLSVersion.TLSv1_2
    sslctx.load_cert_chain(certfile=certfile, keyfile=keyfile)
    sslctx.load_verify_locations(cafile=cafile)
    sslctx.verify_mode = ssl.CERT_REQUIRED
    await StartAsyncTlsServer(
        context=context,
        address=(host, port),
        sslctx=sslctx,
        framer=ModbusSocketFramer,
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else "127.0.0.1"))
