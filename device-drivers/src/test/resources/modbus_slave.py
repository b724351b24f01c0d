"""A Modbus RTU slave that is not ours: pymodbus (3.15) on a serial port, for ModbusPymodbusTest.

Usage: python3 modbus_slave.py PORT BAUD. Slave id 1. Holding registers from protocol address 0, in the
order the test reads them; anything from address 16 on is an illegal data address (exception 2). Input
register 0 holds 2307 (230.7 V at scale 0.1).
"""
import struct
import sys

from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
from pymodbus.server import StartSerialServer


def words(fmt, value, little_word_order=False):
    raw = struct.pack(">" + fmt, value)
    w = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
    return list(reversed(w)) if little_word_order else w


holding = (
    words("h", -1234)                      # 0: int16
    + words("H", 54321)                    # 1: uint16
    + words("i", -123456)                  # 2-3: int32, high word first
    + words("I", 3000000000)               # 4-5: uint32
    + words("f", 230.7)                    # 6-7: float32
    + words("f", 230.7, True)              # 8-9: float32, low word first
    + [0x7FC0, 0x0000]                     # 10-11: float32 NaN, the usual "no value"
    + words("i", -123456, True)            # 12-13: int32, low word first
    + words("f", float("inf"))             # 14-15: float32 +Infinity
)
# pymodbus addresses its blocks from 1: protocol address 0 is index 1
device = ModbusDeviceContext(hr=ModbusSequentialDataBlock(1, holding), ir=ModbusSequentialDataBlock(1, [2307]))
context = ModbusServerContext(devices={1: device}, single=False)
print("modbus slave on", sys.argv[1], flush=True)
StartSerialServer(context=context, port=sys.argv[1], baudrate=int(sys.argv[2]), timeout=0.005)
