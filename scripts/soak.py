#!/usr/bin/env python3
"""Soak test: the chat example under steady traffic for a long time, with clients dropping
and recovering at random. Not part of the default test run (it takes 10 minutes).

    scripts/soak.py [--minutes 10] [--connections 1000] [--rooms 20] [--rate 2] [--binary PATH]
                    [--storage URL]

Every connection joins one of the rooms; one connection per room says a message every
1/rate seconds. Every so often a connection drops its socket without a goodbye, waits a few
seconds and comes back with its session token and the last seq it saw (as zibri.js does).
At the end, after the stragglers have recovered, it reports:

- sent: messages the server acknowledged as stored;
- delivered: messages the members received (each once, after dropping duplicates by seq);
- duplicated: frames whose seq a member had already seen (must be 0);
- lost: acknowledged messages of a room that one of its members never received (must be 0:
  every drop is shorter than the recovery window);
- the server's resident memory at start (all connected), its peak, and at the end, and the
  average of the first and last minute (no growth trend: the end is not far above the start).

It builds the chat in release mode (unless --binary is given) and runs it on a temporary
SQLite file. Exit status 0 when nothing was duplicated or lost, 1 otherwise.
"""
import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time

import websockets

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resident_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        match = re.search(r"VmRSS:\s+(\d+) kB", status.read())
        return int(match.group(1)) if match else 0


class Stats:
    def __init__(self):
        self.acknowledged = {}  # room -> set of message texts acknowledged as stored
        self.duplicates = 0
        self.reconnects = 0
        self.recovered = 0
        self.not_recovered = {}


class Member:
    """One connection: joins its room, keeps what it heard, drops and recovers."""

    def __init__(self, url, room, stats):
        self.url, self.room, self.stats = url, room, stats
        self.token, self.last_seq = None, 0
        self.seen_seqs = set()
        self.heard = set()  # message texts heard in its room
        self.socket = None
        self.joined_at_start = asyncio.Event()
        self.running = True

    async def connect(self):
        query = f"?session={self.token}&lastSeq={self.last_seq}" if self.token else ""
        self.socket = await websockets.connect(self.url + query, max_size=1 << 22, ping_interval=None)
        greeting = json.loads(await self.socket.recv())
        data = greeting.get("data", {})
        if self.token is not None:
            self.stats.reconnects += 1
            if data.get("recovered"):
                self.stats.recovered += 1
            else:
                reason = data.get("reason", "?")
                self.stats.not_recovered[reason] = self.stats.not_recovered.get(reason, 0) + 1
        if not data.get("recovered"):
            self.last_seq = max(self.last_seq, data.get("lastSeq", 0))
            await self.socket.send(json.dumps({"event": "ws:join", "body": {"channel": f"room:{self.room}"}, "ack": "join"}))
        self.token = data.get("sessionToken")

    def take(self, frame):
        seq = frame.get("seq")
        if seq is not None:
            if seq in self.seen_seqs:
                self.stats.duplicates += 1
                return
            self.seen_seqs.add(seq)
            self.last_seq = max(self.last_seq, seq)
        if frame.get("event") == "chat message" and frame.get("channel") == f"room:{self.room}":
            self.heard.add(frame["data"]["message"])
        if frame.get("ack") == "join":
            self.joined_at_start.set()

    async def listen(self):
        while self.running:
            try:
                async for text in self.socket:
                    self.take(json.loads(text))
            except websockets.ConnectionClosed:
                pass
            if not self.running:
                return
            # Dropped by us (see drop) or by the server: come back.
            await asyncio.sleep(random.uniform(0.5, 5))
            while self.running:
                try:
                    await self.connect()
                    break
                except (OSError, websockets.WebSocketException):
                    await asyncio.sleep(1)

    async def drop(self):
        """A lost network: the socket goes away without a close handshake."""
        if self.socket is not None and self.socket.transport is not None:
            self.socket.transport.abort()


async def say(url, room, rate, deadline, stats):
    """One speaker per room, with a connection of its own, each message acknowledged."""
    async with websockets.connect(url, max_size=1 << 22, ping_interval=None) as speaker:
        await speaker.recv()
        await speaker.send(json.dumps({"event": "ws:join", "body": {"channel": f"room:{room}"}, "ack": 0}))
        number = 0
        pending = {}
        async def answers():
            async for text in speaker:
                frame = json.loads(text)
                ack = frame.get("ack")
                if frame.get("event") == "ws:response" and ack in pending and frame.get("ok"):
                    stats.acknowledged.setdefault(room, set()).add(pending.pop(ack))
        reader = asyncio.create_task(answers())
        while time.monotonic() < deadline:
            number += 1
            text = f"room {room} message {number}"
            pending[number] = text
            await speaker.send(json.dumps({"event": "chat message", "body": {"room": str(room), "message": text}, "ack": number}))
            await asyncio.sleep(1 / rate)
        await asyncio.sleep(2)
        reader.cancel()


