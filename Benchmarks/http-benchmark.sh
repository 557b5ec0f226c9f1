#!/usr/bin/env bash
# Requests per second through one validated POST route with a ~1 KB body: Zibri from a spec
# against the same route written by hand on plain Hummingbird with Codable, in one run, with
# the same load tool (wrk, Debian's package).
#
# Both servers run for the whole benchmark, warmed up, and the load alternates between them in
# short bursts (A B B A A B …). On this shared machine the speed of the same work drifts by
# ±20 % over seconds; bursts that follow each other see nearly the same machine, so the ratio
# of each adjacent pair is far steadier than that of two long runs minutes apart. The result is
# the median of the pair ratios, with their spread.
# Usage: Benchmarks/http-benchmark.sh [seconds per burst, default 2] [pairs, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-2}
pairs=${2:-15}
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
declare -A pid port=([baseline]=18081 [zibri]=18082)
for kind in baseline zibri; do
  "$server" "$kind" "${port[$kind]}" & pid[$kind]=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:${port[$kind]}/" && break; sleep 0.1; done
  # Both must answer 201 to the body, then warm up.
  output=$(wrk -t2 -c64 -d3s -s "$script" "http://127.0.0.1:${port[$kind]}/messages")
  if echo "$output" | grep -q "Non-2xx"; then echo "$kind answered errors" >&2; exit 1; fi
done
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
burst() { # kind → "requests-per-second server-cpu-microseconds-per-request"
  local before after output
  before=$(cpu_ticks "${pid[$1]}")
  output=$(wrk -t2 -c64 -d"${seconds}s" -s "$script" "http://127.0.0.1:${port[$1]}/messages")
  after=$(cpu_ticks "${pid[$1]}")
  local rps requests
  rps=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
  requests=$(echo "$output" | awk '/requests in/ {print $1}')
  echo "$1 $rps $(python3 -c "print(($after - $before) * 1e6 / $(getconf CLK_TCK) / $requests)")"
}
rows=()
for i in $(seq "$pairs"); do
  # Alternate which server goes first, so that neither always follows the other.
  if (( i % 2 )); then order="baseline zibri"; else order="zibri baseline"; fi
  for kind in $order; do rows+=("$(burst "$kind")"); done
done
python3 - "$seconds" "${rows[@]}" <<'PY'
import statistics, sys
seconds = sys.argv[1]
rows = [row.split() for row in sys.argv[2:]]
pairs = {}
for index, (kind, rps, cpu) in enumerate(rows):
    pairs.setdefault(index // 2, {})[kind] = (float(rps), float(cpu))
throughput = sorted(p["zibri"][0] / p["baseline"][0] for p in pairs.values())
efficiency = sorted(p["baseline"][1] / p["zibri"][1] for p in pairs.values())
def quartiles(values):
    q = statistics.quantiles(values, n=4)
    return f"median {statistics.median(values):.2f} (middle half {q[0]:.2f}–{q[2]:.2f}, all {values[0]:.2f}–{values[-1]:.2f})"
for kind, name in (("baseline", "baseline (plain Hummingbird + Codable)"), ("zibri", "Zibri (spec route, validated)")):
    rps = [p[kind][0] for p in pairs.values()]
    cpu = [p[kind][1] for p in pairs.values()]
    print(f"{name}: median {statistics.median(rps):.0f} req/s ({min(rps):.0f}–{max(rps):.0f}); "
          f"server CPU per request median {statistics.median(cpu):.1f} µs")
print(f"{len(pairs)} pairs of {seconds} s bursts")
print(f"Zibri / baseline, throughput: {quartiles(throughput)}")
print(f"Zibri / baseline, CPU efficiency (baseline CPU / Zibri CPU): {quartiles(efficiency)}")
PY
