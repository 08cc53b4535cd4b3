#!/bin/sh
# Class-stratified campaigns for the per-class 1/100 target. The committed campaign
# (papers/run-campaign.sh) samples each hardened mode uniformly over its whole fault space,
# which leaves small classes (branch: 1 bit, memory: 8 bits) with few samples. A class c
# of benchmark b meets the target when the mode's 95 % upper bound of extrapolated SDCs,
# (1 - 0.05^(1/N_c)) x F_c with zero SDCs in N_c samples, is at most plain's estimate
# E_c / 100 (plain's point estimate, as the report's target; its lower bound would be
# stricter). So the class needs N_c = ceil(ln 0.05 / ln(1 - E_c / (100 F_c))) samples in
# all (about 300 F_c / E_c). F_c is the class's space in the whole hardened campaign (its
# golden time x the class's bits), the space the report extrapolates pooled samples over.
# The samples the whole campaign already has in c count; the rest run here as a campaign
# restricted to c (`--sampling class:c`, seed 2026, each fault from (seed, id, class)), in
# papers/campaign/strata/<bench>-<mode>-<class>. Classes where plain showed no SDC have
# nothing to reduce and classes with an SDC in the mode cannot reach the target by
# sampling: neither is run; nor is a cell needing more than MAX_FAULTS faults. Results are
# kept packed (`wasmrel pack`: one outcome character per id, a few bits per injection
# gzipped; the first strata kept full records, about 10 bytes per injection gzipped).
# Order: VARIANTS lists groups of modes, run one group after the other; within a group
# ("encoded+dual": the target's modes, dual with its default replicas) the cells by their
# estimated CPU cost (missing samples x the mode's golden time), cheapest first, each run
# in chunks of CHUNK faults until the deadline (MINUTES from the start): a cell cut off by
# it keeps its samples and is resumed (grown) by the next run of this script.
# strata/plan.txt keeps each cell's first plan; every chunk's CPU time (user + system)
# and the commit it ran at go to strata/log.txt.
# Usage: papers/run-strata.sh   Environment: MINUTES (60), CHUNK (5000), JOBS (nproc),
# VARIANTS ("encoded+dual"; add a group dual-encoded for the plain,encoded pair),
# MAX_FAULTS (300000), NICE (10), WASMREL (target/release/wasmrel).
set -eu
cd "$(dirname "$0")/.."
root=papers/campaign
strata=$root/strata
wasmrel=${WASMREL:-target/release/wasmrel}
minutes=${MINUTES:-60}
chunk=${CHUNK:-5000}
jobs=${JOBS:-$(nproc)}
variants=${VARIANTS:-"encoded+dual"}
max_faults=${MAX_FAULTS:-300000}
[ -x "$wasmrel" ] || cargo build --release -p wasmrel-cli
commit=$(git rev-parse --short=12 HEAD)
git diff --quiet HEAD -- . ':!papers/campaign' || commit="$commit+changes"
deadline=$(($(date +%s) + minutes * 60))
# Injections recorded in campaign directory $1: packed outcomes (all but `.` after the
# header line) and full records.
recorded() {
  packed=0 full=0
  [ -f "$1/results.packed" ] && packed=$(tail -n +2 "$1/results.packed" | tr -d '.\n' | wc -c)
  [ -f "$1/results.jsonl" ] && full=$(wc -l < "$1/results.jsonl")
  echo $((packed + full))
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$strata" "$work/c"

# Where the campaign stands: a report of the committed whole campaigns and strata so far.
for dir in "$root"/*/ "$strata"/*/; do
  [ -f "$dir/campaign.json" ] || continue
  copy=$work/c/$(basename "$(dirname "$dir")")-$(basename "$dir")
  mkdir -p "$copy"
  cp "$dir/campaign.json" "$copy/"
  for results in results.jsonl results.packed; do
    if [ -f "$dir/$results.gz" ]; then
      gzip -dc "$dir/$results.gz" > "$copy/$results"
    fi
    if [ -f "$dir/$results" ]; then
      cat "$dir/$results" > "$copy/$results"
    fi
  done
done
"$wasmrel" report "$work"/c/* --out "$work/report" 2>/dev/null

python3 - "$work/report/report.json" "$variants" "$max_faults" > "$work/plan" <<'PY'
import json, math, sys
report = json.load(open(sys.argv[1]))
wanted = {"encoded": "encoded (block)", "dual": "dual (plain,inverted)",
          "dual-encoded": "dual (plain,encoded)"}
groups = sys.argv[2].split()
variants = {wanted[v]: (g, v) for g, group in enumerate(groups) for v in group.split("+")}
golden_ms = {(c["app"], c["variant"]): c["golden_ms"] for c in report["campaigns"]
             if c["sampling"] in ("equal", "fault-space")}
plan = []
for r in report["classes"]:
    x = r.get("reduction")
    if r["variant"] not in variants or not x or x["plain_without_sdc"]:
        continue
    if x["meets_target"] or r["sdc"]["count"] > 0:
        continue
    target = r["plain_extrapolated_sdc"][0] / 100.0
    need = math.ceil(math.log(0.05) / math.log1p(-target / r["fault_space"]))
    faults = need - (r["samples"] - r["stratified_samples"])
    if faults > int(sys.argv[3]):
        continue
    cost = (need - r["samples"]) * golden_ms[(r["app"], r["variant"])] / 1000.0
    name, size = r["app"].split()
    group, mode = variants[r["variant"]]
    plan.append((group, cost, name, size, mode, r["class"], faults, need))
for group, cost, *cell in sorted(plan):
    print(*cell, f"{cost:.0f}")
PY
echo "wasmrel strata plan (bench size mode class faults needed est-cpu-s):" >&2
cat "$work/plan" >&2
touch "$strata/plan.txt"
awk 'FILENAME == ARGV[1] {seen[$1 " " $3 " " $4]; next} !(($1 " " $3 " " $4) in seen)' \
  "$strata/plan.txt" "$work/plan" >> "$strata/plan.txt"

while read -r name size mode class faults need cost; do
  dir=$strata/$name-$mode-$class
  case $mode in
    encoded) flags="--mode encoded" ;;
    dual) flags="--mode dual" ;;
    dual-encoded) flags="--mode dual --replicas plain,encoded" ;;
  esac
  for results in results.jsonl results.packed; do
    if [ -f "$dir/$results.gz" ]; then
      gzip -d "$dir/$results.gz"
    fi
  done
  while :; do
    done_count=$(recorded "$dir")
    [ "$done_count" -lt "$faults" ] || break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "wasmrel strata: deadline reached at $dir ($done_count of $faults)" >&2
      break 2
    fi
    # shellcheck disable=SC2086
    /usr/bin/time -f "%U %S" -o "$work/time" nice -n "${NICE:-10}" "$wasmrel" inject --quiet \
      --seed 2026 --jobs "$jobs" $flags --sampling "class:$class" --faults "$faults" \
      --stop-after "$chunk" --out "$dir" "benches/programs/$name.wasm" "$size" < /dev/null
    echo "$name-$mode-$class $faults $commit $(cat "$work/time")" >> "$strata/log.txt"
  done
done < "$work/plan"
# Kept packed: one outcome character per id (the report reads it; resuming too).
for dir in "$strata"/*/; do
  if [ -f "$dir/results.jsonl" ]; then
    "$wasmrel" pack "$dir"
    rm "$dir/results.jsonl"
  fi
  if [ -f "$dir/results.packed" ]; then
    gzip -9 -f "$dir/results.packed"
  fi
done
