#!/bin/sh
# The evaluation campaign: every benchmark program at its small size (about 10^6 Wasm
# instructions) in four modes — plain, encoded at the default check level (block), encoded at
# level op, and dual (plain + bit-inverted replica) — with single-bit faults, seed 2026:
# 2800 faults per plain campaign and 3200 per encoded one (400 per location class; encoded
# adds the control-flow signature), and 48000 (6000 per class) for the dual
# campaigns of sha256, sort and vm, enough samples to bound a zero SDC count tightly.
# Usage: papers/run-campaign.sh [CAMPAIGN_ROOT]   (default papers/campaign)
set -eu
cd "$(dirname "$0")/.."
root=${1:-papers/campaign}
wasmrel=${WASMREL:-target/release/wasmrel}
[ -x "$wasmrel" ] || cargo build --release -p wasmrel-cli
inject() {
  "$wasmrel" inject --quiet --seed 2026 --jobs "$(nproc)" "$@"
}
while read -r name file size dual_faults; do
  inject --mode plain --faults 2800 --out "$root/$name-plain" "$file" "$size"
  inject --mode encoded --faults 3200 --out "$root/$name-encoded" "$file" "$size"
  inject --mode encoded --check op --faults 3200 --out "$root/$name-encoded-op" "$file" "$size"
  inject --mode dual --faults "$dual_faults" --out "$root/$name-dual" "$file" "$size"
done <<LIST
sha256 benches/programs/sha256.wasm 6 48000
sort benches/programs/sort.wasm 2500 48000
vm benches/programs/vm.wasm 60 48000
fib benches/programs/fib.wasm 22 2800
sieve benches/programs/sieve.wasm 20000 2800
lz benches/programs/lz.wasm 6 2800
nbody benches/programs/nbody.wasm 700 2800
LIST
