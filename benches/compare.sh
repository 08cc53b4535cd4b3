#!/bin/sh
# Times every benchmark program's `run` export in wasmrel (plain, encoded and dual), wasmi (eager
# and lazy translation, and eager with its loop dispatch) and wasm3, prints one table (median
# time, ratio to wasmi eager), a second one with fuel metering on, the translation times and the
# peak heap use, and writes them with a description of the machine to benches/RESULTS.md.
#
#   benches/compare.sh [RUNS]      (default 15 timed calls per program and runtime)
#
# wasmrel and wasmi run in one process (benches/src/bin/measure.rs, same module bytes); wasm3 comes from PyPI's pywasm3 (installed if missing; it builds wasm3 from
# source), timed around the same `run` calls. Every runtime must compute wasmrel's checksum.
set -eu
cd "$(dirname "$0")/.."
runs=${1:-15}
case $runs in '' | *[!0-9]* | 0) echo "compare.sh: RUNS must be a positive integer" >&2; exit 2 ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure=${CARGO_TARGET_DIR:-target}/release/measure
# wasmi 2 dispatches by tail calls where LLVM makes them jumps (its default `auto-dispatch`);
# its `portable-dispatch` feature selects its loop, the dispatch stable Rust guarantees and the
# only one wasmrel may use. A second build with that feature gives the like-for-like column.
cargo build --release --quiet -p wasmrel-benches --bin measure --features wasmi/portable-dispatch
cp "$measure" "$work/measure-loop"
cargo build --release --quiet -p wasmrel-benches --bin measure
if ! python3 -c 'import wasm3' 2>/dev/null; then
    python3 -m pip install --quiet pywasm3
fi

"$measure" time "$runs" >"$work/execute.tsv"
"$work/measure-loop" time "$runs" >"$work/loop.tsv"
"$measure" time "$runs" fuel >"$work/fuel.tsv"
"$measure" translate "$runs" >"$work/translate.tsv"
"$measure" memory >"$work/memory.tsv"

python3 - "$runs" "$work" benches/programs benches/RESULTS.md <<'EOF'
import importlib.metadata, math, os, platform, statistics, subprocess, sys, time
import wasm3

runs, work, programs_dir, results_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

checksums = {}
def read_tsv(name):
    table = {}
    for line in open(os.path.join(work, name)):
        program, engine, nanos, *checksum = line.split("\t")
        table.setdefault(program, {})[engine] = int(nanos)
        if checksum:
            checksums[program] = int(checksum[0])
    return table

execute = read_tsv("execute.tsv")
for program in execute:
    with open(os.path.join(programs_dir, program + ".run.wasm"), "rb") as f:
        env = wasm3.Environment()
        runtime = env.new_runtime(1 << 20)
        runtime.load(env.parse_module(f.read()))
        run = runtime.find_function("run")
        if run() & 0xFFFFFFFF != checksums[program] & 0xFFFFFFFF:
            sys.exit(f"compare.sh: wasm3 computes a different checksum for {program}")
        samples = []
        for _ in range(runs):
            start = time.thread_time_ns()
            run()
            samples.append(time.thread_time_ns() - start)
        execute[program]["wasm3"] = int(statistics.median(samples))
loop = read_tsv("loop.tsv")
for program in execute:
    execute[program]["wasmi-loop"] = loop[program]["wasmi-eager"]
fuel = read_tsv("fuel.tsv")
translate = read_tsv("translate.tsv")
memory = read_tsv("memory.tsv")

def fmt_time(nanos):
    return f"{nanos / 1e6:.3f} ms"
def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))

def time_table(table, engines):
    lines = ["| program | " + " | ".join(engines) + " |", "|---" * (len(engines) + 1) + "|"]
    ratios = {engine: [] for engine in engines}
    for program in sorted(table):
        row = table[program]
        base = row["wasmi-eager"]
        cells = []
        for engine in engines:
            ratio = row[engine] / base
            ratios[engine].append(ratio)
            cells.append(f"{fmt_time(row[engine])} ({ratio:.2f}x)")
        lines.append(f"| {program} | " + " | ".join(cells) + " |")
    lines.append("| **geomean ratio** | " + " | ".join(f"{geomean(ratios[e]):.2f}x" for e in engines) + " |")
    return lines

wasmrel_engines = ["wasmrel", "wasmrel-encoded", "wasmrel-dual"]
lines = time_table(execute, wasmrel_engines + ["wasmi-eager", "wasmi-lazy", "wasmi-loop", "wasm3"])
flines = time_table(fuel, wasmrel_engines + ["wasmi-eager", "wasmi-lazy"])

