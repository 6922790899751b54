#!/usr/bin/env bash
# Runs the full `cargo test` (the README's and CI's test command) N times in a row, default 20,
# and prints how many runs passed and failed: a test that fails one run in twenty is flaky.
# The log of each failing run is kept in target/flake/run-K.log.
#
#   harness/flake.sh        # 20 runs
#   harness/flake.sh 5      # 5 runs
#
# Exits 1 if any run failed. Run it with another build beside it to see flakes that load brings
# out (the 2-core machine is rarely idle).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-20}
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "harness/flake.sh: $runs is not a number of runs: give a whole number of 1 or more" >&2
    exit 2
fi

logs=target/flake
mkdir -p "$logs"
# Build once first, so a compile error is reported as one, not as N failed runs.
if ! cargo test --no-run >"$logs/build.log" 2>&1; then
    echo "harness/flake.sh: cargo test does not build; see $logs/build.log" >&2
    exit 2
fi

passed=0
failed=0
for k in $(seq 1 "$runs"); do
    start=$(date +%s)
    if cargo test >"$logs/run-$k.log" 2>&1; then
        passed=$((passed + 1))
        rm -f "$logs/run-$k.log"
        status=ok
    else
        failed=$((failed + 1))
        status="FAILED (log: $logs/run-$k.log)"
    fi
    echo "run $k/$runs: $status in $(($(date +%s) - start))s"
done

echo "$passed of $runs runs passed, $failed failed"
[ "$failed" -eq 0 ]
