#!/bin/sh
# Runs shard INDEX of COUNT of one campaign; every cluster job calls this with its index.
#   WASMREL (default: wasmrel on PATH), OUT (campaign root), FAULTS, SEED, MODE, JOBS,
#   then the module and its guest arguments.
# The shard writes OUT/shard-INDEX; rerunning it resumes (nothing lost or counted twice).
set -eu
index=$1 count=$2
shift 2
: "${WASMREL:=wasmrel}" "${OUT:=campaign}" "${FAULTS:=100000}" "${SEED:=1}" "${MODE:=plain}"
: "${JOBS:=$(nproc)}"
exec "$WASMREL" inject --quiet --mode "$MODE" --faults "$FAULTS" --seed "$SEED" \
    --jobs "$JOBS" --shard "$index/$count" --out "$OUT/shard-$index" "$@"
