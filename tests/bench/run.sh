#!/bin/sh
# make bench: wrk through one nginx against GET /kurse of voucherd and
# against a plain libfcgi hello-world with a page of the same size, in one
# run on this machine; prints both requests/s and the ratio.  Then the
# ordering benchmark when it exists.  Timing never goes into `make test`.
set -eu
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-4}
dir=$(mktemp -d "${TMPDIR:-/tmp}/voucher-bench.XXXXXX")
chmod 755 "$dir"
cleanup() {
    [ -n "${pids:-}" ] && kill $pids 2>/dev/null
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/voucher.conf" <<CONF
[server]
socket = $dir/voucherd.sock
threads = $THREADS
base_url = http://127.0.0.1:$port
[database]
path = $dir/voucher.db
[security]
key_file = $dir/voucher.key
[mail]
spool_dir = $dir/spool
CONF
export VOUCHER_CONF="$dir/voucher.conf"
bin/voucherctl init >/dev/null
bin/voucherctl demo >/dev/null
bin/voucherctl nginx-conf --port "$port" --prefix "$dir" |
    sed "s|        location / {|        location = /hello { include /etc/nginx/fastcgi_params; fastcgi_pass unix:$dir/hello.sock; }\n        location / {|" \
    > "$dir/nginx.conf"
bin/voucherd 2>"$dir/voucherd.log" &
pids="$!"
nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log" &
pids="$pids $!"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
size=$(curl -sf "http://127.0.0.1:$port/kurse" | wc -c)
build/bench/hello "$dir/hello.sock" "$size" "$THREADS" &
pids="$pids $!"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/hello" >/dev/null && break; sleep 0.1; done

rate() { wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'; }
echo "page size: $size bytes; wrk -t2 -c$CONNECTIONS -d$DURATION; $THREADS FastCGI threads each"
hello=$(rate "http://127.0.0.1:$port/hello")
echo "hello-world (ceiling): $hello requests/s"
kurse=$(rate "http://127.0.0.1:$port/kurse")
echo "GET /kurse:            $kurse requests/s"
awk -v k="$kurse" -v h="$hello" 'BEGIN { printf "ratio: %.0f %% of the ceiling (goal: at least 75 %%)\n", 100 * k / h }'
if [ -x tests/bench/order.sh ]; then
    sh tests/bench/order.sh
fi
# The code generator's own path (codes_generate, as order.c calls it), 1,000,000 codes; goal < 2 s.
build/bench/codegen 1000000
