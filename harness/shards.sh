#!/usr/bin/env bash
# Runs the scenario catalog as N shards, the way N CI jobs would (each job: `concheck run
# --shard K/N --json shard-K.json`), then merges their JSON reports into one table with
# `concheck merge`. Shards run one after another here, each on every core (--jobs); on CI they
# run side by side on separate machines.
#
#   harness/shards.sh                         # the whole catalog, 4 shards
#   harness/shards.sh worker_pool             # scenarios whose name contains worker_pool
#   SHARDS=8 harness/shards.sh fan_in --iterations 5000
#   harness/shards.sh worker_pool --budget 2s # every loom/shuttle check for 2 s per shard
#
# Arguments are passed to `concheck run`. Reports go to $OUT (default target/concheck-shards):
# shard-K.json, shard-K.txt (each shard's table), merged.json, merged.md. Exits with the
# merge's status: 1 if a reference showed a violation in any shard or a twin escaped all.
set -euo pipefail

SHARDS=${SHARDS:-4}
cd "$(dirname "$0")/.."
OUT=${OUT:-target/concheck-shards}
mkdir -p "$OUT"
rm -f "$OUT"/shard-*.json "$OUT"/shard-*.txt

concheck() {
    cargo run --quiet --release -p concheck-harness -- "$@"
}

cargo build --quiet --release -p concheck-harness
for k in $(seq 1 "$SHARDS"); do
    # A shard's own failures (a twin its seeds did not catch) are the merge's to judge.
    status=0
    concheck run "$@" --shard "$k/$SHARDS" --json "$OUT/shard-$k.json" >"$OUT/shard-$k.txt" \
        2>/dev/null || status=$?
    if [ "$status" -gt 1 ]; then
        echo "shard $k/$SHARDS could not run (exit $status):" >&2
        cat "$OUT/shard-$k.txt" >&2
        exit "$status"
    fi
    echo "shard $k/$SHARDS: $(grep -E '^[0-9]+ scenarios' "$OUT/shard-$k.txt")"
done
echo
concheck merge "$OUT"/shard-*.json --json "$OUT/merged.json" --markdown "$OUT/merged.md"
