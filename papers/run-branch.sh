#!/bin/sh
# Branch-class campaigns at the current fault model. Commit 8cf38ef changed what a branch
# fault does (i64 compare-and-branch instructions are inverted too, and in encoded stores a
# taken branch sent the other way falls through past its signature words): fault model 2.
# Every campaign recorded before (the whole campaigns of papers/run-campaign.sh and the
# first branch strata) holds branch samples of model 1, which the report leaves out. These
# campaigns, restricted to the branch class (`--sampling class:branch`, seed 2026), stand in
# for the class, pooled as the strata are: every benchmark in plain (PLAIN_FAULTS, 1200 as
# the plain campaigns had per class), encoded, dual (plain,inverted) and dual (plain,encoded)
# (FAULTS, 3000 each: with zero SDCs their bound is 1e-3 of the class's space, below 1/100
# of plain's estimate wherever plain's branch SDC fraction exceeds 0.1 x the mode's golden
# time over plain's, i.e. about 0.5 for the slowest pair). They go to
# papers/campaign/strata/<bench>-<mode>-branch, packed (`wasmrel pack`, gzip); each
# campaign's CPU time (user + system) and the commit it ran at go to strata/log.txt.
# Usage: papers/run-branch.sh   Environment: FAULTS (3000), PLAIN_FAULTS (1200), JOBS
# (nproc), NICE (10), BENCHES ("name:size ..."), WASMREL (target/release/wasmrel).
set -eu
cd "$(dirname "$0")/.."
strata=papers/campaign/strata
wasmrel=${WASMREL:-target/release/wasmrel}
jobs=${JOBS:-$(nproc)}
benches=${BENCHES:-"sha256:6 sort:2500 vm:60 fib:22 sieve:20000 lz:6 nbody:700"}
[ -x "$wasmrel" ] || cargo build --release -p wasmrel-cli
commit=$(git rev-parse --short=12 HEAD)
git diff --quiet HEAD -- . ':!papers/campaign' || commit="$commit+changes"
time=$(mktemp)
trap 'rm -f "$time"' EXIT
mkdir -p "$strata"
for bench in $benches; do
  name=${bench%%:*} size=${bench#*:}
  for mode in plain encoded dual dual-encoded; do
    dir=$strata/$name-$mode-branch faults=${FAULTS:-3000}
    case $mode in
      plain) flags="--mode plain" faults=${PLAIN_FAULTS:-1200} ;;
      encoded) flags="--mode encoded" ;;
      dual) flags="--mode dual" ;;
      dual-encoded) flags="--mode dual --replicas plain,encoded" ;;
    esac
    if [ -f "$dir/results.packed.gz" ]; then
      gzip -d "$dir/results.packed.gz"
    fi
    # shellcheck disable=SC2086
    /usr/bin/time -f "%U %S" -o "$time" nice -n "${NICE:-10}" "$wasmrel" inject --quiet \
      --seed 2026 --jobs "$jobs" $flags --sampling class:branch --faults "$faults" \
      --out "$dir" "benches/programs/$name.wasm" "$size" < /dev/null
    echo "$name-$mode-branch $faults $commit $(cat "$time")" >> "$strata/log.txt"
    "$wasmrel" pack "$dir"
    rm -f "$dir/results.jsonl"
    gzip -9 -f "$dir/results.packed"
  done
done
