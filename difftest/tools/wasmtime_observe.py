#!/usr/bin/env python3
"""Third-engine judge for a divergence: runs a module the way wasmrel-difftest does
(instantiate, call every exported function in sorted name order with zero arguments, then
print exported globals and a digest of memory) in wasmtime (`pip install wasmtime`).

usage: wasmtime_observe.py module.wasm
"""
import hashlib
import sys

import wasmtime


def zero(ty):
    name = str(ty)
    if name in ("i32", "i64"):
        return 0
    if name in ("f32", "f64"):
        return 0.0
    return None


def main(path):
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    module = wasmtime.Module.from_file(engine, path)
    try:
        instance = wasmtime.Instance(store, module, [])
    except wasmtime.Trap as trap:
        print("instantiate: trapped", trap.trap_code, trap.message.splitlines()[0])
        return
    print("instantiate: returned")
    exports = instance.exports(store)
    names = sorted(e.name for e in module.exports)
    for name in names:
        item = exports[name]
        if not isinstance(item, wasmtime.Func):
            continue
        args = [zero(p) for p in item.type(store).params]
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


if __name__ == "__main__":
    main(sys.argv[1])
