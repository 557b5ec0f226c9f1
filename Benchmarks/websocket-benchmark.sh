#!/usr/bin/env bash
# WebSocket throughput and latency: Zibri (a spec route validating a ChatMessage, answered by
# ack; a channel broadcast) against the same job written by hand on plain HummingbirdWebSocket
# with Codable, in one run, with the same load generator.
#
# The measurements come in pairs, one of each server right after the other (which goes first
# alternates), both servers freshly started for each pair; the result is the median of the pair
# ratios. On this shared machine the speed of the same work drifts over seconds, so adjacent
# measurements compare far better than rounds minutes apart.
# Usage: Benchmarks/websocket-benchmark.sh [seconds per ack burst, default 3] [pairs, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
pairs=${2:-8}
swift build -c release --package-path Benchmarks --product WebSocketBenchmarkServer >/dev/null
swift build -c release --package-path Benchmarks --product WebSocketLoad >/dev/null
server=Benchmarks/.build/release/WebSocketBenchmarkServer
load=Benchmarks/.build/release/WebSocketLoad
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
declare -A port=([baseline]=18091 [zibri]=18092)
rows=()
for i in $(seq "$pairs"); do
  pids=()
  for kind in baseline zibri; do
    "$server" "$kind" "${port[$kind]}" & pids+=($!)
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:${port[$kind]}/" && break; sleep 0.1; done
    "$load" ack "ws://127.0.0.1:${port[$kind]}/ws" 50 1 >/dev/null  # warm-up
  done
  if (( i % 2 )); then order="baseline zibri"; else order="zibri baseline"; fi
  for kind in $order; do
    ack=$("$load" ack "ws://127.0.0.1:${port[$kind]}/ws" 50 "$seconds" | awk '{print $2, $3, $4}')
    rows+=("$kind $ack")
  done
  for kind in $order; do
    broadcast=$("$load" broadcast "ws://127.0.0.1:${port[$kind]}/ws" 1000 200 | awk '{print $2}')
    rows+=("$kind-broadcast $broadcast")
  done
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
done
python3 - "$seconds" "${rows[@]}" <<'PY'
import statistics, sys
seconds = sys.argv[1]
rows = [row.split() for row in sys.argv[2:]]
pairs = []
for index in range(0, len(rows), 4):
    pair = {}
    for kind, *values in rows[index:index + 4]:
        pair[kind] = list(map(float, values))
    pairs.append(pair)
def summary(values):
    values = sorted(values)
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return f"median {statistics.median(values):.2f} (middle half {q[0]:.2f}–{q[2]:.2f}, all {values[0]:.2f}–{values[-1]:.2f})"
for kind, name in (("baseline", "baseline (plain HummingbirdWebSocket + Codable)"),
                   ("zibri", "Zibri (spec route, validated; logged broadcast)")):
    ack = [p[kind][0] for p in pairs]
    p50 = [p[kind][1] for p in pairs]
    p99 = [p[kind][2] for p in pairs]
    broadcast = [p[kind + "-broadcast"][0] for p in pairs]
    print(f"{name}: ack median {statistics.median(ack):.0f} msg/s ({min(ack):.0f}–{max(ack):.0f}), "
          f"p50 {statistics.median(p50):.2f} ms, p99 {statistics.median(p99):.2f} ms; "
          f"broadcast median {statistics.median(broadcast):.0f} deliveries/s ({min(broadcast):.0f}–{max(broadcast):.0f})")
print(f"{len(pairs)} pairs ({seconds} s ack bursts; 1,000 members × 200 broadcasts)")
print("Zibri / baseline, ack throughput:", summary([p["zibri"][0] / p["baseline"][0] for p in pairs]))
print("Zibri / baseline, ack p50 latency:", summary([p["zibri"][1] / p["baseline"][1] for p in pairs]))
print("Zibri / baseline, ack p99 latency:", summary([p["zibri"][2] / p["baseline"][2] for p in pairs]))
print("Zibri / baseline, broadcast deliveries:", summary([p["zibri-broadcast"][0] / p["baseline-broadcast"][0] for p in pairs]))
PY