async def soak(args):
    port = free_port()
    folder = tempfile.mkdtemp(prefix="zibri-soak-")
    storage = args.storage or f"sqlite:{folder}/soak.sqlite"
    environment = dict(os.environ, ZIBRI_PORT=str(port), ZIBRI_STORAGE_URL=storage, ZIBRI_LOG_LEVEL="error")
    server = subprocess.Popen([args.binary], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"ws://127.0.0.1:{port}/ws"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        stats = Stats()
        members = [Member(url, index % args.rooms, stats) for index in range(args.connections)]
        for batch in range(0, len(members), 100):
            await asyncio.gather(*(member.connect() for member in members[batch:batch + 100]))
        listeners = [asyncio.create_task(member.listen()) for member in members]
        await asyncio.gather(*(member.joined_at_start.wait() for member in members))
        memory = [(time.monotonic(), resident_kb(server.pid))]
        print(f"{args.connections} connections in {args.rooms} rooms; {resident_kb(server.pid) // 1024} MB resident", flush=True)

        start = time.monotonic()
        deadline = start + args.minutes * 60
        speakers = [asyncio.create_task(say(url, room, args.rate, deadline, stats)) for room in range(args.rooms)]
        # About one drop per connection every `drop_every` seconds, spread out.
        while time.monotonic() < deadline:
            await asyncio.sleep(1)
            memory.append((time.monotonic(), resident_kb(server.pid)))
            for member in random.sample(members, k=max(1, int(len(members) / args.drop_every))):
                await member.drop()
            elapsed = int(time.monotonic() - start)
            if elapsed % 60 == 0:
                sent = sum(len(texts) for texts in stats.acknowledged.values())
                print(f"{elapsed // 60} min: {sent} sent, {stats.reconnects} reconnects, {memory[-1][1] // 1024} MB", flush=True)
        await asyncio.gather(*speakers)
        # The stragglers come back and recover.
        await asyncio.sleep(12)
        memory.append((time.monotonic(), resident_kb(server.pid)))
        for member in members:
            member.running = False
        for member in members:
            if member.socket is not None:
                await member.socket.close()
        for listener in listeners:
            listener.cancel()

        sent = sum(len(texts) for texts in stats.acknowledged.values())
        delivered = sum(len(member.heard) for member in members)
        lost = sum(len(stats.acknowledged.get(member.room, set()) - member.heard) for member in members)
        first = [kb for at, kb in memory if at - memory[0][0] <= 60]
        last = [kb for at, kb in memory if memory[-1][0] - at <= 60]
        report = {
            "minutes": args.minutes, "connections": args.connections, "rooms": args.rooms,
            "sent": sent, "delivered": delivered, "duplicated": stats.duplicates, "lost": lost,
            "reconnects": stats.reconnects, "recovered": stats.recovered, "not recovered": stats.not_recovered,
            "memory MB": {
                "start": round(memory[0][1] / 1024, 1), "peak": round(max(kb for _, kb in memory) / 1024, 1),
                "end": round(memory[-1][1] / 1024, 1),
                "first minute average": round(sum(first) / len(first) / 1024, 1),
                "last minute average": round(sum(last) / len(last) / 1024, 1),
            },
        }
        print(json.dumps(report, indent=2))
        return 0 if stats.duplicates == 0 and lost == 0 else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--rate", type=float, default=2, help="messages a second in each room")
    parser.add_argument("--drop-every", type=float, default=120, help="seconds between drops of one connection, on average")
    parser.add_argument("--binary", help="a built chat executable (default: build it in release mode)")
    parser.add_argument("--storage", help="the store's URL, e.g. memory (default: a temporary SQLite file)")
    args = parser.parse_args()
    if args.binary is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "chat"], cwd=ROOT, check=True)
        args.binary = os.path.join(ROOT, ".build/release/chat")
    sys.exit(asyncio.run(soak(args)))


if __name__ == "__main__":
    main()
