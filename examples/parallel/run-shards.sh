#!/usr/bin/env bash
# Runs one config as 3 shards with GNU parallel (or xargs -P when parallel is absent), merges
# them, and checks that the merged summary equals a single run except for timing fields.
# Usage: examples/parallel/run-shards.sh [CONFIG] [REPLICATES] [SHARDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
config=${1:-configs/williams2018.toml}
replicates=${2:-20001}
shards=${3:-3}
cargo build --release --quiet
bin=target/release/crossover-sim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
name=$(grep -m1 '^name' "$config" | sed 's/.*= *"\(.*\)"/\1/')

if command -v parallel >/dev/null 2>&1; then
  seq 1 "$shards" | parallel --halt now,fail=1 \
    "$bin" run "$config" --replicates "$replicates" --shard {}/"$shards" --threads 1 --quiet --out "$out/sharded"
else
  seq 1 "$shards" | xargs -P "$shards" -I{} \
    "$bin" run "$config" --replicates "$replicates" --shard {}/"$shards" --threads 1 --quiet --out "$out/sharded"
fi
"$bin" merge "$out/sharded/$name/shards/"shard-*-of-"$shards".json --out "$out/sharded" --quiet
"$bin" run "$config" --replicates "$replicates" --quiet --out "$out/single"

strip() { grep -v -E '"(elapsed_seconds|replicates_per_second|threads|merged_shards|shard_seconds_total)"' "$1"; }
if diff <(strip "$out/sharded/$name/summary.json") <(strip "$out/single/$name/summary.json"); then
  echo "merged $shards shards of $config ($replicates replicates): identical to a single run except timing"
else
  echo "merged shards differ from a single run" >&2
  exit 1
fi
