#!/usr/bin/env bash
# `zibri init` end to end: a new package is created, builds (its dependencies compiled anew,
# which takes minutes) and serves its stubs: GET /hello answers 501 as a problem document.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product zibri
zibri=$(swift build --show-bin-path)/zibri
work=.build-init
rm -rf "$work/demo-app"
mkdir -p "$work"
"$zibri" init demo-app --output "$work"
cd "$work/demo-app"
swift build
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ZIBRI_PORT=$port ZIBRI_STORAGE_URL=memory "$(swift build --show-bin-path)/demo-app" > server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break; sleep 0.1; done
answer=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/hello")
echo "GET /hello: $answer"
case "$answer" in
  *'"status":501'*' 501') echo "zibri init: the new package builds and serves its stubs" ;;
  *) echo "zibri init: unexpected answer"; cat server.log; exit 1 ;;
esac
