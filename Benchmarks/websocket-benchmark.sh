#!/usr/bin/env bash
# WebSocket throughput and latency: Zibri (a spec route validating a ChatMessage, answered by
# ack; a channel broadcast) against the same job written by hand on plain HummingbirdWebSocket
# with Codable, in one run, with the same load generator. The servers alternate, three rounds.
# Usage: Benchmarks/websocket-benchmark.sh [seconds per ack round, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
swift build -c release --package-path Benchmarks --product WebSocketBenchmarkServer >/dev/null
swift build -c release --package-path Benchmarks --product WebSocketLoad >/dev/null
server=Benchmarks/.build/release/WebSocketBenchmarkServer
load=Benchmarks/.build/release/WebSocketLoad
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
round() { # kind port → "ack-msgs/s p50-ms p99-ms broadcast-deliveries/s"
  "$server" "$1" "$2" & local pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$2/" && break; sleep 0.1; done
  "$load" ack "ws://127.0.0.1:$2/ws" 50 2 >/dev/null  # warm-up
  local ack broadcast
  ack=$("$load" ack "ws://127.0.0.1:$2/ws" 50 "$seconds" | awk '{print $2, $3, $4}')
  broadcast=$("$load" broadcast "ws://127.0.0.1:$2/ws" 1000 200 | awk '{print $2}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ack $broadcast"
}
baseline=(); zibri=()
for i in 1 2 3; do
  baseline+=("$(round baseline 18091)")
  zibri+=("$(round zibri 18092)")
done
python3 - "${baseline[@]}" "${zibri[@]}" <<'PY'
import statistics, sys
rows = [tuple(map(float, row.split())) for row in sys.argv[1:]]
half = len(rows) // 2
baseline, zibri = rows[:half], rows[half:]
def show(name, rows):
    m = [statistics.median(r[i] for r in rows) for i in range(4)]
    print(f"{name}: ack {', '.join(f'{r[0]:.0f}' for r in rows)} msg/s (median {m[0]:.0f}), "
          f"p50 {m[1]:.2f} ms, p99 {m[2]:.2f} ms; broadcast {', '.join(f'{r[3]:.0f}' for r in rows)} deliveries/s (median {m[3]:.0f})")
    return m
b = show("baseline (plain HummingbirdWebSocket + Codable)", baseline)
z = show("Zibri (spec route, validated; logged broadcast) ", zibri)
print(f"ratio Zibri / baseline: ack throughput {z[0] / b[0]:.2f}, p50 latency {z[1] / b[1]:.2f}, "
      f"p99 latency {z[2] / b[2]:.2f}, broadcast {z[3] / b[3]:.2f}")
PY
