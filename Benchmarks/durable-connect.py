#!/usr/bin/env python3
"""Connect latency with durable channels: the time from sending the upgrade request to having
the whole greeting, for a user who is in CHANNELS durable channels and for one in none,
measured alternately in one run (so the machine's noise touches both alike), over raw sockets.
Prints p50 and p99 of each and their ratio.

Usage: Benchmarks/durable-connect.py HOST PORT SECRET [N, default 500] [CHANNELS, default 100]
"""
import base64, hashlib, hmac, json, os, socket, statistics, sys, time

host, port, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
count = int(sys.argv[4]) if len(sys.argv) > 4 else 500
channels = int(sys.argv[5]) if len(sys.argv) > 5 else 100


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(user):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": user, "exp": int(time.time()) + 3600}).encode())
    body = f"{header}.{claims}"
    return body + "." + b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())


def read_frame(sock, buffer):
    while True:
        if len(buffer) >= 2:
            length, offset = buffer[1] & 0x7F, 2
            if length == 126 and len(buffer) >= 4:
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127 and len(buffer) >= 10:
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if length < 126 or offset > 2:
                if len(buffer) >= offset + length:
                    return buffer[offset:offset + length], buffer[offset + length:]
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("closed before the frame")
        buffer += chunk


def upgrade(path):
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
    begin = time.perf_counter()
    sock.sendall(request.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("closed before the 101")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head.decode(errors="replace"))
    greeting, rest = read_frame(sock, rest)
    return sock, json.loads(greeting), (time.perf_counter() - begin) * 1000, rest


def send(sock, text):
    payload, mask = text.encode(), os.urandom(4)
    length = len(payload)
    header = bytes([0x81, 0x80 | length]) if length < 126 else bytes([0x81, 0xFE]) + length.to_bytes(2, "big")
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


busy, idle = f"/ws?access_token={token('busy')}", f"/ws?access_token={token('idle')}"
sock, greeting, _, rest = upgrade(busy)
for n in range(channels):
    send(sock, json.dumps({"event": "ws:join", "body": {"channel": f"room:r{n}"}, "ack": n + 1}))
answered = 0
while answered < channels:
    frame, rest = read_frame(sock, rest)
    if json.loads(frame).get("event") == "ws:response":
        answered += 1
sock.close()

times = {"busy": [], "idle": []}
for round in range(count + 20):
    for name, path in (("busy", busy), ("idle", idle)):
        sock, greeting, elapsed, _ = upgrade(path)
        expected = channels if name == "busy" else 0
        if len(greeting["data"]["channels"]) != expected:
            raise RuntimeError(f"{name}: {len(greeting['data']['channels'])} channels, expected {expected}")
        sock.close()
        if round >= 20:  # the first rounds warm up
            times[name].append(elapsed)
for name in ("busy", "idle"):
    q = statistics.quantiles(times[name], n=100)
    print(f"{name}: p50 {statistics.median(times[name]):.2f} ms  p99 {q[98]:.2f} ms")
ratio = statistics.median(times["busy"]) / statistics.median(times["idle"])
print(f"p50 ratio, {channels} durable channels / none: {ratio:.2f}")
