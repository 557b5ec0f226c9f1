#!/usr/bin/env python3
"""Connect latency of a Zibri server: for N connections one after another, the time from
sending the upgrade request to having the whole first WebSocket frame (the greeting), read
over a raw socket so that no client library's buffering is measured. Prints p50 and p99 in
milliseconds and connections per second.

Usage: Benchmarks/connect-latency.py HOST PORT PATH [N, default 1000]
"""
import base64, os, socket, statistics, sys, time

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 1000


def first_frame(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("closed before the 101")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head.decode(errors="replace"))
    while True:
        if len(rest) >= 2:
            length = rest[1] & 0x7F
            offset = 2
            if length == 126:
                offset, length = 4, int.from_bytes(rest[2:4], "big") if len(rest) >= 4 else None
            elif length == 127:
                offset, length = 10, int.from_bytes(rest[2:10], "big") if len(rest) >= 10 else None
            if length is not None and len(rest) >= offset + length:
                return rest[offset:offset + length]
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("closed before the first frame")
        rest += chunk


times = []
started = time.perf_counter()
for _ in range(count):
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
    begin = time.perf_counter()
    sock.sendall(request.encode())
    frame = first_frame(sock)
    times.append((time.perf_counter() - begin) * 1000)
    if b"ws:connected" not in frame:
        raise RuntimeError(frame[:200])
    sock.close()
elapsed = time.perf_counter() - started
q = statistics.quantiles(times, n=100)
print(f"p50 {statistics.median(times):.2f} ms  p99 {q[98]:.2f} ms  {count / elapsed:.0f} connections/s")
