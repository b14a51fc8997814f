#!/usr/bin/env bash
# `make valgrind`: tests/valgrind.sh UNIT_TEST_BINARY...
# 1. every unit-test binary (built without ASan) under memcheck;
# 2. a short integration pass (VG_INTEGRATION, default: the foundation
#    tests: pages, catalog import, errors, headers) with bin/voucherd and bin/voucherctl run under memcheck
#    through wrapper scripts (TEST_BIN_DIR).
# Fails on any memcheck error or definite/indirect leak; "still reachable"
# memory of the libraries (GLib's type system, libcurl's globals) is not a leak.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
VG=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --suppressions=tests/valgrind.supp --num-callers=30)
bad=0

for bin in "$@"; do
    echo "### memcheck: $bin"
    if ! "${VG[@]}" "$bin" >/tmp/vg-unit.$$ 2>&1; then
        cat /tmp/vg-unit.$$
        echo "!!! $bin: memcheck errors, leaks or failed tests"
        bad=1
    else
        grep -E '^\[  (PASSED|FAILED) \]' /tmp/vg-unit.$$
    fi
done
rm -f /tmp/vg-unit.$$

wrap="$root/build/vg/bin"
logs="$root/build/vg/logs"
rm -rf "$logs"
mkdir -p "$wrap" "$logs"
for prog in voucherd voucherctl; do
    cat >"$wrap/$prog" <<WRAP
#!/bin/sh
exec ${VG[*]/--suppressions=tests\/valgrind.supp/--suppressions=$root/tests/valgrind.supp} --log-file=$logs/$prog.%p.log $root/bin/$prog "\$@"
WRAP
    chmod +x "$wrap/$prog"
done
files=${VG_INTEGRATION:-tests/integration/foundation.test.mjs}
echo "### integration under memcheck: $files"
if ! TEST_BIN_DIR=build/vg/bin TEST_TIME_SCALE=40 node --test --test-concurrency=1 $files; then
    echo "!!! integration tests failed under memcheck"
    bad=1
fi
for log in "$logs"/*.log; do
    [ -s "$log" ] || continue
    if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost|indirectly lost|Invalid (read|write)|uninitialised' "$log"; then
        echo "!!! memcheck report $log:"
        cat "$log"
        bad=1
    fi
done
n=$(ls "$logs" | wc -l)
if [ "$bad" -ne 0 ]; then
    echo "valgrind: FAILED"
    exit 1
fi
echo "valgrind: clean ($# unit-test programs, $n program runs of the integration pass)"
