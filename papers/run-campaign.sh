#!/bin/sh
# The evaluation campaign: every benchmark program at its small size (about 10^6 Wasm
# instructions), single-bit faults, seed 2026, in three modes:
#   plain    8400 faults sampled equally over its 7 location classes (1200 each);
#   encoded  (check level block, the default) and
#   dual     (plain + bit-inverted replica, the default) sampled uniformly over the fault
#            space (`--sampling fault-space`), as many faults as the 1/100 target needs:
#            with zero SDCs the 95 % upper bound of the extrapolated count is about
#            3/N x the mode's fault space W, so N = ceil(MARGIN x 3 x W / (plain's estimate
#            / 100)), MARGIN = 2.5, capped at MAX_FAULTS. W comes from the mode's own golden
#            run (a one-fault probe campaign measures it).
# The hardened campaigns grow in ROUNDS rounds of N/ROUNDS faults each, every campaign per
# round, until the time budget (MINUTES) is spent: if it runs out, every benchmark has the
# same share of its N, and the report states the samples actually taken. Time left then
# goes to dual campaigns with an AN-encoded second replica (EXTRA_FAULTS faults each),
# each grown, while time is left, to 1.3 x the samples its report says would reach the
# target (a campaign resumed with more faults grows; its first results stay valid).
# Usage: papers/run-campaign.sh [CAMPAIGN_ROOT]   (default papers/campaign)
# Environment: MINUTES (42), MARGIN (2.5), MAX_FAULTS (200000), ROUNDS (5), PLAIN_FAULTS
# (8400), EXTRA_FAULTS (4000), BENCHES ("name:size ..."), WASMREL (target/release/wasmrel).
set -eu
cd "$(dirname "$0")/.."
root=${1:-papers/campaign}
wasmrel=${WASMREL:-target/release/wasmrel}
minutes=${MINUTES:-42}
margin=${MARGIN:-2.5}
max_faults=${MAX_FAULTS:-200000}
rounds=${ROUNDS:-5}
[ -x "$wasmrel" ] || cargo build --release -p wasmrel-cli
deadline=$(($(date +%s) + minutes * 60))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
benches=${BENCHES:-"sha256:6 sort:2500 vm:60 fib:22 sieve:20000 lz:6 nbody:700"}
plain_faults=${PLAIN_FAULTS:-8400}
extra_faults=${EXTRA_FAULTS:-4000}
inject() {
  "$wasmrel" inject --quiet --seed 2026 --jobs "$(nproc)" "$@"
}

for bench in $benches; do
  name=${bench%%:*} size=${bench#*:}
  inject --mode plain --faults "$plain_faults" --out "$root/$name-plain" "benches/programs/$name.wasm" "$size"
done
"$wasmrel" report "$root"/*-plain --out "$work/plain" 2>/dev/null

# The faults each hardened campaign needs, from plain's estimate and a probe of its space.
plan=$work/plan
: > "$plan"
for bench in $benches; do
  name=${bench%%:*} size=${bench#*:}
  for mode in encoded dual; do
    probe=$work/probe-$name-$mode
    inject --mode "$mode" --faults 1 --out "$probe" "benches/programs/$name.wasm" "$size"
    "$wasmrel" report "$probe" --out "$probe/report" 2>/dev/null
    python3 - "$work/plain/report.json" "$probe/report/report.json" "$name" "$mode" \
      "$margin" "$max_faults" "$rounds" >> "$plan" <<'PY'
import json, math, sys
plain, probe, name, mode, margin, cap, rounds = sys.argv[1:]
plain = json.load(open(plain))
estimate = next(c["extrapolated_sdc"] for c in plain["campaigns"]
                if c["dir"] == f"{name}-plain")
space = sum(r["fault_space"] for r in json.load(open(probe))["classes"])
need = math.ceil(float(margin) * 3.0 * space / (estimate / 100.0)) if estimate > 0 else int(cap)
rounds = int(rounds)
faults = min(int(cap), max(need, 1000))
faults = math.ceil(faults / rounds) * rounds
print(name, mode, faults, need)
PY
  done
done
echo "wasmrel campaign plan (name mode faults needed):" >&2
cat "$plan" >&2

round=1
while [ "$round" -le "$rounds" ]; do
  while read -r name mode faults need; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "wasmrel campaign: time budget spent in round $round" >&2
      break 2
    fi
    size=$(echo "$benches" | tr ' ' '\n' | sed -n "s/^$name://p")
    inject --mode "$mode" --sampling fault-space --faults "$faults" \
      --stop-after $((faults / rounds)) --out "$root/$name-$mode" \
      "benches/programs/$name.wasm" "$size"
  done < "$plan"
  round=$((round + 1))
done
# With time left: the stronger dual pair (plain + AN-encoded replica), a smaller sample.
for bench in $benches; do
  name=${bench%%:*} size=${bench#*:}
  if [ "$(date +%s)" -ge "$deadline" ]; then
    break
  fi
  inject --mode dual --replicas plain,encoded --sampling fault-space --faults "$extra_faults" \
    --out "$root/$name-dual-encoded" "benches/programs/$name.wasm" "$size"
done
"$wasmrel" report "$root"/*-plain "$root"/*-dual-encoded --out "$work/extra" 2>/dev/null
python3 - "$work/extra/report.json" > "$work/grow" <<'PY'
import json, math, sys
for c in json.load(open(sys.argv[1]))["campaigns"]:
    wanted = (c.get("reduction") or {}).get("samples_for_target")
    if c["variant"] == "dual (plain,encoded)" and wanted:
        print(c["app"].split()[0], math.ceil(wanted * 1.3 / 100) * 100, wanted)
PY
while read -r name faults wanted; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    break
  fi
  size=$(echo "$benches" | tr ' ' '\n' | sed -n "s/^$name://p")
  inject --mode dual --replicas plain,encoded --sampling fault-space --faults "$faults" \
    --out "$root/$name-dual-encoded" "benches/programs/$name.wasm" "$size"
  echo "$name dual-encoded $faults $wanted" >> "$plan"
done < "$work/grow"
cp "$plan" "$root/plan.txt"
for dir in "$root"/*/; do
  if [ -f "$dir/results.jsonl" ]; then
    gzip -9 -f "$dir/results.jsonl"
  fi
done
