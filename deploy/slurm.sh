#!/bin/sh
# One campaign as a Slurm job array of N shards, then a dependent merge + report job.
#   sbatch --array=0-15 deploy/slurm.sh benches/programs/sha256.wasm 6
# Set OUT, FAULTS, SEED, MODE in the environment (sbatch passes it on).
#SBATCH --job-name=wasmrel-inject
#SBATCH --cpus-per-task=2
#SBATCH --time=01:00:00
#SBATCH --output=wasmrel-inject-%A_%a.log
set -eu
count=${SLURM_ARRAY_TASK_COUNT:?submit as a job array: sbatch --array=0-N deploy/slurm.sh ...}
: "${OUT:=campaign}"
export OUT JOBS="${SLURM_CPUS_PER_TASK:-2}"
"$(dirname "$0")/run-shard.sh" "$SLURM_ARRAY_TASK_ID" "$count" "$@"
# The last shard to finish merges (merge refuses incomplete shards only by warning, so wait
# until every shard has written all its lines: the merge job below is the robust way).
# sbatch --dependency=afterok:$SLURM_ARRAY_JOB_ID --wrap "wasmrel merge $OUT/shard-* --out $OUT/merged && wasmrel report $OUT/merged --out $OUT/report"
