#!/usr/bin/env bash
# The one test runner (called by `make test` after building):
#   tests/run.sh [UNIT_TEST_BINARY...]
# Runs every cmocka unit-test binary given, then a short deterministic smoke
# run of each libFuzzer target named in $FUZZERS (one test each), then the
# Node.js integration and browser tests (node:test). Shows all output, counts passed/failed over all of
# them and prints as its very last line exactly "N passed, M failed".
# Exit status 1 when anything failed, a program crashed, or nothing ran.
set -u

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1

passed=0
failed=0
skipped=0
problems=0
work="$(mktemp -d "${TMPDIR:-/tmp}/voucher-tests.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# ---- cmocka unit tests ----------------------------------------------------
for bin in "$@"; do
    echo "### unit tests: $bin"
    if [ ! -x "$bin" ]; then
        echo "!!! $bin: not found or not executable"
        failed=$((failed + 1)); problems=1
        continue
    fi
    out="$work/unit.out"
    CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$out" 2>&1
    rc=$?
    cat "$out"
    # TAP lines of cmocka: "ok N - name", "not ok N - name", "not ok N # SKIP name"
    p=$(grep -cE '^ok [0-9]+' "$out")
    s=$(grep -cE '^(not )?ok [0-9]+ *# *SKIP' "$out")
    f=$(grep -E '^not ok [0-9]+' "$out" | grep -cvE '# *SKIP')
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
        # No TAP: fall back to cmocka's standard summary lines.
        p=$(awk '/^\[  PASSED  \] [0-9]+ test/ {n += $4} END {print n + 0}' "$out")
        f=$(awk '/^\[  FAILED  \] [0-9]+ test/ {n += $4} END {print n + 0}' "$out")
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$rc" -ge 128 ]; then
        echo "!!! $bin crashed (exit status $rc, signal $((rc - 128)))"
        failed=$((failed + 1)); problems=1
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "!!! $bin exited with status $rc but reported no failed test"
        failed=$((failed + 1)); problems=1
    elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
        echo "!!! $bin ran no test"
        problems=1
    fi
done

# ---- the layer map (tests/layers/check.sh, docs/architecture.md) ----------
# Two tests: src/ has no upward include, and the check itself refuses one
# (a copy of src/ where the base module mem.c includes the page layer).
echo "### layer check"
if out="$(bash tests/layers/check.sh src 2>&1)"; then
    echo "$out"; echo "ok - layers: src/ includes only its own and lower layers"; passed=$((passed + 1))
else
    echo "$out"; echo "not ok - layers: upward includes in src/ (see above)"; failed=$((failed + 1))
fi
mkdir -p "$work/layers"
cp src/*.c src/*.h "$work/layers/"
printf '#include "handlers.h"\n' >>"$work/layers/mem.c"
if out="$(bash tests/layers/check.sh "$work/layers" 2>&1)"; then
    echo "not ok - layers: the check accepted mem.c (base) including handlers.h (http)"; failed=$((failed + 1))
elif grep -q 'src/mem.c (base) includes "handlers.h" (http)' <<<"$out"; then
    echo "ok - layers: the check refuses an upward include and names it"; passed=$((passed + 1))
else
    echo "$out"; echo "not ok - layers: the check failed without naming mem.c's upward include"; failed=$((failed + 1))
fi

# ---- fuzz smoke runs (tests/fuzz/, built by `make test`) --------------------
# Each fuzzer replays its seed corpus and tries 5000 mutations with a fixed
# seed: deterministic, a second or so each.  New inputs go to a scratch
# directory, never into tests/fuzz/corpus/.
for bin in ${FUZZERS:-}; do
    name="${bin##*/fuzz_}"
    echo "### fuzz smoke run: $bin"
    if [ ! -x "$bin" ]; then
        echo "not ok - fuzz_$name: $bin not found or not executable"
        failed=$((failed + 1)); problems=1
        continue
    fi
    mkdir -p "$work/fuzz/$name"
    out="$work/fuzz-$name.out"
    "$bin" -seed=1 -runs=5000 -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/fuzz/$name-" "$work/fuzz/$name" "tests/fuzz/corpus/$name" >"$out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^Done [0-9]* runs' "$out"; then
        echo "ok - fuzz_$name ($(grep -o '^Done [0-9]* runs in [0-9]* second(s)' "$out"))"
        passed=$((passed + 1))
    else
        cat "$out"
        echo "not ok - fuzz_$name (exit status $rc; reproduce: $bin FILE with the input above)"
        failed=$((failed + 1)); problems=1
    fi
done

# ---- node:test integration and browser tests --------------------------------
shopt -s nullglob
files=(tests/integration/*.test.mjs tests/browser/*.test.mjs)
shopt -u nullglob
if [ "${#files[@]}" -gt 0 ]; then
    echo "### node tests: ${files[*]}"
    if [ ! -d node_modules ]; then
        echo "### node_modules missing: running npm ci"
        npm ci --no-audit --no-fund || { echo "!!! npm ci failed"; problems=1; }
    fi
    # Run the servers under test with the sanitizer builds when `make test`
    # made them and they are not older than bin/ (TEST_BIN_DIR=bin overrides).
    if [ -z "${TEST_BIN_DIR:-}" ] &&
       [ -x build/asan/bin/voucherd ] && [ -x build/asan/bin/voucherctl ] &&
       ! [ bin/voucherd -nt build/asan/bin/voucherd ] &&
       ! [ bin/voucherctl -nt build/asan/bin/voucherctl ]; then
        export TEST_BIN_DIR=build/asan/bin
    fi
    echo "### binaries under test: ${TEST_BIN_DIR:-bin}"
    out="$work/node.out"
    node --test --test-reporter=tap --test-concurrency=2 "${files[@]}" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    # node's TAP reporter ends with "# pass N", "# fail N", "# cancelled N", ...
    p=$(awk '/^# pass [0-9]+$/ {n = $3} END {print n + 0}' "$out")
    f=$(awk '/^# fail [0-9]+$/ {n = $3} END {print n + 0}' "$out")
    c=$(awk '/^# cancelled [0-9]+$/ {n = $3} END {print n + 0}' "$out")
    s=$(awk '/^# skipped [0-9]+$/ {n = $3} END {print n + 0}' "$out")
    passed=$((passed + p)); failed=$((failed + f + c)); skipped=$((skipped + s))
    if ! grep -qE '^# pass [0-9]+$' "$out"; then
        echo "!!! node --test printed no summary (exit status $rc)"
        failed=$((failed + 1)); problems=1
    elif [ "$rc" -ne 0 ] && [ $((f + c)) -eq 0 ]; then
        echo "!!! node --test exited with status $rc but reported no failed test"
        failed=$((failed + 1)); problems=1
    fi
fi

status=0
if [ "$failed" -gt 0 ] || [ "$problems" -ne 0 ] || [ $((passed + failed)) -eq 0 ]; then
    status=1
fi
[ $((passed + failed)) -eq 0 ] && echo "!!! no test ran"
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
exit "$status"
