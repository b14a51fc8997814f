#!/bin/sh
# make run: serve the portal through nginx in the foreground.
# Without VOUCHER_CONF: a development configuration in var/ with a demo
# database (created once).  With VOUCHER_CONF: that configuration as it is
# (init only, never demo).  Ctrl-C or SIGTERM stops nginx and voucherd.
set -eu
cd "$(dirname "$0")/.."
PORT=${PORT:-8080}
if [ -z "${VOUCHER_CONF:-}" ]; then
    mkdir -p var
    [ -f var/voucher.conf ] || sed -e "s|^base_url = .*|base_url = http://127.0.0.1:$PORT|" \
        conf/voucher.conf > var/voucher.conf
    export VOUCHER_CONF="$PWD/var/voucher.conf"
    fresh=1; [ -f var/voucher.db ] && fresh=0
    bin/voucherctl init
    [ "$fresh" = 1 ] && bin/voucherctl demo > var/demo-logins.txt
    cat var/demo-logins.txt 2>/dev/null || true
else
    bin/voucherctl init
fi
prefix=$(mktemp -d "${TMPDIR:-/tmp}/voucher-nginx.XXXXXX")
bin/voucherctl nginx-conf --port "$PORT" --prefix "$prefix" > "$prefix/nginx.conf"
bin/voucherd &
voucherd=$!
nginx -c "$prefix/nginx.conf" -p "$prefix" &
nginx=$!
stop() {
    trap - INT TERM
    kill -TERM "$nginx" "$voucherd" 2>/dev/null || true
    wait "$nginx" "$voucherd" 2>/dev/null || true
    rm -rf "$prefix"
    exit "${1:-0}"
}
trap stop INT TERM
echo "Voucher-Portal: http://127.0.0.1:$PORT  (Ctrl-C stops)"
bin/voucherctl config | awk -F' = ' '/^smtp_url = *$/ {spool = 1} /^spool_dir = / {dir = $2}
    END {if (spool) print "E-Mails (no [mail] smtp_url set) are written as .eml files to " dir}'

# When either one ends (voucherd crashed, nginx failed), stop the other:
# nginx alone would answer every request with 502.
while kill -0 "$voucherd" 2>/dev/null && kill -0 "$nginx" 2>/dev/null; do
    sleep 1
done
kill -0 "$voucherd" 2>/dev/null || echo "voucherd ended: stopping nginx" >&2
kill -0 "$nginx" 2>/dev/null || echo "nginx ended: stopping voucherd" >&2
stop 1
