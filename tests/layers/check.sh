#!/usr/bin/env bash
# The layer map of src/ and its check (`make check-layers`, part of make test).
#
# Every file of src/ belongs to exactly one layer; a file may include files of
# its own layer and of the layers below it, never above.  A file the map does
# not know is an error too: a new module must be given its place here (and in
# docs/architecture.md, which explains the layers).
#
#   tests/layers/check.sh [SRC_DIR]     prints each upward include, exit 1 if any
set -u
src="${1:-$(dirname "$0")/../../src}"

layers=(base store out domain http pages programs)

# layer_of FILE (basename without .c/.h) -> layer name, or "" when unknown
layer_of() {
    case "$1" in
        mem|text|csv|date|money|json|log|config|voucher|crypto|valid|form|fmt|cli|cert_number|assets|app|assets_data|audit_action)
            echo base ;;
        db|db_*|queries)
            echo store ;;
        mime|mail|pdf|qr|xml|outbox|sender|webhook|nginx_conf)
            echo out ;;
        codes|order|order_docs|redeem|invoice|credit_note|ebinterface|certificate|completion|support|manage|housekeeping|demo|\
        catalog_rules|privacy|reset|restore|recipients|reminders|training|vouchers_pdf|*_import)
            echo domain ;;
        worker|req|fields|form_errors|routes|session|view|handlers)
            echo http ;;
        h_*)
            echo pages ;;
        voucherd|voucherctl)
            echo programs ;;
        *) echo "" ;;
    esac
}

rank_of() {
    local i
    for i in "${!layers[@]}"; do
        [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }
    done
    echo -1
}

bad=0
checked=0
for file in "$src"/*.c "$src"/*.h "$src"/*.def; do
    [ -e "$file" ] || continue
    base="$(basename "$file")"
    name="${base%.*}"
    layer="$(layer_of "$name")"
    if [ -z "$layer" ]; then
        echo "layers: src/$base is in no layer: give it one in tests/layers/check.sh and docs/architecture.md"
        bad=1
        continue
    fi
    rank="$(rank_of "$layer")"
    while IFS= read -r inc; do
        iname="${inc%.*}"
        ilayer="$(layer_of "$iname")"
        if [ -z "$ilayer" ]; then
            echo "layers: src/$base includes \"$inc\", which is in no layer"
            bad=1
            continue
        fi
        irank="$(rank_of "$ilayer")"
        if [ "$irank" -gt "$rank" ]; then
            echo "layers: src/$base ($layer) includes \"$inc\" ($ilayer): a layer may include only itself and the layers below it"
            bad=1
        fi
        checked=$((checked + 1))
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done
if [ "$bad" -ne 0 ]; then
    echo "layers: upward includes found (order, low to high: ${layers[*]})"
    exit 1
fi
echo "layers: $checked includes checked, none upward (${layers[*]})"
