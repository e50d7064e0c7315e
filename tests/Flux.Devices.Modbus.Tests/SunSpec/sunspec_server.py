"""A SunSpec device for the tests, written independently of the library: a pymodbus TCP server (Debian's
python3-pymodbus 3.x) whose units lay out SunSpec model chains from the SunSpec Alliance's model JSON files, with
chosen values, and a file of what each point should decode to.

Usage: /usr/bin/python3 sunspec_server.py PORT MODELS_DIR EXPECTED_JSON

Units (holding registers, zero-based addresses):
  1  battery at 40000: models 1, 802, 803 (2 strings), 804 (string 1, 3 modules), 804 (string 2, 2 modules)
  2  three-phase meter at 40000: models 1, 203
  3  inverter at 40000: models 1, 103, 120, 123
  4  battery at 0: models 1, 802
  5  meter at 50000: models 1, 203
  6  at 40000: models 1, 64999 (no such model: 9 registers of noise), 802
  7  at 40000: models 1, 802, then nothing: no end model, and reading on is refused (chain cut short)
  8  inverter curves at 40000: models 1, 705 (3 curves of 4 points: groups inside a repeating group), 707 (2 curve
     sets, each with its MustTrip, MayTrip and MomCess groups of 3 points)

Values: every scale factor is a non-zero power (-3..3) except a few set "not implemented" (0x8000), and about one
point in six reads "not implemented" (the type's sentinel). EXPECTED_JSON holds, per unit, the base, the chain
({id, address, length}), where the walk must stop (or null) and every point's expected value:
{"value": number} (scaled: raw * 10**sf, divided for a negative sf), {"text": "..."} or {"missing": true}, with "unit";
an enumeration with symbols holds one of them ("symbol": its name), a bitfield with symbols one to three of its named
bits ("symbols": their names, lowest bit first).
Point names: MODEL.POINT, MODEL.GROUP[i].POINT for a repeating group (1-based), MODEL.GROUP.POINT for a group that
does not repeat, and so on down for groups inside groups (705.Crv[2].Pt[3].V, 707.Crv[1].MustTrip.Pt[2].V);
MODEL[k].POINT for the k-th (1-based) of a model that occurs more than once in the chain.
"""
import asyncio
import json
import os
import random
import struct
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

NOT_IMPLEMENTED = {
    "int16": 0x8000, "uint16": 0xFFFF, "count": 0xFFFF, "acc16": 0, "enum16": 0xFFFF, "bitfield16": 0xFFFF,
    "sunssf": 0x8000, "int32": 0x80000000, "uint32": 0xFFFFFFFF, "acc32": 0, "enum32": 0xFFFFFFFF,
    "bitfield32": 0xFFFFFFFF, "int64": 0x8000000000000000, "uint64": 0xFFFFFFFFFFFFFFFF, "acc64": 0,
}
SIGNED = {"int16", "sunssf", "int32", "int64"}
# Scale factors the fixture leaves "not implemented": the points they scale must read as missing.
SF_NOT_IMPLEMENTED = {"DoD_SF", "VA_SF", "Tmp_SF"}


def load(models_dir, model_id):
    with open(os.path.join(models_dir, "model_%d.json" % model_id), encoding="utf-8") as f:
        return json.load(f)["group"]


def words_of(value, size):
    return [(value >> (16 * (size - 1 - i))) & 0xFFFF for i in range(size)]


