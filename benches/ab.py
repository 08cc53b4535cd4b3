#!/usr/bin/env python3
"""Compares builds of `measure` (benches/src/bin/measure.rs) side by side, in absolute time.

    benches/ab.py ROUNDS MEASURE... [--fuel]

Runs `MEASURE time 15` (with `fuel`: metering on) for each binary in turn, ROUNDS times, so
that every build sees the same machine load, and prints per engine the geometric mean over the
programs of its median time relative to the first binary's (with the per-program factors for
wasmrel plain and wasmi eager).

Why absolute times: a build's ratio to wasmi (benches/compare.sh) moves with wasmi's own
speed, and wasmi is linked into the same binary, so its code moves whenever wasmrel's does and
its times change from one build to the next too (ARCHITECTURE.md, "One compare per fetch").
wasmi's line here shows how much: the same wasmi code, only placed differently.
"""
import math
import statistics
import subprocess
import sys

ENGINES = ["wasmrel", "wasmrel-encoded", "wasmrel-dual", "wasmi-eager"]
DETAILED = {"wasmrel", "wasmi-eager"}


def usage():
    sys.exit("usage: benches/ab.py ROUNDS MEASURE... [--fuel]")


def main():
    args = sys.argv[1:]
    fuel = "--fuel" in args
    args = [a for a in args if a != "--fuel"]
    if len(args) < 2 or not args[0].isdigit() or int(args[0]) == 0:
        usage()
    rounds, builds = int(args[0]), args[1:]
    command = ["time", "15"] + (["fuel"] if fuel else [])
    times = {build: {} for build in builds}
    for _ in range(rounds):
        for build in builds:
            out = subprocess.run([build] + command, capture_output=True, text=True, check=True)
            for line in out.stdout.splitlines():
                program, engine, nanos, *_ = line.split("\t")
                times[build].setdefault((program, engine), []).append(int(nanos))
    base = times[builds[0]]
    for build in builds:
        cells = []
        for engine in ENGINES:
            factors = {
                program: statistics.median(samples) / statistics.median(base[(program, engine)])
                for (program, name), samples in sorted(times[build].items())
                if name == engine
            }
            mean = math.exp(sum(map(math.log, factors.values())) / len(factors))
            cell = f"{engine} {mean:.3f}"
            if engine in DETAILED:
                cell += " (" + " ".join(f"{p} {f:.2f}" for p, f in factors.items()) + ")"
            cells.append(cell)
        print(f"{build}: " + "; ".join(cells))


if __name__ == "__main__":
    main()
