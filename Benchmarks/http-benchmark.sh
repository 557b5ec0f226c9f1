#!/usr/bin/env bash
# Requests per second through one validated POST route with a ~1 KB body: Zibri from a spec
# against the same route written by hand on plain Hummingbird with Codable, in one run, with
# the same load tool (wrk, Debian's package). The two servers alternate, three rounds each.
# Usage: Benchmarks/http-benchmark.sh [seconds per round, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
swift build -c release --package-path Benchmarks --product HTTPBenchmarkServer >/dev/null
server=Benchmarks/.build/release/HTTPBenchmarkServer
script=$(mktemp --suffix=.lua)
trap 'rm -f "$script"; kill $(jobs -p) 2>/dev/null || true' EXIT
python3 - "$script" <<'PY'
import json, sys
body = {
    "message": "Hello there, this is a benchmark message that is long enough to make the body about one kilobyte. " * 7,
    "replyTo": 12, "tags": ["greeting", "benchmark", "swift"], "mood": "happy",
    "author": {"id": "6f1c2a56-2d3b-4c1e-9f00-1234567890ab", "name": "Bench User", "email": "bench@example.com",
               "role": "member", "createdAt": "2024-05-01T10:00:00Z"},
}
text = json.dumps(body)
with open(sys.argv[1], "w") as f:
    f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
    f.write("wrk.body = " + json.dumps(text) + "\n")
print(f"body: {len(text.encode())} bytes", file=sys.stderr)
PY
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
round() { # kind port → "requests-per-second server-cpu-microseconds-per-request"
  "$server" "$1" "$2" & local pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$2/" && break; sleep 0.1; done
  wrk -t2 -c64 -d2s -s "$script" "http://127.0.0.1:$2/messages" >/dev/null  # warm-up
  local before after output
  before=$(cpu_ticks "$pid")
  output=$(wrk -t2 -c64 -d"${seconds}s" -s "$script" "http://127.0.0.1:$2/messages")
  after=$(cpu_ticks "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local rps requests
  rps=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
  requests=$(echo "$output" | awk '/requests in/ {print $1}')
  echo "$rps $(python3 -c "print(($after - $before) * 1e6 / $(getconf CLK_TCK) / $requests)")"
}
# Check once that both answer 201 to the body.
for kind in baseline zibri; do
  "$server" $kind 18080 & pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18080/ && break; sleep 0.1; done
  status=$(wrk -t1 -c1 -d1s -s "$script" http://127.0.0.1:18080/messages | grep -c "Non-2xx" || true)
  kill $pid; wait $pid 2>/dev/null || true
  [ "$status" = 0 ] || { echo "$kind answered errors" >&2; exit 1; }
done
baseline=(); zibri=()
for i in 1 2 3 4 5; do
  baseline+=("$(round baseline 18081)")
  zibri+=("$(round zibri 18082)")
done
python3 - "${baseline[@]}" "${zibri[@]}" <<'PY'
import statistics, sys
rows = [tuple(map(float, row.split())) for row in sys.argv[1:]]
half = len(rows) // 2
baseline, zibri = rows[:half], rows[half:]
def show(name, rows):
    rps = statistics.median(r[0] for r in rows)
    cpu = statistics.median(r[1] for r in rows)
    print(f"{name}: {', '.join(f'{r[0]:.0f}' for r in rows)} req/s (median {rps:.0f}); server CPU per request median {cpu:.1f} µs")
    return rps, cpu
b_rps, b_cpu = show("baseline (plain Hummingbird + Codable)", baseline)
z_rps, z_cpu = show("Zibri (spec route, validated)         ", zibri)
print(f"ratio Zibri / baseline: throughput {z_rps / b_rps:.2f}, CPU efficiency (baseline CPU / Zibri CPU) {b_cpu / z_cpu:.2f}")
PY