class Layout:
    """Registers of one unit and the expected reading of every point."""

    def __init__(self, base, seed):
        self.base = base
        self.rng = random.Random(seed)
        self.registers = [0x5375, 0x6E53]
        self.chain = []
        self.expected = {}
        self.stopped_at = None

    def address(self):
        return self.base + len(self.registers)

    def add_model(self, models_dir, model_id, prefix, counts):
        """Lays out one model: its points, then its groups; counts gives each repeating group's instance count."""
        group = load(models_dir, model_id)
        start = self.address()
        body = []
        self.group(group, prefix, body, counts, {}, model_id, top=True)
        body[1] = len(body) - 2  # L
        self.expected[prefix + ".L"]["value"] = float(body[1])
        self.chain.append({"id": model_id, "address": start, "length": len(body) - 2})
        self.registers.extend(body)

    def group(self, group, prefix, body, counts, outer, model_id, top=False):
        values = {}   # name -> (raw or None, type) within this instance, for the scale factors
        pending = []  # (name, point, raw) to resolve once every scale factor of the instance is chosen
        for point in group.get("points", []):
            name, kind, size = point["name"], point["type"], point["size"]
            if kind == "pad":
                body.extend([0] * size)
                continue
            raw = self.choose(point, counts, model_id, top, len(body))
            values[name] = raw
            if kind == "string":
                text = raw or ""
                data = text.encode("ascii").ljust(2 * size, b"\0")
                body.extend((data[2 * i] << 8) | data[2 * i + 1] for i in range(size))
            elif kind == "float32":
                body.extend(words_of(struct.unpack(">I", struct.pack(">f", raw if raw is not None else float("nan")))[0], 2))
            else:
                encoded = NOT_IMPLEMENTED[kind] if raw is None else raw & ((1 << (16 * size)) - 1)
                body.extend(words_of(encoded, size))
            pending.append((name, point, raw))
        scope = dict(outer)
        scope.update(values)
        for name, point, raw in pending:
            full = "%s.%s" % (prefix, name)
            entry = {"unit": point.get("units")}
            sf = point.get("sf")
            exponent = scope.get(sf) if isinstance(sf, str) else sf
            if raw is None or (sf is not None and exponent is None):
                entry["missing"] = True
            elif point["type"] == "string":
                entry["text"] = raw
            elif exponent is None or exponent == 0:
                entry["value"] = float(raw)
            elif exponent > 0:
                entry["value"] = float(raw * 10 ** exponent)
            else:
                entry["value"] = raw / 10 ** (-exponent)
            if raw is not None and point.get("symbols") and point["type"].startswith("enum"):
                entry["symbol"] = next(s["name"] for s in point["symbols"] if s["value"] == raw)
            elif raw is not None and point.get("symbols") and point["type"].startswith("bitfield"):
                entry["symbols"] = [s["name"] for s in sorted(point["symbols"], key=lambda s: s["value"]) if raw >> s["value"] & 1]
            self.expected[full] = entry
        for child in group.get("groups", []):
            n = counts.get(child["name"], 1) if "count" in child else 1
            for i in range(1, n + 1):
                child_prefix = "%s.%s[%d]" % (prefix, child["name"], i) if "count" in child else "%s.%s" % (prefix, child["name"])
                self.group(child, child_prefix, body, counts, scope, model_id)

    def choose(self, point, counts, model_id, top, offset):
        name, kind, size = point["name"], point["type"], point["size"]
        rng = self.rng
        if top and name == "ID":
            return model_id
        if top and name == "L":
            return 0  # set once the body is laid out
        if name in counts.get("points", {}):
            return counts["points"][name]
        if kind == "sunssf":
            return None if name in SF_NOT_IMPLEMENTED else rng.choice([-3, -2, -1, 1, 2, 3])
        if rng.random() < 1 / 6:
            return None  # not implemented
        if kind == "string":
            length = rng.randint(1, 2 * size)
            return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-") for _ in range(length))
        if kind == "float32":
            return struct.unpack(">f", struct.pack(">f", rng.uniform(-1000, 1000)))[0]
        symbols = point.get("symbols")
        if symbols and kind.startswith("enum"):
            return rng.choice(symbols)["value"]  # a value the definition names
        if symbols and kind.startswith("bitfield"):
            bits = [symbol["value"] for symbol in rng.sample(symbols, rng.randint(1, min(3, len(symbols))))]
            return sum(1 << bit for bit in bits)  # one to three of the bits the definition names
        bits = 16 * size
        if kind in SIGNED:
            value = rng.randint(-(1 << (bits - 1)) + 1, (1 << (bits - 1)) - 1)
        else:
            value = rng.randint(1, (1 << bits) - 2)
        return value

    def end(self):
        self.registers.extend([0xFFFF, 0])

    def cut(self):
        self.stopped_at = self.address()

    def context(self):
        return ModbusSlaveContext(hr=ModbusSequentialDataBlock(self.base, self.registers), zero_mode=True)

    def describe(self):
        return {"base": self.base, "chain": self.chain, "stopped_at": self.stopped_at, "points": self.expected}


def build(models_dir):
    units = {}

    battery = Layout(40000, 1)
    battery.add_model(models_dir, 1, "1", {})
    battery.add_model(models_dir, 802, "802", {})
    battery.add_model(models_dir, 803, "803", {"string": 2, "points": {"NStr": 2}})
    battery.add_model(models_dir, 804, "804[1]", {"lithium_ion_string_module": 3, "points": {"Idx": 1, "NMod": 3}})
    battery.add_model(models_dir, 804, "804[2]", {"lithium_ion_string_module": 2, "points": {"Idx": 2, "NMod": 2}})
    battery.end()
    units[1] = battery

    meter = Layout(40000, 2)
    meter.add_model(models_dir, 1, "1", {})
    meter.add_model(models_dir, 203, "203", {})
    meter.end()
    units[2] = meter

    inverter = Layout(40000, 3)
    for model_id in (1, 103, 120, 123):
        inverter.add_model(models_dir, model_id, str(model_id), {})
    inverter.end()
    units[3] = inverter

    at_zero = Layout(0, 4)
    at_zero.add_model(models_dir, 1, "1", {})
    at_zero.add_model(models_dir, 802, "802", {})
    at_zero.end()
    units[4] = at_zero

    at_50000 = Layout(50000, 5)
    at_50000.add_model(models_dir, 1, "1", {})
    at_50000.add_model(models_dir, 203, "203", {})
    at_50000.end()
    units[5] = at_50000

    unknown = Layout(40000, 6)
    unknown.add_model(models_dir, 1, "1", {})
    noise = [0xFFFF, 0, 0x5375, 0x6E53, 1, 66, 0x8000, 7, 0xFFFF]  # looks like markers and models; must be skipped
    unknown.chain.append({"id": 64999, "address": unknown.address(), "length": len(noise)})
    unknown.registers.extend([64999, len(noise)] + noise)
    unknown.add_model(models_dir, 802, "802", {})
    unknown.end()
    units[6] = unknown

    cut = Layout(40000, 7)
    cut.add_model(models_dir, 1, "1", {})
    cut.add_model(models_dir, 802, "802", {})
    cut.cut()
    units[7] = cut

    curves = Layout(40000, 8)
    curves.add_model(models_dir, 1, "1", {})
    curves.add_model(models_dir, 705, "705", {"Crv": 3, "Pt": 4, "points": {"NCrv": 3, "NPt": 4}})
    curves.add_model(models_dir, 707, "707", {"Crv": 2, "Pt": 3, "points": {"NCrvSet": 2, "NPt": 3}})
    curves.end()
    units[8] = curves
    return units


async def main(port, models_dir, expected_path):
    units = build(models_dir)
    with open(expected_path, "w", encoding="utf-8") as f:
        json.dump({str(k): v.describe() for k, v in units.items()}, f, indent=1)
    context = ModbusServerContext(slaves={k: v.context() for k, v in units.items()}, single=False)
    await StartAsyncTcpServer(context=context, address=("127.0.0.1", port))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
