#!/usr/bin/env bash
# Deliveries per second of logged broadcasts to a channel of 1,000 members: spread over 2 nodes
# sharing one PostgreSQL, against the same load on 1 node with SQLite, in one run; the two
# set-ups alternate, three rounds each. And the log's rate: logged messages per second from 100
# senders (spread over the nodes) each sending 100 messages to a channel nobody joined, each
# waiting for its answer: what the store carries when fan-out is not the bottleneck. PostgreSQL is a throw-away cluster with its default
# settings (fsync and synchronous_commit on) on a free port; run as root, it runs as `postgres`.
# Usage: Benchmarks/cluster-benchmark.sh [MESSAGES]   (default 200 broadcasts per round)
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-200}
members=1000
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
swift build -c release --package-path Benchmarks --product WebSocketBenchmarkServer >/dev/null
swift build -c release --package-path Benchmarks --product WebSocketLoad >/dev/null
server=Benchmarks/.build/release/WebSocketBenchmarkServer
load=Benchmarks/.build/release/WebSocketLoad
directory=$(mktemp -d)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$directory"
pgport=18210
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  as_postgres "$bin/pg_ctl" -D "$directory/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$directory"
}
trap cleanup EXIT
as_postgres "$bin/initdb" -D "$directory/pg" -A trust -U postgres >/dev/null
as_postgres "$bin/pg_ctl" -D "$directory/pg" -w -l "$directory/pg.log" \
  -o "-p $pgport -k $directory -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
settings=$(as_postgres "$bin/psql" -h 127.0.0.1 -p $pgport -U postgres -At -c \
  "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN
   ('fsync','synchronous_commit','shared_buffers','wal_level','max_connections')")
wait_for() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.1; done; }
round_sqlite() { # → "deliveries-per-second messages-per-second"
  ZIBRI_STORAGE_URL="sqlite:$directory/bench-$1.sqlite" "$server" zibri 18201 & local pid=$!
  wait_for 18201
  local deliveries rate
  deliveries=$("$load" broadcast "ws://127.0.0.1:18201/ws" $members "$messages" | awk '{print $2}')
  rate=$("$load" log "ws://127.0.0.1:18201/ws" 100 100 | awk '{print $2}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$deliveries $rate"
}
round_postgres() { # → "deliveries-per-second messages-per-second"
  local database="bench_$1"
  as_postgres "$bin/psql" -h 127.0.0.1 -p $pgport -U postgres -qc "CREATE DATABASE $database"
  local url="postgres://postgres@127.0.0.1:$pgport/$database"
  ZIBRI_STORAGE_URL=$url ZIBRI_NODE_ID=a "$server" zibri 18202 & local a=$!
  wait_for 18202
  ZIBRI_STORAGE_URL=$url ZIBRI_NODE_ID=b "$server" zibri 18203 & local b=$!
  wait_for 18203
  local nodes="ws://127.0.0.1:18202/ws,ws://127.0.0.1:18203/ws" deliveries rate
  deliveries=$("$load" broadcast "$nodes" $members "$messages" | awk '{print $2}')
  rate=$("$load" log "$nodes" 100 100 | awk '{print $2}')
  kill "$a" "$b"; wait "$a" "$b" 2>/dev/null || true
  echo "$deliveries $rate"
}
sqlite=(); postgres=()
for i in 1 2 3; do
  sqlite+=("$(round_sqlite "$i")")
  postgres+=("$(round_postgres "$i")")
done
echo "PostgreSQL: $settings"
python3 - "${sqlite[@]}" "${postgres[@]}" <<'PY'
import statistics, sys
rows = [tuple(map(float, row.split())) for row in sys.argv[1:]]
half = len(rows) // 2
sqlite, postgres = rows[:half], rows[half:]
def show(name, rows, column, unit):
    values = [r[column] for r in rows]
    median = statistics.median(values)
    print(f"{name}: {', '.join(f'{v:.0f}' for v in values)} {unit} (median {median:.0f})")
    return median
s = show("1 node, SQLite, 1,000 members", sqlite, 0, "deliveries/s")
p = show("2 nodes, PostgreSQL, 1,000 members", postgres, 0, "deliveries/s")
print(f"ratio 2 nodes on PostgreSQL / 1 node on SQLite: {p / s:.2f}")
s = show("1 node, SQLite, log rate, 100 senders", sqlite, 1, "messages/s")
p = show("2 nodes, PostgreSQL, log rate, 100 senders", postgres, 1, "messages/s")
print(f"ratio: {p / s:.2f}")
PY