def overhead(table, engine):
    ratios = [table[p][engine] / table[p]["wasmrel"] for p in table]
    return f"{geomean(ratios):.2f}x (from {min(ratios):.2f}x to {max(ratios):.2f}x)"
def overhead_lines(table):
    return [
        f"- encoded (default check level) / plain: {overhead(table, 'wasmrel-encoded')}",
        f"- dual (default replicas: plain and inverted plain) / plain: {overhead(table, 'wasmrel-dual')}",
    ]
olines = overhead_lines(execute)
loop_ratios = [loop[p]["wasmrel"] / loop[p]["wasmi-eager"] for p in loop]
loop_line = (f"- plain / wasmi eager with its loop dispatch, both in the `portable-dispatch` build's "
             f"process: {geomean(loop_ratios):.2f}x (from {min(loop_ratios):.2f}x to {max(loop_ratios):.2f}x)")

mlines = ["| program | " + " | ".join(wasmrel_engines + ["wasmi-eager", "wasmi-lazy"]) + " |", "|---" * 6 + "|"]
for program in sorted(memory):
    row = memory[program]
    cells = [f"{row[e] / 1024:.0f} KiB" for e in wasmrel_engines + ["wasmi-eager", "wasmi-lazy"]]
    mlines.append(f"| {program} | " + " | ".join(cells) + " |")

tlines = ["| module (WASI build) | wasmrel | wasmi eager | ratio |", "|---|---|---|---|"]
tratios = []
for program in sorted(translate):
    row = translate[program]
    ratio = row["wasmrel"] / row["wasmi-eager"]
    tratios.append(ratio)
    tlines.append(f"| {program} | {fmt_time(row['wasmrel'])} | {fmt_time(row['wasmi-eager'])} | {ratio:.2f}x |")
tlines.append(f"| **geomean** | | | {geomean(tratios):.2f}x |")

def command(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
# The code measured is the commit's only if nothing but this file differs from it.
changed = [line for line in command('git', 'status', '--porcelain', '--untracked-files=no').splitlines()
           if not line.endswith('benches/RESULTS.md')]
machine = [
    f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {command('git', 'rev-parse', '--short', 'HEAD')}"
    + (" with uncommitted changes" if changed else ""),
    f"- CPU: {cpu}, `nproc` = {command('nproc')}, load average {' '.join(open('/proc/loadavg').read().split()[:3])}",
    f"- {platform.system()} {platform.release()}, {command('rustc', '--version')}, pywasm3 {importlib.metadata.version('pywasm3')}",
]
text = "\n".join([
    "# Benchmark results",
    "",
    "Generated by `benches/compare.sh` (do not edit by hand). Median thread CPU time of "
    f"{runs} timed calls of each program's `run` export after one untimed call (CPU time, not "
    "wall-clock time: on a loaded machine a run longer than a scheduler time slice waits for a "
    "CPU far more often than a short one); in parentheses "
    "the ratio to wasmi eager. wasmrel-dual runs plain and a bit-inverted plain copy in "
    "lockstep (the default replicas of `wasmrel run --dual`) and compares their results. "
    "wasmrel and wasmi run in one process "
    "(`benches/src/bin/measure.rs`), wasm3 through pywasm3 (call overhead of Python included, "
    "negligible at these run lengths). A loaded machine makes single numbers noisy; the "
    "ratios of runs taken side by side are the meaningful part. wasmi-loop is wasmi eager "
    "built with its `portable-dispatch` feature: a loop over its instructions instead of "
    "handlers chained by tail calls, which stable Rust does not guarantee and wasmrel therefore "
    "may not use (a call left as a call grows the native stack; in the kernel it has 16 KiB). "
    "It comes from a second build of `measure`, run in its own process after the first.",
    "",
    *machine,
    "",
    "## Execution (fuel metering off)",
    "",
    *lines,
    "",
    *olines,
    loop_line,
    "",
    "## Execution with fuel metering on",
    "",
    "Metering off, wasmrel counts no fuel in any mode (`FuelCount::WhenNeeded`); metering on, "
    "every mode counts each instruction against a far limit and wasmi adds its fuel checks. "
    "wasm3 has no metering.",
    "",
    *flines,
    "",
    *overhead_lines(fuel),
    "",
    "## Translation (decode, validate, translate the WASI build)",
    "",
    *tlines,
    "",
    "## Peak heap use (prepare the program, call `run` once)",
    "",
    "Bytes allocated above what was live before, counted by `measure memory`'s allocator; a "
    "linear memory counts in full whether or not its pages are touched.",
    "",
    *mlines,
    "",
])
with open(results_path, "w") as f:
    f.write(text)
print(text)
EOF
