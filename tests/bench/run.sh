#!/bin/bash
# make bench (issue 8 item 4): on the real-size data set (voucherctl demo
# --scale, cached under var/bench/ keyed by the schema and the generator),
# wrk through one nginx against voucherd and against a plain libfcgi
# hello-world (tests/bench/hello.c, the ceiling) in the same run,
# interleaved (ceiling, target, ceiling, ... for ROUNDS rounds); prints ONE
# table (requests/s, p50, p99, ratio to the ceiling, the target of issue 8
# item 6 and met/missed), writes it as JSON to var/bench/latest.json.
# Successful redemptions/s: REDEEMERS accounts of the data set that hold no
# course yet get the demo password (sqlite3, before voucherd starts) and log
# in through HTTP; a tenant admin orders REDEEMERS codes of every course
# through the order form; wrk (tests/bench/redeem.lua) posts each (session,
# code) pair once, ROUNDS rounds interleaved with the ceiling; afterwards
# sqlite3 checks that every success wrk saw is exactly one redeemed code
# with its enrollment and its OK attempt (none lost, none doubled).
# PAGES=0 leaves the page targets out (a quick run of the rest).
# Overridable: DURATION (5s) ROUNDS (3) CONNECTIONS (32) THREADS (4)
# REDEEMERS (1200: 6,000 codes, rounds of 2,000 redemptions — with 400, a
# round of 667 lasted under half a second and measured wrk's start as much
# as voucherd) REDEEM_DURATION (30s, a bound: a round ends when its pairs
# are answered) SCALE (1: 2,100 municipalities, 200,000 accounts,
# 1,000,000 vouchers).
# A quick run: DURATION=2s ROUNDS=1 SCALE=0.01 make bench.
# Timing never goes into make test.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-4}
SCALE=${SCALE:-1}
REDEEMERS=${REDEEMERS:-1200}
REDEEM_DURATION=${REDEEM_DURATION:-30s}
out=var/bench
mkdir -p "$out"
dir=$(mktemp -d "${TMPDIR:-/tmp}/voucher-bench.XXXXXX")
chmod 755 "$dir"
# The confirmation mails of the redemptions are spooled to tmpfs when there
# is one (production mail goes by SMTP; ext4 inode allocation for 10,000s of
# spool files would be measured instead of the redemption).
spool=$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo "$dir")/voucher-bench-spool.XXXXXX")
pids=""
cleanup() {
    [ -n "$pids" ] && kill $pids 2>/dev/null
    wait 2>/dev/null || true
    rm -rf "$dir" "$spool"
}
trap cleanup EXIT INT TERM
results="$dir/results.tsv" # name <tab> kind <tab> figures...
: > "$results"
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.3f", e - s }'; }

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
spool_dir = $spool
CONF
export VOUCHER_CONF="$dir/voucher.conf"
ctl=bin/voucherctl

