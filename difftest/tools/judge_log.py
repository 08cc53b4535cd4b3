#!/usr/bin/env python3
"""Judges every divergence of a long run against wasmtime.

usage: judge_log.py RUN.log SAVE_DIR

RUN.log is the output of `wasmrel-difftest --modules N --seed S --save SAVE_DIR`. For each
"plain vs wasmi" line naming an export (or instantiation), the saved module is run by
`wasmtime_observe.py` with the same seed's arguments, and the way that step ended in
wasmtime (returned, or trapped with which trap) is compared with wasmrel's and wasmi's.
Lines about final globals or memory are listed for judging by hand.
"""
import os
import re
import subprocess
import sys

OBSERVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wasmtime_observe.py")
TRAPS = {
    "TrapCode.UNREACHABLE": "(Unreachable)",
    "TrapCode.INTEGER_DIVISION_BY_ZERO": "(IntegerDivideByZero)",
    "TrapCode.INTEGER_OVERFLOW": "(IntegerOverflow)",
    "TrapCode.MEMORY_OUT_OF_BOUNDS": "(MemoryOutOfBounds)",
    "TrapCode.TABLE_OUT_OF_BOUNDS": "(TableOutOfBounds)",
    "TrapCode.BAD_CONVERSION_TO_INTEGER": "(InvalidConversionToInteger)",
}
STEP = re.compile(
    r"seed (\d+): plain vs wasmi: `(.*)`: (returned|trapped) (.*) vs (returned|trapped) (.*)$"
)


def ending(kind, detail):
    return kind if kind == "returned" else f"trapped {detail}"


def main(log, save):
    counts = {"wasmrel": 0, "wasmi": 0, "neither": 0}
    with open(log, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\n")
            match = STEP.match(line)
            if not match:
                if line.startswith("seed "):
                    print("by hand:", line)
                continue
            seed, name, plain_kind, plain, wasmi_kind, wasmi = match.groups()
            module = os.path.join(save, f"seed-{seed}.wasm")
            out = subprocess.run(
                [sys.executable, OBSERVE, module, seed], capture_output=True, text=True
            ).stdout.splitlines()
            found = [l[len(name) + 2:] for l in out if l.startswith(f"{name}: ")]
            if not found:
                print("not observed:", line)
                counts["neither"] += 1
                continue
            words = found[0].split()
            wasmtime = "returned" if words[0] == "returned" else f"trapped {TRAPS.get(words[1], words[1])}"
            if wasmtime == ending(plain_kind, plain):
                counts["wasmrel"] += 1
            elif wasmtime == ending(wasmi_kind, wasmi):
                counts["wasmi"] += 1
                print("wasmtime agrees with wasmi:", line)
            else:
                counts["neither"] += 1
                print("wasmtime differs from both:", line, "|", found[0])
    print(f"wasmtime agrees with wasmrel: {counts['wasmrel']}, with wasmi: {counts['wasmi']}, "
          f"with neither: {counts['neither']}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
