#!/bin/bash
# Submits the briefings array (briefings.sbatch) and, after it whatever its outcome, the
# merge that checks every county is there (merge.sbatch). Run it from the folder where the
# logs should go, with DATA, OUT and PATH set as examples/slurm/README.md says.
#   examples/slurm/submit.sh                 every shard
#   examples/slurm/submit.sh --array=3,5     re-run the indexes 3 and 5, then merge again
# Other sbatch options (--partition, --account, --array) go to the array job.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ -n ${DATA:-} ]] || { echo "submit.sh: export DATA=/shared/data (a folder every node reads) first" >&2; exit 2; }
[[ -n ${OUT:-} ]] || { echo "submit.sh: export OUT=/shared/briefings (a folder every node writes) first" >&2; exit 2; }
command -v countybrief >/dev/null || { echo "submit.sh: countybrief is not on the PATH (examples/slurm/README.md)" >&2; exit 2; }

array=$(sbatch --parsable "$@" "$here/briefings.sbatch")
array=${array%%;*} # "ID;CLUSTER" on a multi-cluster site
merge=$(sbatch --parsable --dependency="afterany:$array" "$here/merge.sbatch")
merge=${merge%%;*}
echo "array job $array: logs $PWD/countybrief-${array}_<index>.out"
echo "merge job $merge: log $PWD/countybrief-merge-$merge.out (runs when every task has ended)"
