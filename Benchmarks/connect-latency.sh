#!/usr/bin/env bash
# Connect latency (upgrade request to the whole greeting) of the chat example, release build,
# memory store: Benchmarks/connect-latency.py against it, ROUNDS times.
# Usage: Benchmarks/connect-latency.sh [connections, default 1000] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
rounds=${2:-3}
swift build -c release --product chat >/dev/null
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
ZIBRI_STORAGE_URL=memory ZIBRI_PORT=18099 ZIBRI_LOG_LEVEL=warning .build/release/chat & pid=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18099/health && break; sleep 0.1; done
python3 Benchmarks/connect-latency.py 127.0.0.1 18099 /ws 100 >/dev/null  # warm-up
for _ in $(seq "$rounds"); do python3 Benchmarks/connect-latency.py 127.0.0.1 18099 /ws "$count"; done
kill "$pid"
