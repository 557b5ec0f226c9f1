#!/usr/bin/env python3
"""The chat example in a real browser: headless Chromium driven over the Chrome DevTools
Protocol (the `websockets` package). Two pages join the lobby; a message sent from one shows in
the other; an empty message shows the server's validation error next to the input; the server
is stopped (its pages show "reconnecting…"), messages are posted while they are away, the server
starts again on the same SQLite file, and the page shows that it recovered and the messages it
missed, each once, in order. On failure it saves a screenshot of each page and says where.

Usage: Tests/Browser/chat_browser_test.py PATH_TO_CHAT_BINARY [SCREENSHOT_DIRECTORY]
"""

import asyncio
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websockets

TIMEOUT = 20  # seconds for anything the pages must show


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Server:
    """The chat binary on a port and a SQLite file; stopped with SIGTERM (a graceful restart)."""

    def __init__(self, binary, port, database, log):
        self.binary, self.port, self.database, self.log = binary, port, database, log
        self.process = None

    def start(self):
        environment = dict(os.environ, ZIBRI_PORT=str(self.port), ZIBRI_STORAGE_URL=f"sqlite:{self.database}")
        self.process = subprocess.Popen([self.binary], env=environment, stdout=self.log, stderr=self.log)
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/rooms", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the chat server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=TIMEOUT)

    def post(self, room, message):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/rooms/{room}/messages",
            data=json.dumps({"message": message}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201, response.status


class Browser:
    """One CDP connection to Chromium; pages are targets attached in flat mode."""

    def __init__(self, connection):
        self.connection = connection
        self.ids = itertools.count(1)
        self.waiting = {}
        self.reader = asyncio.create_task(self.read())

    async def read(self):
        async for text in self.connection:
            message = json.loads(text)
            future = self.waiting.pop(message.get("id"), None)
            if future and not future.done():
                future.set_result(message)

    async def send(self, method, params=None, session=None):
        identifier = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.waiting[identifier] = future
        command = {"id": identifier, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        await self.connection.send(json.dumps(command))
        message = await asyncio.wait_for(future, TIMEOUT)
        if "error" in message:
            raise AssertionError(f"{method}: {message['error']}")
        return message["result"]

    async def open(self, url):
        target = await self.send("Target.createTarget", {"url": url})
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        return Page(self, attached["sessionId"])


class Page:
    def __init__(self, browser, session):
        self.browser, self.session = browser, session

    async def evaluate(self, expression):
        result = await self.browser.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, self.session
        )
        return result["result"].get("value")

    async def wait_for(self, expression, what):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if await self.evaluate(expression):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"the page never showed {what}")

    async def text(self, element_id):
        return await self.evaluate(f"document.getElementById({json.dumps(element_id)})?.textContent ?? ''")

    async def messages(self):
        return await self.evaluate("[...document.querySelectorAll('#messages .text')].map(e => e.textContent)")

    async def say(self, text):
        await self.evaluate(
            f"document.getElementById('message').value = {json.dumps(text)};"
            "document.getElementById('composer').requestSubmit(); true"
        )

    async def screenshot(self, path):
        result = await self.browser.send("Page.captureScreenshot", {"format": "png"}, self.session)
        import base64

        with open(path, "wb") as file:
            file.write(base64.b64decode(result["data"]))


async def run(binary, screenshots):
    chromium = find_chromium()
    if not chromium:
        raise AssertionError("Chromium not found (install Debian's chromium package)")
    work = tempfile.mkdtemp(prefix="zibri-browser-")
    log = open(os.path.join(work, "server.log"), "w")
    server = Server(binary, free_port(), os.path.join(work, "chat.sqlite"), log)
    debugging = free_port()
    browser_process = subprocess.Popen(
        [
            chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            f"--remote-debugging-port={debugging}", f"--user-data-dir={os.path.join(work, 'profile')}", "about:blank",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    pages = []
    try:
        server.start()
        deadline = time.time() + TIMEOUT
        while True:
            try:
                version = json.load(urllib.request.urlopen(f"http://127.0.0.1:{debugging}/json/version", timeout=1))
                break
            except OSError:
                if time.time() > deadline:
                    raise AssertionError("Chromium did not start")
                time.sleep(0.2)
        async with websockets.connect(version["webSocketDebuggerUrl"], max_size=None) as connection:
            browser = Browser(connection)
            url = f"http://127.0.0.1:{server.port}/?room=lobby"
            alice, bob = await browser.open(url), await browser.open(url)
            pages = [("alice", alice), ("bob", bob)]
            try:
                for name, page in pages:
                    await page.wait_for("document.body.dataset.ready === 'true'", f"{name}'s page ready")
                    assert (await page.text("status")) == "connected", await page.text("status")

                # A message from one page shows in the other.
                await alice.say("hello from alice")
                await bob.wait_for(
                    "[...document.querySelectorAll('#messages .text')].some(e => e.textContent === 'hello from alice')",
                    "alice's message on bob's page",
                )

                # An empty message: the server's validation error, next to the input.
                await alice.say("")
                await alice.wait_for(
                    "document.getElementById('error').textContent.includes('/body/message')",
                    "the validation error for an empty message",
                )
                print("error shown:", await alice.text("error"))

                # The server stops: the pages lose it, and messages are posted while they are away.
                server.stop()
                await bob.wait_for(
                    "document.getElementById('status').textContent.startsWith('reconnecting')", "reconnecting…"
                )
                await asyncio.sleep(1.5)
                server.start()
                missed = ["missed 1", "missed 2", "missed 3"]
                for text in missed:
                    server.post("lobby", text)
                await bob.wait_for(
                    "document.getElementById('status').textContent.startsWith('recovered')", "the recovery status"
                )
                await bob.wait_for(
                    "[...document.querySelectorAll('#messages .text')].filter(e => e.textContent.startsWith('missed')).length >= 3",
                    "the messages sent while it was away",
                )
                shown = await bob.messages()
                print("bob's page:", await bob.text("status"), shown)
                assert [m for m in shown if m.startswith("missed")] == missed, shown
                assert shown.count("hello from alice") == 1, shown
                await alice.wait_for(
                    "[...document.querySelectorAll('#messages .text')].filter(e => e.textContent.startsWith('missed')).length >= 3",
                    "the missed messages on alice's page too",
                )
            except BaseException:
                os.makedirs(screenshots, exist_ok=True)
                for name, page in pages:
                    path = os.path.join(screenshots, f"chat-{name}.png")
                    try:
                        await page.screenshot(path)
                        print(f"screenshot: {path}", file=sys.stderr)
                    except Exception as error:  # the page may be gone
                        print(f"no screenshot of {name}: {error}", file=sys.stderr)
                raise
            finally:
                browser.reader.cancel()
    except BaseException:
        log.flush()
        with open(log.name) as file:
            print("server log (tail):\n" + file.read()[-3000:], file=sys.stderr)
        raise
    finally:
        server.stop()
        browser_process.kill()
        browser_process.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    screenshots = sys.argv[2] if len(sys.argv) > 2 else os.path.join(tempfile.gettempdir(), "zibri-browser-screenshots")
    try:
        asyncio.run(run(binary, screenshots))
    except AssertionError as error:
        print(f"browser test failed: {error}", file=sys.stderr)
        return 1
    print("browser test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
