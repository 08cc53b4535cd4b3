#!/bin/sh
# Measures campaign throughput on sha256 (about 10^6 Wasm instructions per run): 10^5
# plain injections with the default golden-run checkpoints, and, side by side, 10^4
# without checkpoints (every injected run from the start to its end). Writes
# papers/throughput.md (included by papers/generate.sh). Wall times depend on the load.
set -eu
cd "$(dirname "$0")/.."
wasmrel=${WASMREL:-target/release/wasmrel}
[ -x "$wasmrel" ] || cargo build --release -p wasmrel-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=$(nproc)
run() {
  dir=$1
  shift
  start=$(date +%s.%N)
  "$wasmrel" inject --quiet --seed 99 --jobs "$jobs" --out "$work/$dir" "$@" \
    benches/programs/sha256.wasm 6 2> "$work/$dir.log"
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.1f", $2 - $1}'
}
with=$(run with --faults 100000)
without=$(run without --faults 10000 --checkpoints 0)
same=$(run same --faults 10000)
summary=$(sed -n 's/.*(\([0-9]*\)\/s; \([0-9]*\) restarted from a checkpoint, \([0-9]*\) ended early.*/\2 \3/p' "$work/with.log")
{
  echo "### Campaign throughput"
  echo
  echo "sha256 6 (plain, $(sed -n 's/.*golden run \([0-9]*\) instructions.*/\1/p' "$work/with.log") instructions per run), $jobs worker threads on a $(nproc)-core machine shared with other work, $(date -u +%Y-%m-%d):"
  echo
  echo "| injections | checkpoints | wall time (s) | injections/s |"
  echo "|---|---|---|---|"
  echo "| 100000 | 64 (default) | $with | $(echo "$with" | awk '{printf "%.0f", 100000 / $1}') |"
  echo "| 10000 | 64 (default) | $same | $(echo "$same" | awk '{printf "%.0f", 10000 / $1}') |"
  echo "| 10000 | none | $without | $(echo "$without" | awk '{printf "%.0f", 10000 / $1}') |"
  echo
  echo "Of the 100000 checkpointed runs, $(echo "$summary" | cut -d' ' -f1) restarted from a checkpoint and $(echo "$summary" | cut -d' ' -f2) ended early at one (state equal to the golden run's). The target is 10^5 injections of a program of about 10^6 instructions in under 10 minutes (600 s) on 2 cores."
} > papers/throughput.md
cat papers/throughput.md
