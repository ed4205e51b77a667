# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage ingest benchmark: the server side that run.sh, profile.sh and cpu.sh share.
# Sourced, not run. Expects OUT, HERE, PYTHON, SERVER_CORE and CLIENT_CORE to be set, and the
# working directory to be the repository.

# start_ingest_server BINARY DIR PORT LOG [NAME=VALUE ...]
#   A fresh database in DIR (`usageflow init`), `usageflow serve` on it pinned to SERVER_CORE (all
#   of its threads; --event-loops 1, TLS with certs/dev, spool in DIR, output to LOG, the NAME=VALUE
#   pairs in its environment), then the benchmark's tenants through the API (setup.py tenants,
#   which writes OUT/ids.json). Sets SERVER_PID and OPERATOR_KEY.
start_ingest_server() {
    local binary=$1 dir=$2 port=$3 log=$4
    shift 4
    rm -rf "$dir"
    mkdir -p "$dir"
    OPERATOR_KEY=$("$binary" init --db "$dir/usageflow.db" | grep -oE 'KEY-[0-9]{4}-[0-9]{4}\.[A-Za-z0-9_-]{20,}' | head -1)
    [ -n "$OPERATOR_KEY" ] || { echo "usageflow init printed no operator key" >&2; exit 1; }
    env "$@" taskset -c "$SERVER_CORE" "$binary" serve --db "$dir/usageflow.db" --address "127.0.0.1:$port" \
        --tls-cert certs/dev/server.pem --tls-key certs/dev/server.key --event-loops 1 --log-level warn \
        --spool-dir "$dir" > "$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
    done
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$binary did not start:" >&2; cat "$log" >&2; exit 1; }
    "$PYTHON" "$HERE/setup.py" "$OUT" tenants "127.0.0.1:$port" certs/dev/ca.pem "$OPERATOR_KEY"
}

# stop_ingest_server: SIGTERM, then wait for the server to exit.
stop_ingest_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# send_upload BODY PORT METHOD: one request with BODY (framed gRPC messages) as the vendor, from
# h2load pinned to CLIENT_CORE (one connection, TLS 1.3 with AES-128-GCM); h2load's report on
# stdout.
send_upload() {
    local body=$1 port=$2 method=$3 key
    key=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['vendor_key'])" "$OUT/ids.json")
    taskset -c "$CLIENT_CORE" h2load -t 1 -c 1 -m 1 -n 1 -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $key" --tls13-ciphers=TLS_AES_128_GCM_SHA256 -d "$body" \
        "https://127.0.0.1:$port/usageflow.v1.VendorService/$method"
}
