#!/bin/sh
# Benchmark (make bench, not make test): how long `voucherctl order add`
# takes to place orders of 1,000 and 10,000 codes, each in one transaction
# with its invoice PDF, codes.csv and outgoing e-mail, on a temporary
# database.  Prints one line per size: codes, seconds, codes per second.
set -eu
cd "$(dirname "$0")/../.."
ctl="$PWD/bin/voucherctl"
[ -x "$ctl" ] || { echo "bin/voucherctl is missing: run make" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/voucher-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cat > "$dir/voucher.conf" <<CONF
[database]
path = voucher.db
[security]
key_file = voucher.key
[mail]
spool_dir = spool
CONF
export VOUCHER_CONF="$dir/voucher.conf"
"$ctl" init > /dev/null
"$ctl" demo > /dev/null
for codes in 1000 10000; do
    start=$(date +%s.%N)
    "$ctl" order add --username gemeinde --item "dsgvo-grundlagen=$codes" > "$dir/out.txt"
    end=$(date +%s.%N)
    lines=$(($(wc -l < "$dir/out.txt") - 1))
    [ "$lines" -eq "$codes" ] || { echo "expected $codes codes, got $lines" >&2; exit 1; }
    awk -v n="$codes" -v s="$start" -v e="$end" \
        'BEGIN { t = e - s; printf "order of %5d codes: %6.3f s (%d codes/s)\n", n, t, n / t }'
done
