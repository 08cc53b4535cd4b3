#!/usr/bin/env python3
"""Third-engine judge for a divergence: runs a module the way wasmrel-difftest does
(instantiate, call every exported function in sorted name order, then print exported globals
and a digest of memory) in wasmtime (`pip install wasmtime`).

usage: wasmtime_observe.py module.wasm [seed]
       wasmtime_observe.py --serve

With --serve, reads lines "MODULE SEED" (SEED "-" for zero arguments) from standard input and
answers each with the observation followed by a line "end" (a module wasmtime rejects:
"rejected" then "end"), so that a minimiser pays Python's start-up once.

With a seed, export calls get the arguments wasmrel-difftest draws from that seed
(`Arguments::bits` in difftest/src/generate/mod.rs); without one, zero arguments. Float
arguments pass through Python floats, so a NaN argument may lose its payload here.
"""
import hashlib
import struct
import sys

import wasmtime

MASK = (1 << 64) - 1
# Far above the fuel wasmrel-difftest's engines get per call (10^7) times a module's calls.
FUEL = 10**9
SPECIAL = [
    0, 1, MASK, 0x7FFF_FFFF, 0x8000_0000, (1 << 63) - 1, 1 << 63,
    0x3F80_0000, 0x7F80_0000, 0x7FC0_0001, 0x4000_0000_0000_0000, 0xFFF0_0000_0000_0001,
]


def splitmix(z):
    z = ((z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB) & MASK
    return z ^ (z >> 31)


def bits(seed, call, param):
    if seed is None:
        return 0
    word = splitmix(seed ^ splitmix(((call << 32) | param) & MASK))
    if word % 4 == 0:
        return SPECIAL[(word >> 8) % len(SPECIAL)]
    if word % 4 == 1:
        return (word >> 8) % 256
    return splitmix(word)


def signed(value, width):
    value &= (1 << width) - 1
    return value - (1 << width) if value >> (width - 1) else value


def argument(ty, value):
    name = str(ty)
    if name == "i32":
        return signed(value, 32)
    if name == "i64":
        return signed(value, 64)
    if name == "f32":
        return struct.unpack("<f", struct.pack("<I", value & 0xFFFF_FFFF))[0]
    if name == "f64":
        return struct.unpack("<d", struct.pack("<Q", value))[0]
    return None


def main(path, seed):
    config = wasmtime.Config()
    # Fuel, so that a module without its fuel global (a minimiser's candidate) still ends.
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    store.set_fuel(FUEL)
    module = wasmtime.Module.from_file(engine, path)
    try:
        instance = wasmtime.Instance(store, module, [])
    except wasmtime.Trap as trap:
        print("instantiate: trapped", trap.trap_code, trap.message.splitlines()[0])
        return
    print("instantiate: returned")
    exports = instance.exports(store)
    names = sorted(e.name for e in module.exports)
    call = 0
    for name in names:
        item = exports[name]
        if not isinstance(item, wasmtime.Func):
            continue
        params = item.type(store).params
        args = [argument(p, bits(seed, call, i)) for i, p in enumerate(params)]
        call += 1
        try:
            print(f"{name}: returned", item(store, *args))
        except wasmtime.Trap as trap:
            print(f"{name}: trapped", trap.trap_code, trap.message.splitlines()[0])
    for name in names:
        item = exports[name]
        if isinstance(item, wasmtime.Global):
            print(f"global {name} =", item.value(store))
        elif isinstance(item, wasmtime.Memory):
            data = bytes(item.read(store, 0, item.data_len(store)))
            print(f"memory {name}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")


def serve():
    for line in sys.stdin:
        path, seed = line.split()
        try:
            main(path, None if seed == "-" else int(seed))
        except (wasmtime.WasmtimeError, ValueError) as error:
            print("rejected", str(error).splitlines()[0] if str(error) else "")
        print("end", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve()
    else:
        main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
