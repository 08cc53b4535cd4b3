#!/bin/sh
# The evaluation campaign: every benchmark program at its small size (about 10^6 Wasm
# instructions), modes plain, encoded (default check level) and dual (plain + bit-inverted),
# 2800 single-bit faults each (400 per location class; dual adds 400 in the second replica),
# seed 2026. Usage: papers/run-campaign.sh [CAMPAIGN_ROOT]   (default papers/campaign)
set -eu
cd "$(dirname "$0")/.."
root=${1:-papers/campaign}
wasmrel=${WASMREL:-target/release/wasmrel}
[ -x "$wasmrel" ] || cargo build --release -p wasmrel-cli
while read -r name file size; do
  for mode in plain encoded dual; do
    "$wasmrel" inject --quiet --mode "$mode" --faults 2800 --seed 2026 --jobs "$(nproc)" \
      --out "$root/$name-$mode" "$file" "$size"
  done
done <<LIST
sha256 benches/programs/sha256.wasm 6
sort benches/programs/sort.wasm 2500
vm benches/programs/vm.wasm 60
fib benches/programs/fib.wasm 22
sieve benches/programs/sieve.wasm 20000
lz benches/programs/lz.wasm 6
nbody benches/programs/nbody.wasm 700
LIST
