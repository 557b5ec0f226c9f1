#!/usr/bin/env bash
# Logged broadcasts per second on the SQLite store against the in-memory store (one sender, a
# channel of 100), and the time to replay 1,000 missed messages to a reconnecting client, in one
# run; the two stores alternate, three rounds each.
# Usage: Benchmarks/storage-benchmark.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --package-path Benchmarks --product WebSocketBenchmarkServer >/dev/null
swift build -c release --package-path Benchmarks --product WebSocketLoad >/dev/null
server=Benchmarks/.build/release/WebSocketBenchmarkServer
load=Benchmarks/.build/release/WebSocketLoad
directory=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$directory"' EXIT
round() { # storage port → "broadcasts-per-second replay-ms"
  ZIBRI_STORAGE_URL="$1" "$server" zibri "$2" & local pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$2/" && break; sleep 0.1; done
  local deliveries replay
  deliveries=$("$load" broadcast "ws://127.0.0.1:$2/ws" 100 2000 | awk '{print $2}')
  replay=$("$load" replay "ws://127.0.0.1:$2/ws" 1000 0 | awk '{print $2}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(python3 -c "print($deliveries / 100)") $replay"
}
memory=(); sqlite=()
for i in 1 2 3; do
  memory+=("$(round memory 18101)")
  sqlite+=("$(round "sqlite:$directory/bench-$i.sqlite" 18102)")
done
python3 - "${memory[@]}" "${sqlite[@]}" <<'PY'
import statistics, sys
rows = [tuple(map(float, row.split())) for row in sys.argv[1:]]
half = len(rows) // 2
memory, sqlite = rows[:half], rows[half:]
def show(name, rows):
    b = statistics.median(r[0] for r in rows); r = statistics.median(r[1] for r in rows)
    print(f"{name}: {', '.join(f'{x[0]:.0f}' for x in rows)} logged broadcasts/s to 100 members (median {b:.0f}); "
          f"replay of 1,000: {', '.join(f'{x[1]:.1f}' for x in rows)} ms (median {r:.1f})")
    return b, r
m = show("memory", memory)
s = show("sqlite", sqlite)
print(f"ratio SQLite / memory: broadcasts {s[0] / m[0]:.2f}; replay of 1,000 on SQLite {s[1]:.1f} ms")
PY
