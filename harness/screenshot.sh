#!/usr/bin/env bash
# Renders concheck's HTML reports in headless Chromium and screenshots them, to look at them as
# a person would: the main command's pages for four buggy twins (a lost wakeup, a double close,
# a leak, an AB-BA deadlock), their index, and the pages of hand-made traces shaped like the
# recorder's (src/check/fixtures.rs, written by a unit test when CONCHECK_HTML_DEMO is set).
#
#   harness/screenshot.sh                        # the four twins under loom and std
#   harness/screenshot.sh fan_in pipeline        # other scenarios (names containing these)
#   CHECKERS=shuttle-pct TALL=0 harness/screenshot.sh
#
# Pages and PNGs go to $OUT (default target/concheck-html): NAME.png is the first screen
# (1400x1000, as a reader first sees it), NAME-tall.png the first $TALL pixels (default 2400; 0
# skips it), demo/ the hand-made traces. Installs Debian's chromium if it is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${OUT:-target/concheck-html}
CHECKERS=${CHECKERS:-loom,std}
TALL=${TALL:-2400}
if [ "$#" -eq 0 ]; then
    set -- ready_flag_lost_wakeup worker_pool_double_close request_timeout_leaks_child \
        lock_order_ab_ba
fi

if ! command -v chromium >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "chromium is missing: installing Debian's package" >&2
    $sudo apt-get install -y chromium >/dev/null ||
        { $sudo apt-get update >/dev/null && $sudo apt-get install -y chromium >/dev/null; }
fi

rm -rf "$OUT"
mkdir -p "$OUT/demo"
OUT=$(cd "$OUT" && pwd)

# A debug build: these checks take a second, a release build of the workspace minutes.
status=0
cargo run --quiet -p concheck-harness -- run "$@" --checker "$CHECKERS" --html "$OUT" \
    >"$OUT/run.txt" 2>&1 || status=$?
if [ "$status" -gt 1 ]; then
    echo "concheck run could not run (exit $status):" >&2
    cat "$OUT/run.txt" >&2
    exit "$status"
fi
grep -E '^[0-9]+ scenarios|^HTML reports' "$OUT/run.txt"

CONCHECK_HTML_DEMO="$OUT/demo" cargo test --quiet -p concheck --lib \
    report::html::tests::html_demo_pages_are_written_when_asked >/dev/null 2>&1 ||
    { echo "the demo pages' test failed: run it for details:" \
        "cargo test -p concheck --lib report::html" >&2; exit 1; }

shot() { # page.html out.png height
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --hide-scrollbars --window-size="1400,$3" --screenshot="$2" "file://$1" \
        >/dev/null 2>&1 || { echo "chromium could not render $1" >&2; return 1; }
}

for page in "$OUT"/*.html "$OUT"/demo/*.html; do
    shot "$page" "${page%.html}.png" 1000
    if [ "$TALL" -gt 0 ]; then
        shot "$page" "${page%.html}-tall.png" "$TALL"
    fi
done

echo "screenshots (open index.html in a browser for the pages themselves):"
ls -1 "$OUT"/*.png "$OUT"/demo/*.png | sed 's/^/  /'