# ---- the data set: cached per schema, generator and scale ----
key=$( (cat sql/*.sql src/demo.c src/order.c src/codes.c; echo "$SCALE") | sha256sum | cut -c1-16)
cache="$out/data-$key"
if [ -f "$cache.backup" ] && [ -f "$cache.key" ]; then
    cp "$cache.key" "$dir/voucher.key"
    chmod 600 "$dir/voucher.key"
    $ctl restore "$cache.backup" >/dev/null
    echo "data set: cached $cache.backup (SCALE=$SCALE)"
    demo_seconds=$(cat "$cache.seconds" 2>/dev/null || echo "")
else
    rm -f "$out"/data-*
    $ctl init >/dev/null
    t=$(now)
    # Built with synchronous=off (same code paths; a data set half written
    # by a crash is thrown away anyway): fewer fsyncs, about a fifth of the
    # writes (251,776 against 1,350,144 blocks at SCALE=0.2).
    VOUCHER_DATABASE_SYNCHRONOUS=off $ctl demo --scale="$SCALE" | tail -1
    demo_seconds=$(elapsed "$t")
    echo "$demo_seconds" > "$cache.seconds"
fi
t=$(now)
$ctl backup "$dir/backup.db" >/dev/null
backup_seconds=$(elapsed "$t")
[ -f "$cache.backup" ] || { cp "$dir/backup.db" "$cache.backup"; cp "$dir/voucher.key" "$cache.key"; }
rm -f "$dir/backup.db"

# ---- the redeemers: accounts without any course get the demo password ----
# (the data set's accounts have none: they are imported from the LMS).  The
# same Argon2id string as "mitarbeiterin"; the logins below are real ones.
sqlite3 "$dir/voucher.db" "UPDATE accounts SET password_hash =
    (SELECT password_hash FROM accounts WHERE username = 'mitarbeiterin')
  WHERE id IN (SELECT a.id FROM accounts a WHERE a.role = 'user' AND a.disabled = 0
    AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.account_id = a.id) ORDER BY a.id DESC LIMIT $REDEEMERS)
  RETURNING username" > "$dir/redeemers"
mapfile -t courses < <(sqlite3 "$dir/voucher.db" \
    "SELECT slug FROM catalog_items WHERE kind = 'course' AND price_cents > 0 AND active = 1 ORDER BY id")
nredeemers=$(wc -l < "$dir/redeemers")

# ---- servers ----
$ctl nginx-conf --port "$port" --prefix "$dir" |
    sed "s|        location / {|        location = /hello { include /etc/nginx/fastcgi_params; fastcgi_pass unix:$dir/hello.sock; }\n        location / {|" \
    > "$dir/nginx.conf"
bin/voucherd 2>"$dir/voucherd.log" &
vpid=$!
pids="$vpid"
nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log" &
pids="$pids $!"
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
size=$(curl -sf "$base/kurse" | wc -c)
build/bench/hello "$dir/hello.sock" "$size" "$THREADS" &
pids="$pids $!"
for _ in $(seq 100); do curl -sf "$base/hello" >/dev/null && break; sleep 0.1; done

# Logs USER in (demo password); prints the Cookie header value.
login() {
    local jar="$dir/jar-$1"
    local csrf
    csrf=$(curl -sf -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
    curl -sf -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "username=$1" \
        --data-urlencode "password=demo-passwort" "$base/login" || true
    awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$jar"
}
user_cookie=$(login mitarbeiterin)
support_cookie=$(login support)
admin_cookie=$(login admin)
tenant_cookie=$(login gemeinde)
# The demo's first order: Musterstadt's 10,000 codes.
order=$(curl -sf -H "Cookie: $tenant_cookie" "$base/bestellungen" | grep -o 'href="/bestellungen/[0-9]*"' | tr -dc '0-9\n' | sort -n | head -1)
curl -sf -H "Cookie: $tenant_cookie" "$base/bestellungen/$order/codes.csv" > "$dir/codes.csv"
code=$(grep -o 'SBA-[A-Z0-9-]*' "$dir/codes.csv" | tail -1)
ncodes=$(grep -c 'SBA-' "$dir/codes.csv")
# A mistyped code: one symbol changed.
typo=$(echo "$code" | awk '{ c = substr($0, 6, 1); r = (c == "A") ? "B" : "A"; print substr($0, 1, 5) r substr($0, 7) }')
# demo --scale's account number 777 (first_names[777 % 40], last_names[777 / 40 % 50] in src/demo.c).
sample_user=sophie.schneider

# wrk URL [COOKIE] -> "rps p50ms p99ms"
measure() {
    local args=(--latency -t2 -c"$CONNECTIONS" -d"$DURATION")
    [ -n "${2:-}" ] && args+=(-H "Cookie: $2")
    wrk "${args[@]}" "$1" | awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 } / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) }
        /Non-2xx/ { bad = $NF }
        END { printf "%s %.2f %.2f %s\n", rps, p50, p99, bad + 0 }'
}
# name | path | cookie | target: ratio (0 = none) | p99 limit ms
targets=(
    "GET /|/||75|10"
    "GET /kurse|/kurse||75|10"
    "GET /voucher/einloesen|/voucher/einloesen||75|10"
    "GET /kurse (angemeldet)|/kurse|$user_cookie|75|10"
    "GET /meine-kurse|/meine-kurse|$user_cookie|75|10"
    "Support: Code|/support?q=$code|$support_cookie|0|5"
    "Support: Benutzername|/support?q=$sample_user|$support_cookie|0|50"
    "Support: vertippter Code|/support?q=$typo|$support_cookie|0|50"
    "GET /admin/gemeinden|/admin/gemeinden|$admin_cookie|0|50"
    "GET /admin/konten|/admin/konten|$admin_cookie|0|50"
    "Bestellungsseite, $ncodes Codes|/bestellungen/$order|$tenant_cookie|0|50"
    "codes.csv, $ncodes Codes|/bestellungen/$order/codes.csv|$tenant_cookie|0|50"
)
# Every target answers 200 before it is measured; support finds the code.
for t in "${targets[@]}"; do
    IFS='|' read -r name path cookie goal limit <<< "$t"
    st=$(curl -s -o "$dir/page" -w '%{http_code}' -H "Cookie: $cookie" "$base$path")
    [ "$st" = 200 ] || { echo "bench: $name ($path) answered $st" >&2; exit 1; }
done
st=$(curl -s -o "$dir/page" -w '%{http_code}' -H "Cookie: $support_cookie" "$base/support?q=$code")
[ "$st" = 200 ] && grep -q "$code" "$dir/page" ||
    { echo "bench: support search does not find $code (HTTP $st); voucherd's log ends:" >&2
      tail -5 "$dir/voucherd.log" >&2; exit 1; }
# Places an order through the order form as "gemeinde" (GET /bestellen for
# csrf and order_token, POST with confirm=1); ARGS: qty_SLUG=N ...  Prints
# "ORDER_ID SECONDS" (SECONDS: the confirming POST until its response).
order_http() {
    local form csrf token st
    form=$(curl -sf -H "Cookie: $tenant_cookie" "$base/bestellen")
    csrf=$(echo "$form" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
    token=$(echo "$form" | sed -n 's/.*name="order_token" value="\([^"]*\)".*/\1/p' | head -1)
    local args=(--data-urlencode "csrf=$csrf" --data-urlencode "order_token=$token"
                --data-urlencode "reference=make bench" --data-urlencode "confirm=1")
    for q in "$@"; do args+=(--data-urlencode "$q"); done
    st=$(curl -s -o /dev/null -w '%{http_code} %{time_total} %{redirect_url}' -H "Cookie: $tenant_cookie" \
        "${args[@]}" "$base/bestellen")
    set -- $st
    [ "$1" = 303 ] || { echo "bench: the order form answered $1" >&2; return 1; }
    echo "${3##*/} $2"
}

# Logs a redeemer in through HTTP; prints "cookie <TAB> csrf <TAB> username"
# with the csrf token of the logged-in redemption form.
redeemer_login() {
    local jar="$dir/jar-r-$1" csrf
    csrf=$(curl -sf -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
    curl -sf -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "username=$1" \
        --data-urlencode "password=demo-passwort" "$base/login" || return 0
    csrf=$(curl -sf -b "$jar" "$base/voucher/einloesen" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
    printf '%s\t%s\t%s\n' "$(awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$jar")" \
        "$csrf" "$1"
}
export -f redeemer_login
export base dir
t=$(now)
xargs -P "$THREADS" -I{} bash -c 'redeemer_login "$1"' _ {} < "$dir/redeemers" | grep "vp_session=" > "$dir/sessions" || true
login_seconds=$(elapsed "$t")
nsessions=$(wc -l < "$dir/sessions")
[ "$nsessions" -eq "$nredeemers" ] && [ "$nsessions" -gt 0 ] ||
    { echo "bench: $nsessions of $nredeemers redeemers logged in" >&2; exit 1; }
qty=()
for c in "${courses[@]}"; do qty+=("qty_$c=$nsessions"); done
read -r redeem_order _ < <(order_http "${qty[@]}")
curl -sf -H "Cookie: $tenant_cookie" "$base/bestellungen/$redeem_order/codes.csv" > "$dir/redeem-codes.csv"
# Pairs: the i-th code of each course goes to the i-th session; round k of
# ROUNDS gets every ROUNDS-th pair.
awk -F';' -v rounds="$ROUNDS" -v dir="$dir" '
    NR == FNR { session[FNR - 1] = $0; next }
    { sub(/\r$/, "") }
    $2 ~ /^SBA-/ { i = seen[$1]++; line = session[i] "\t" $2; k = n++ % rounds + 1
                   print session[i] "\t" $2 > (dir "/tuples-" k) }
    END { print n }' FS='\t' "$dir/sessions" FS=';' "$dir/redeem-codes.csv" > "$dir/npairs"
npairs=$(cat "$dir/npairs")
[ "$npairs" -eq $((nsessions * ${#courses[@]})) ] ||
    { echo "bench: $npairs (session, code) pairs, expected $((nsessions * ${#courses[@]}))" >&2; exit 1; }
echo "redemptions: $nsessions accounts logged in through HTTP in ${login_seconds} s, order $redeem_order of $npairs codes (${#courses[@]} courses each)"

echo "page size $size bytes; wrk -t2 -c$CONNECTIONS -d$DURATION, $ROUNDS rounds interleaved with the ceiling; $THREADS FastCGI threads each"
[ "${PAGES:-1}" = 0 ] && targets=() # PAGES=0: only the redemptions and the times
for round in $(seq "$ROUNDS"); do
    for t in "${targets[@]}"; do
        IFS='|' read -r name path cookie goal limit <<< "$t"
        h=$(measure "$base/hello")
        v=$(measure "$base$path" "$cookie")
        printf '%s\t%s\t%s\t%s\t%s\t0\n' "$name" "$goal" "$limit" "$h" "$v" >> "$results"
        echo "  round $round: $name: $v (ceiling $h)"
    done
done

# ---- successful redemptions/s: each (session, code) pair once ----
redeem_seen=0
redeem_other=0
for round in $(seq "$ROUNDS"); do
    h=$(measure "$base/hello")
    # Ends when every pair is answered (REDEEM_DURATION only bounds it).
    r=$(REDEEM_TUPLES="$dir/tuples-$round" REDEEM_THREADS=2 wrk --latency -t2 -c"$CONNECTIONS" \
        -d"$REDEEM_DURATION" --timeout 10s -s tests/bench/redeem.lua "$base/voucher/einloesen" | tee "$dir/wrk-redeem" |
        awk '/^REDEEM/ { s = ($5 - $4) / 1e6; printf "%s %s %.0f %s %s %s %s\n", $2, $3, (s > 0 ? $2 / s : 0), $6, $7, $8, $9 }')
    read -r ok other rate p50 p99 sent answered <<< "$r"
    redeem_seen=$((redeem_seen + ok))
    redeem_other=$((redeem_other + other + sent - answered))
    [ "$sent" -eq "$(wc -l < "$dir/tuples-$round")" ] && [ "$answered" -eq "$sent" ] ||
        { echo "  round $round: $sent of $(wc -l < "$dir/tuples-$round") pairs sent, $answered answered within $REDEEM_DURATION" >&2
          grep -i 'error\|timeout' "$dir/wrk-redeem" >&2 || true; }
    printf '%s\t0\t0\t%s\t%s %s %s %s\t1500\n' "Einlösungen/s (POST, neue Codes)" "$h" "$rate" "$p50" "$p99" "$other" >> "$results"
    echo "  round $round: redemptions: $ok successes, $other other answers, $rate/s, p50 $p50 ms, p99 $p99 ms (ceiling $h)"
done
# Every success wrk saw is exactly one redeemed code of the order with its
# enrollment and its OK attempt; none lost, none doubled.
read -r db_redeemed db_enrolled db_enrolled_codes db_ok db_ok_codes <<< "$(sqlite3 -separator ' ' "$dir/voucher.db" "
    SELECT (SELECT count(*) FROM vouchers WHERE order_id = $redeem_order AND redeemed_at IS NOT NULL),
           (SELECT count(*) FROM enrollments e JOIN vouchers v ON v.id = e.voucher_id WHERE v.order_id = $redeem_order),
           (SELECT count(DISTINCT e.voucher_id) FROM enrollments e JOIN vouchers v ON v.id = e.voucher_id
             WHERE v.order_id = $redeem_order),
           (SELECT count(*) FROM redemption_attempts a JOIN vouchers v ON v.id = a.voucher_id
             WHERE v.order_id = $redeem_order AND a.result = 'OK'),
           (SELECT count(DISTINCT a.voucher_id) FROM redemption_attempts a JOIN vouchers v ON v.id = a.voucher_id
             WHERE v.order_id = $redeem_order AND a.result = 'OK')")"
redeem_check="$redeem_seen successes seen by wrk, $db_redeemed codes redeemed, $db_enrolled enrollments of $db_enrolled_codes codes, $db_ok OK attempts of $db_ok_codes codes, $redeem_other other answers"
redeem_ok=0
[ "$redeem_seen" -gt 0 ] && [ "$db_redeemed" -eq "$redeem_seen" ] && [ "$db_enrolled" -eq "$redeem_seen" ] &&
    [ "$db_enrolled_codes" -eq "$redeem_seen" ] && [ "$db_ok" -eq "$redeem_seen" ] && [ "$db_ok_codes" -eq "$redeem_seen" ] &&
    [ "$redeem_other" -eq 0 ] && redeem_ok=1
echo "redemptions checked: $redeem_check: $([ $redeem_ok = 1 ] && echo 'none lost, none doubled' || echo MISMATCH)"

# ---- times ----
read -r http_order order_http_seconds < <(order_http "qty_dsgvo-grundlagen=10000")
[ "$(sqlite3 "$dir/voucher.db" "SELECT count(*) FROM vouchers WHERE order_id = $http_order")" -eq 10000 ] ||
    { echo "order $http_order: expected 10000 codes" >&2; exit 1; }
t=$(now)
$ctl order add --username gemeinde --item "dsgvo-grundlagen=10000" > "$dir/order.txt"
order_seconds=$(elapsed "$t")
[ "$(($(wc -l < "$dir/order.txt") - 1))" -eq 10000 ] || { echo "order: expected 10000 codes" >&2; exit 1; }
codegen=$(build/bench/codegen 1000000)
codegen_cpu=$(echo "$codegen" | awk '{ print $6 }')
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$vpid/status")
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$vpid/status")

python3 - "$results" "$out/latest.json" <<PY
import json, sys, statistics, subprocess, platform, datetime
rows = {}
order = []
for line in open(sys.argv[1]):
    name, goal, limit, h, v, least = line.rstrip("\n").split("\t")
    hr, hp50, hp99, _ = h.split(); vr, vp50, vp99, bad = v.split()
    if name not in rows: rows[name] = []; order.append(name)
    rows[name].append((float(hr), float(vr), float(vp50), float(vp99), int(bad), float(goal), float(limit),
                       float(least)))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
table = []
print()
print("| target | req/s | p50 ms | p99 ms | % of ceiling | goal | met |")
print("|---|---|---|---|---|---|---|")
for name in order:
    r = rows[name]
    rps = statistics.median(x[1] for x in r); p50 = statistics.median(x[2] for x in r)
    p99 = statistics.median(x[3] for x in r); ratio = statistics.median(100 * x[1] / x[0] for x in r)
    goal, limit, least = r[0][5], r[0][6], r[0][7]; bad = sum(x[4] for x in r)
    ok = (limit == 0 or p99 < limit) and (goal == 0 or ratio >= goal) and rps >= least and bad == 0
    if least:  # successful redemptions: also checked through sqlite3
        ok = ok and $redeem_ok == 1
    gtext = ", ".join(([f">= {goal:.0f} %"] if goal else []) + ([f">= {least:,.0f}/s"] if least else [])
                      + ([f"p99 < {limit:.0f} ms"] if limit else [])) + (f" ({bad} non-2xx)" if bad else "")
    print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {ratio:.0f} % | {gtext} | {'met' if ok else 'missed'} |")
    table.append(dict(target=name, requests_per_s=rps, p50_ms=p50, p99_ms=p99, ratio_percent=ratio,
                      rounds=[dict(ceiling=x[0], requests_per_s=x[1], p50_ms=x[2], p99_ms=x[3]) for x in r],
                      goal=gtext, met=ok, non_2xx=bad))
def num(s):
    try: return float(s)
    except ValueError: return None
times = [
    ("order of 10,000 codes (HTTP: POST /bestellen until its response)", num("$order_http_seconds"), 1.0, "s"),
    ("order of 10,000 codes (voucherctl order add, for comparison)", num("$order_seconds"), None, "s"),
    ("$nsessions logins for the redemptions (HTTP, $THREADS at a time)", num("$login_seconds"), None, "s"),
    ("1,000,000 codes generated (codes_generate, CPU)", num("$codegen_cpu"), 2.0, "s"),
    ("voucherctl backup of the data set", num("$backup_seconds"), None, "s"),
    ("voucherctl demo --scale=$SCALE (when built)", num("$demo_seconds"), None, "s"),
    ("voucherd peak RSS (VmHWM)", num("$hwm") / 1024, None, "MB"),
    ("voucherd RSS after the run", num("$rss") / 1024, 40.0, "MB"),
]
print()
print("| measure | value | goal | met |")
print("|---|---|---|---|")
for name, v, goal, unit in times:
    vt = "—" if v is None else f"{v:.2f} {unit}"
    gt = "" if goal is None else f"< {goal:g} {unit}"
    met = "" if goal is None or v is None else ("met" if v < goal else "missed")
    print(f"| {name} | {vt} | {gt} | {met} |")
print(f"\nredemptions checked: $redeem_check: " + ("none lost, none doubled" if $redeem_ok else "MISMATCH"))
machine = dict(nproc=int(subprocess.check_output(["nproc"]).strip()), cpu=cpu,
               date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               kernel=platform.release())
print(f"\nmachine: {machine['nproc']} cores, {cpu}, {machine['date']}; DURATION=$DURATION ROUNDS=$ROUNDS "
      f"CONNECTIONS=$CONNECTIONS SCALE=$SCALE; page size $size bytes")
json.dump(dict(machine=machine, settings=dict(duration="$DURATION", rounds=$ROUNDS, connections=$CONNECTIONS,
               threads=$THREADS, scale="$SCALE"), table=table,
               times=[dict(measure=n, value=v, unit=u, goal=g) for n, v, g, u in times],
               redemption_check=dict(text="$redeem_check", ok=bool($redeem_ok))),
          open(sys.argv[2], "w"), indent=1)
print(f"written: {sys.argv[2]}")
PY
[ "$redeem_ok" = 1 ] || { echo "bench: redemptions lost or doubled (see above)" >&2; exit 1; }
