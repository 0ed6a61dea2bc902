"""Slow clients against `b12kg serve`: can a new client still get in?

Starts the endpoint in a child process (as `b12kg serve` runs it) on a free 127.0.0.1 port,
opens `--slow` slowloris connections (headers that never end, one more byte every second)
and `--slow-body` connections whose POST body never completes, then sends `--requests`
ordinary queries one after another from a fresh connection each and prints their latency
and failures (a query unanswered in 10 s counts as failed). Stops by itself.

    python bench/slow_clients.py                       # 200 slowloris + 50 slow bodies
    python bench/slow_clients.py --root /tmp/before    # another checkout

Only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPOSITORY = Path(__file__).resolve().parents[1]
SERVER = """
import sys
sys.path.insert(0, {root!r})
from b12kg.endpoint import make_server
server = make_server(port=0, timeout_s=5.0)
print(server.server_address[1], flush=True)
server.serve_forever()
"""
QUERY = "ASK { <https://w3id.org/b12kg/pernicious_anemia> ?p ?o }"


def run(root: Path, slow: int, slow_body: int, requests: int, seconds_between: float) -> dict:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER.format(root=str(root))],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
    )
    sockets: list[socket.socket] = []
    stop = threading.Event()
    try:
        port = int(server.stdout.readline())
        for index in range(slow + slow_body):
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=2)
                if index < slow:
                    connection.sendall(b"GET /sparql HTTP/1.1\r\nHost: localhost\r\nX-a: ")
                else:
                    connection.sendall(
                        b"POST /sparql HTTP/1.1\r\nHost: localhost\r\n"
                        b"Content-Type: application/sparql-query\r\nContent-Length: 100000\r\n\r\nA"
                    )
                sockets.append(connection)
            except OSError:
                pass  # refused at once: that is fine too

        def drip() -> None:
            while not stop.wait(1.0):
                for connection in sockets:
                    with contextlib.suppress(OSError):
                        connection.send(b"a")

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        time.sleep(0.5)
        latencies, failures = [], 0
        for index in range(requests):
            started = time.perf_counter()
            try:
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                client.request("GET", "/sparql?" + urlencode({"query": f"{QUERY} # {index}"}))
                response = client.getresponse()
                response.read()
                client.close()
                if response.status != 200:
                    failures += 1
                else:
                    latencies.append(time.perf_counter() - started)
            except (OSError, http.client.HTTPException):
                failures += 1
            time.sleep(seconds_between)
    finally:
        stop.set()
        for connection in sockets:
            connection.close()
        server.kill()
        server.wait(5)
    latencies.sort()
    return {
        "slow_connections": len(sockets),
        "requests": requests,
        "failed": failures,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=REPOSITORY)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--slow-body", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--between", type=float, default=0.5, help="seconds between requests")
    args = parser.parse_args()
    result = run(args.root, args.slow, args.slow_body, args.requests, args.between)
    print(json.dumps(result))
    return 0 if result["failed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
