#!/usr/bin/env bash
# Runs the shipped job arrays (examples/slurm/run.sbatch and sweep.sbatch) on a real one-node
# Slurm cluster started here, each with a dependent merge job, and checks that the merged files
# equal a single run's (timing fields aside).
#
# It installs Debian's slurm-wlm and munge when they are missing (as root, with apt-get), and
# skips with a message only when they cannot be installed. munged, slurmctld and slurmd run as
# background processes of this script, with their key, configuration, state and logs in a
# temporary folder, and are stopped when it exits.
# Usage: examples/slurm/test.sh [SHARDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
shards=${1:-4}

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "slurm test: installing slurm-wlm and munge"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge; } \
      >/dev/null 2>&1 || true
  fi
fi
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  echo "slurm test: SKIPPED: slurm-wlm and munge are not installed and cannot be installed here (needs root and apt-get)"
  exit 0
fi

cargo build --release --quiet
bin=target/release/crossover-sim

tmp=$(mktemp -d /tmp/slurm-test.XXXXXX)
chmod 700 "$tmp"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    for log in "$tmp"/*.log "$tmp"/jobs/*.out; do
      [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT INT TERM

# A free TCP port on this machine, for the controller and the node daemon.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# munge: a fresh key and a socket in the temporary folder.
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/jobs" "$tmp/out"
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge.key"
munged --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" \
  --foreground >"$tmp/munged.stdout.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/munge.sock" ] && break; sleep 0.1; done

host=$(hostname -s)
cpus=$(nproc)
export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=crossover
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.stdout.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.stdout.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  sinfo -h -o '%t' 2>/dev/null | grep -q -E '^(idle|mix|alloc)' && break
  sleep 0.2
done
if ! sinfo -h -o '%t' | grep -q -E '^(idle|mix|alloc)'; then
  echo "slurm test: the one-node cluster did not come up" >&2
  exit 1
fi
echo "slurm test: one-node cluster up ($host, $cpus CPUs)"

# Waits for a job (and its array tasks) to leave the queue, then checks that it completed.
wait_for() {
  local job=$1 what=$2
  for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
    sleep 0.5
  done
  local states
  states=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z_]*' | sort -u)
  if [ "$states" != "JobState=COMPLETED" ]; then
    echo "slurm test: $what did not complete: $states" >&2
    exit 1
  fi
}

# The shipped scripts, as submitted from the checkout, with a small workload: one CPU per task
# (the node has $cpus) and fewer replicates, through the variables the scripts read.
common=(--array="1-$shards" --cpus-per-task=1 --output="$tmp/jobs/slurm-%A_%a.out" --parsable)
export OUT="$tmp/out"

run_job=$(REPLICATES=20001 sbatch "${common[@]}" examples/slurm/run.sbatch)
run_merge=$(sbatch --parsable --dependency=afterok:"$run_job" --output="$tmp/jobs/merge-run.out" \
  --wrap "$bin merge $OUT/williams2018/shards/shard-*-of-$shards.json --out $OUT --quiet")
sweep_job=$(REPLICATES=4000 VALUES=20,30 sbatch "${common[@]}" examples/slurm/sweep.sbatch)
sweep_merge=$(sbatch --parsable --dependency=afterok:"$sweep_job" --output="$tmp/jobs/merge-sweep.out" \
  --wrap "$bin merge $OUT/williams2018/shards/sweep-design.enrolled-shard-*-of-$shards.json --out $OUT --quiet")
echo "slurm test: submitted run array $run_job and sweep array $sweep_job ($shards tasks each) with dependent merges $run_merge and $sweep_merge"
wait_for "$run_job" "the run array"
wait_for "$run_merge" "the run's merge"
wait_for "$sweep_job" "the sweep array"
wait_for "$sweep_merge" "the sweep's merge"

# The same work as single runs on this machine.
"$bin" run configs/williams2018.toml --replicates 20001 --quiet --out "$tmp/single"
"$bin" sweep configs/williams2018.toml --param design.enrolled --values 20,30 --target-power 0.8 \
  --replicates 4000 --quiet --out "$tmp/single"

strip() {
  grep -v -E '"(elapsed_seconds|replicates_per_second|threads|merged_shards|shard_seconds_total)"' "$1"
}
failed=0
check() {
  local what=$1 merged=$2 single=$3
  if [ ! -f "$merged" ]; then
    echo "slurm test: FAILED: $what: $merged was not written" >&2
    failed=1
  elif diff <(strip "$merged") <(strip "$single") >/dev/null; then
    echo "slurm test: $what: merged equals a single run (timing aside)"
  else
    echo "slurm test: FAILED: $what: merged differs from a single run" >&2
    diff <(strip "$merged") <(strip "$single") | head -20 >&2
    failed=1
  fi
}
check "run summary.json" "$OUT/williams2018/summary.json" "$tmp/single/williams2018/summary.json"
check "run summary.csv" "$OUT/williams2018/summary.csv" "$tmp/single/williams2018/summary.csv"
check "sweep json" "$OUT/williams2018/sweep-design.enrolled.json" "$tmp/single/williams2018/sweep-design.enrolled.json"
check "sweep csv" "$OUT/williams2018/sweep-design.enrolled.csv" "$tmp/single/williams2018/sweep-design.enrolled.csv"
if [ "$failed" = 0 ]; then
  echo "slurm test: 4 passed, 0 failed"
else
  exit 1
fi
cd "$repo"
