#!/usr/bin/env bash
# Connect latency of a user in 100 durable channels against a user in none, same run: the chat
# spec (rooms are durable) served by `zibri serve --mock` in a release build on a fresh SQLite
# file, its message rate lifted in a copy of the spec so that the 100 joins are not throttled.
# Usage: Benchmarks/durable-connect.sh [connects per user, default 500] [channels, default 100] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-500}
channels=${2:-100}
rounds=${3:-3}
swift build -c release --product zibri >/dev/null
folder=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$folder"' EXIT
sed 's/messagesPerSecond: 20/messagesPerSecond: 100000/' examples/Chat/chat.zibri.yaml > "$folder/chat.zibri.yaml"
secret=$(head -c 32 /dev/urandom | base64)
CHAT_JWT_SECRET=$secret ZIBRI_STORAGE_URL="sqlite:$folder/chat.sqlite" ZIBRI_LOG_LEVEL=warning \
  .build/release/zibri serve "$folder/chat.zibri.yaml" --mock --port 18098 >/dev/null & pid=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18098/health && break; sleep 0.1; done
for _ in $(seq "$rounds"); do python3 Benchmarks/durable-connect.py 127.0.0.1 18098 "$secret" "$count" "$channels"; done
kill "$pid"
