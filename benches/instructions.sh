#!/bin/sh
# Counts the machine instructions one call of each benchmark program's `run` export executes in
# wasmrel plain and in wasmi eager (callgrind, restricted to `measure once`'s timed calls), and
# divides them by the Wasm instructions the call executes (wasmrel's fuel count, which charges
# one per Wasm instruction). Prints one Markdown table.
#
#   benches/instructions.sh [PROGRAM...]      (default: every program)
#
# Instruction counts do not depend on the machine's load, so this is the stable side of the
# speed comparison; benches/compare.sh measures the times.
set -eu
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null; then
    echo "instructions.sh: needs valgrind (Debian package valgrind)" >&2
    exit 1
fi
cargo build --release --quiet -p wasmrel-benches --bin measure -p wasmrel-cli --bin wasmrel
target=${CARGO_TARGET_DIR:-target}/release
calls=3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions per call of `run` in engine $2 for program $1.
per_call() {
    valgrind --tool=callgrind --callgrind-out-file="$work/out" \
        --toggle-collect='*timed_calls*' "$target/measure" once "$1" "$2" "$calls" \
        >/dev/null 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
    callgrind_annotate "$work/out" | awk -v calls="$calls" \
        '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%d", $1 / calls; exit }'
}

programs=${*:-$(cd benches/programs && ls -- *.run.wasm | sed 's/\.run\.wasm$//')}
echo "| program | Wasm instructions per call | wasmrel | wasmi eager | wasmrel per Wasm instruction | wasmi per Wasm instruction | wasmrel / wasmi |"
echo "|---|---|---|---|---|---|---|"
for program in $programs; do
    wasm=$("$target/wasmrel" run --json --invoke run "benches/programs/$program.run.wasm" 2>&1 >/dev/null |
        sed -n 's/.*"fuel_used":\([0-9]*\).*/\1/p')
    if [ -z "$wasm" ]; then
        echo "instructions.sh: $program: no fuel count from wasmrel run" >&2
        exit 1
    fi
    ours=$(per_call "$program" wasmrel)
    theirs=$(per_call "$program" wasmi-eager)
    awk -v p="$program" -v w="$wasm" -v a="$ours" -v b="$theirs" 'BEGIN {
        printf "| %s | %d | %d | %d | %.1f | %.1f | %.2fx |\n", p, w, a, b, a / w, b / w, a / b }'
done
