#!/usr/bin/env python3
"""Records the expected behaviour of every case in the given manifests by
running it under a reference runtime (wasmtime from PyPI, see
requirements-reference.txt), so the expected files are produced by another
implementation, never typed by hand.

    python3 examples/reference.py examples/cases.txt benches/programs/cases.txt

Run it from the repository root.  A manifest line is `ID ARGS...`, where
ARGS is exactly what follows `wasmrel run` (paths relative to the repository
root; `{out}` stands for an empty scratch directory).  For each case it
writes, next to the manifest under expected/: ID.stdout, ID.stderr,
ID.status (the exit code) and, if the case wrote files into {out},
ID.files/NAME.  With --fuel it also prints how many Wasm instructions each
case executed (wasmtime's fuel, about one per instruction).
"""
import argparse
import os
import shutil
import sys
import tempfile

import wasmtime

FUEL_BUDGET = 10**13


def parse_manifest(path):
    cases = []
    with open(path) as manifest:
        for number, line in enumerate(manifest, 1):
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if len(words) < 2:
                sys.exit(f"{path}:{number}: a case needs an id and arguments")
            cases.append((words[0], words[1:]))
    return cases


def parse_run_arguments(words):
    """The subset of `wasmrel run` options the manifests use."""
    dirs, env, invoke = [], [], None
    i = 0
    while i < len(words) and words[i].startswith("--"):
        option = words[i]
        if option == "--dir":
            host, _, guest = words[i + 1].partition("::")
            dirs.append((host, guest or host))
        elif option == "--env":
            name, _, value = words[i + 1].partition("=")
            env.append((name, value))
        elif option == "--invoke":
            invoke = words[i + 1]
        else:
            sys.exit(f"reference.py: unsupported option {option}")
        i += 2
    return dirs, env, invoke, words[i], words[i + 1:]


def format_result(value):
    if isinstance(value, int):
        return str(value)
    sys.exit(f"reference.py: cannot format result {value!r} the way wasmrel does")


def run_case(engine, words, scratch):
    dirs, env, invoke, module_path, guest_args = parse_run_arguments(words)
    store = wasmtime.Store(engine)
    store.set_fuel(FUEL_BUDGET)
    stdout_path = os.path.join(scratch, "stdout")
    stderr_path = os.path.join(scratch, "stderr")
    wasi = wasmtime.WasiConfig()
    wasi.argv = [module_path] + ([] if invoke else guest_args)
    wasi.env = env
    wasi.stdout_file = stdout_path
    wasi.stderr_file = stderr_path
    for host, guest in dirs:
        wasi.preopen_dir(host, guest)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, module_path)
    instance = linker.instantiate(store, module)
    exports = instance.exports(store)
    status, results = 0, []
    if invoke:
        function = exports[invoke]
        params = function.type(store).params
        if len(params) != len(guest_args):
            sys.exit(f"reference.py: {invoke} takes {len(params)} arguments")
        value = function(store, *[int(a) for a in guest_args])
        values = value if isinstance(value, list) else [] if value is None else [value]
        results = [format_result(v) for v in values]
    else:
        try:
            exports["_start"](store)
        except wasmtime.ExitTrap as exit_trap:
            status = exit_trap.code
    with open(stdout_path, "ab") as stdout:
        stdout.write("".join(r + "\n" for r in results).encode())
    return status, FUEL_BUDGET - store.get_fuel()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifests", nargs="+")
    parser.add_argument("--fuel", action="store_true", help="print executed instructions")
    options = parser.parse_args()
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    for manifest in options.manifests:
        expected = os.path.join(os.path.dirname(manifest), "expected")
        shutil.rmtree(expected, ignore_errors=True)
        os.makedirs(expected)
        for case_id, words in parse_manifest(manifest):
            with tempfile.TemporaryDirectory() as scratch:
                out_dir = os.path.join(scratch, "out")
                os.mkdir(out_dir)
                words = [w.replace("{out}", out_dir) for w in words]
                status, fuel = run_case(engine, words, scratch)
                for stream in ("stdout", "stderr"):
                    shutil.copyfile(os.path.join(scratch, stream),
                                    os.path.join(expected, f"{case_id}.{stream}"))
                with open(os.path.join(expected, f"{case_id}.status"), "w") as f:
                    f.write(f"{status}\n")
                if os.listdir(out_dir):
                    shutil.copytree(out_dir, os.path.join(expected, f"{case_id}.files"))
            if options.fuel:
                print(f"{case_id:24} exit {status:3}  {fuel:>12,} instructions")


if __name__ == "__main__":
    main()
