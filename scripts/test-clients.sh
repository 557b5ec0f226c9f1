#!/usr/bin/env bash
# The clients' tests, against the real chat example (built first): the JavaScript client under
# Node, then the chat page in headless Chromium (Tests/Browser/chat_browser_test.py; on failure
# it saves screenshots under .build/browser-screenshots).
# Needs Node 20 or later, Chromium (Debian's chromium) and Python's websockets package.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product chat
chat=$(swift build --show-bin-path)/chat
echo "== JavaScript client"
CHAT_BINARY=$chat node --experimental-websocket --test clients/javascript/zibri.test.mjs
echo "== chat in Chromium"
python3 Tests/Browser/chat_browser_test.py "$chat" .build/browser-screenshots
