"""Fairness of `b12kg serve`: light clients beside runaway clients.

Starts the endpoint in a child process (as `b12kg serve` runs it: 2 workers, 5 s limit) on a
free 127.0.0.1 port. `--runaway` clients loop a cartesian COUNT that always hits the time
limit; `--light` clients loop small queries (an ASK or a label look-up, each text made
unique with a comment so neither the answer cache nor the verdict cache helps), pausing
`--think-ms` between answers, as people and scripts do. After `--seconds`, prints the light
queries' p50 / p99 / max latency and the count of non-200 answers, and the runaway clients'
answers by status. Stops by itself.

    python bench/fairness.py                      # 2 runaway + 30 light clients, 30 s
    python bench/fairness.py --root /tmp/before   # the same against another checkout
    python bench/fairness.py --json

Targets (bench/RESULTS.md): 0 light errors, light p99 < 100 ms. Only talks to 127.0.0.1.
Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPOSITORY = Path(__file__).resolve().parents[1]
B12 = "https://w3id.org/b12kg/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = [
    f"ASK {{ <{B12}pernicious_anemia> ?p ?o }}",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    f"SELECT ?label WHERE {{ <{B12}pernicious_anemia> rdfs:label ?label }}",
    f"SELECT ?p ?o WHERE {{ <{B12}metformin> ?p ?o }} LIMIT 20",
]
SERVER = """
import sys
sys.path.insert(0, {root!r})
from b12kg.endpoint import make_server
server = make_server(port=0, timeout_s={timeout!r}, workers={workers!r})
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def _client(port: int, query: str, timeout: float) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/sparql?" + urlencode({"query": query}))
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        connection.close()
    return status, time.perf_counter() - started


def _health(port: int) -> dict | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/health")
        return json.loads(connection.getresponse().read())
    except (OSError, ValueError, http.client.HTTPException):
        return None  # the checkout under test has no /health
    finally:
        connection.close()


def run(root: Path, runaway: int, light: int, seconds: float, think_ms: float, workers: int):
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER.format(root=str(root), timeout=5.0, workers=workers)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,  # older checkouts' workers import b12kg from the current directory
    )
    try:
        port = int(server.stdout.readline())
        stop = threading.Event()
        light_results: list[tuple[int, float]] = []
        runaway_status: collections.Counter[int] = collections.Counter()
        lock = threading.Lock()

        def hog() -> None:
            while not stop.is_set():
                status, _ = _client(port, RUNAWAY, 30)
                with lock:
                    runaway_status[status] += 1

        def person(index: int) -> None:
            count = 0
            time.sleep(index * think_ms / 1000 / light)  # spread the starts
            while not stop.is_set():
                query = f"{LIGHT[count % len(LIGHT)]} # client {index} query {count}"
                result = _client(port, query, 30)
                with lock:
                    light_results.append(result)
                count += 1
                time.sleep(think_ms / 1000)

        threads = [threading.Thread(target=hog) for _ in range(runaway)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # the runaway queries hold their workers first
        threads += [threading.Thread(target=person, args=(i,)) for i in range(light)]
        for thread in threads[runaway:]:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join(40)
        health = _health(port)
    finally:
        server.kill()
        server.wait(5)
    latencies = sorted(seconds for _, seconds in light_results)
    errors = sum(1 for status, _ in light_results if status != 200)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0
    return {
        "light_queries": len(light_results),
        "light_errors": errors,
        "light_statuses": dict(collections.Counter(s for s, _ in light_results)),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "runaway_answers": dict(runaway_status),
        "health": health,
        "seconds": seconds,
        "runaway_clients": runaway,
        "light_clients": light,
        "think_ms": think_ms,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=REPOSITORY, help="checkout to serve from")
    parser.add_argument("--runaway", type=int, default=2)
    parser.add_argument("--light", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think-ms", type=float, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.root, args.runaway, args.light, args.seconds, args.think_ms, args.workers)
    if args.json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            print(f"{name:16} {value}")
    return 0 if result["light_errors"] == 0 and result["p99_ms"] < 100 else 1


if __name__ == "__main__":
    raise SystemExit(main())
