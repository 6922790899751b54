#!/usr/bin/env bash
# The speed-up of shuttle's parallel search over one worker on this machine: schedules per
# second of `worker_pool` (or the scenario given) on 1 worker and on every core, in alternating
# rounds, with the load average before and after (the figure means little on a busy machine).
#
#   harness/speedup.sh                              # worker_pool, 20,000 schedules, 5 rounds
#   harness/speedup.sh fan_in --iterations 50000 --checker shuttle-pct
set -euo pipefail
cd "$(dirname "$0")/.."
echo "uptime: $(uptime)"
cargo run --quiet --release -p concheck-harness -- speedup "$@"
echo "uptime: $(uptime)"
