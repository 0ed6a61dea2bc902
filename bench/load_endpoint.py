"""Load test of `b12kg serve`: concurrent keep-alive clients against a local endpoint.

Starts the endpoint in a child process (as `b12kg serve` runs it) on a free 127.0.0.1 port,
sends a fixed number of library queries (their `defaults` bound in a trailing VALUES block,
as any HTTP client would) from N concurrent keep-alive connections, checks that every
answer is 200 and byte-identical to the same query run in-process, and prints throughput
and latency beside the in-process time of the same queries. Stops by itself.

    python bench/load_endpoint.py                 # 5,000 queries, 32 clients
    python bench/load_endpoint.py --requests 20000 --workers 2 --json

Only talks to 127.0.0.1. Exit code 1 if any query failed or answered differently.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

LIGHT_MS = 1.0  # a library query is "light" when its in-process median is below this


def library_queries(directory: Path | None = None) -> dict[str, str]:
    """Every library query (or every `.rq` of `directory`, e.g. another checkout's) with its
    defaults bound (trailing VALUES, as over HTTP)."""
    import b12kg
    from b12kg.sparql.binding import bind_parameters, values_block
    from b12kg.sparql.library import library

    kg = b12kg.load()
    queries = library(directory) if directory is not None else library()
    return {
        name: query.text + values_block(bind_parameters(kg, query, {}))
        for name, query in queries.items()
    }


def in_process(texts: dict[str, str], repeat: int = 200) -> dict[str, dict[str, float]]:
    """Median time per query in-process: `run_local` (rows as dicts, what the API does) and
    pyoxigraph alone serialising SPARQL JSON (what the endpoint's workers do)."""
    import pyoxigraph as ox

    from b12kg.sparql.embedded import read_store, run_local

    store = read_store(REPOSITORY / "ontology" / "b12kg.ttl")
    out: dict[str, dict[str, float]] = {}
    for name, text in texts.items():
        timings: dict[str, list[float]] = {"run_local": [], "json": []}
        for _ in range(repeat):
            started = time.perf_counter()
            run_local(store, text)
            timings["run_local"].append(time.perf_counter() - started)
            started = time.perf_counter()
            store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
            timings["json"].append(time.perf_counter() - started)
        out[name] = {k: statistics.median(v) * 1000 for k, v in timings.items()}
        out[name]["rows"] = len(run_local(store, text).rows)
    return out


def expected_bodies(texts: dict[str, str]) -> dict[str, bytes]:
    import pyoxigraph as ox

    from b12kg.sparql.embedded import read_store

    store = read_store(REPOSITORY / "ontology" / "b12kg.ttl")
    return {
        name: store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
        for name, text in texts.items()
    }


def start_server(workers: int, cache_mb: int) -> tuple[subprocess.Popen, str, int]:
    code = (
        "from b12kg.endpoint import serve; "
        f"serve(host='127.0.0.1', port=0, workers={workers}, cache_mb={cache_mb})"
    )
    env = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/sparql", line)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return process, "127.0.0.1", int(match.group(1))


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its live children (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


async def client(
    host: str,
    port: int,
    jobs: list[tuple[str, bytes]],
    next_job: list[int],
    expected: dict[str, bytes],
    latencies: list[float],
    errors: list[str],
    schedule: tuple[float, float] | None,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while next_job[0] < len(jobs):
            index = next_job[0]
            name, request = jobs[index]
            next_job[0] += 1
            started = time.perf_counter()
            if schedule:  # paced: send at t0 + index/rate; latency counts from that moment
                due = schedule[0] + index / schedule[1]
                if due > started:
                    await asyncio.sleep(due - started)
                started = due
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{name}: HTTP {status}: {body[:200]!r}")
            elif body != expected[name]:
                errors.append(f"{name}: answer differs from the in-process result")
    except (OSError, asyncio.IncompleteReadError) as error:
        errors.append(f"connection failed: {error!r}")
    finally:
        writer.close()


def build_request(host: str, port: int, text: str) -> bytes:
    body = text.encode()
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/sparql-query\r\n"
        "Accept: application/sparql-results+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def load(
    host: str,
    port: int,
    names: list[str],
    texts: dict[str, str],
    expected: dict[str, bytes],
    requests: int,
    clients: int,
    rate: float | None = None,
) -> tuple[float, list[float], list[str]]:
    jobs = [
        (names[i % len(names)], build_request(host, port, texts[names[i % len(names)]]))
        for i in range(requests)
    ]
    latencies: list[float] = []
    errors: list[str] = []
    next_job = [0]
    started = time.perf_counter()
    schedule = (started + 0.01, rate) if rate else None
    await asyncio.gather(
        *(
            client(host, port, jobs, next_job, expected, latencies, errors, schedule)
            for _ in range(clients)
        )
    )
    return time.perf_counter() - started, latencies, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000, help="queries in all (5000)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections (32)")
    parser.add_argument("--workers", type=int, default=2, help="server query workers (2)")
    parser.add_argument("--warmup", type=int, default=300, help="untimed queries first (300)")
    parser.add_argument(
        "--queries",
        default="light",
        help="comma-separated library names, 'light' (in-process < 1 ms) or 'all'",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--no-cache", action="store_true", help="skip the phase with the answer cache on"
    )
    parser.add_argument(
        "--rate", type=float, default=1000.0, help="queries/s of the paced phase (1000; 0 skips)"
    )
    args = parser.parse_args()

    texts = library_queries()
    local = in_process(texts)
    if args.queries == "light":
        names = [n for n in texts if local[n]["json"] < LIGHT_MS]
    elif args.queries == "all":
        names = list(texts)
    else:
        names = args.queries.split(",")
    expected = expected_bodies(texts)
    mix_local_ms = statistics.mean(local[n]["run_local"] for n in names)

    phases = {}
    errors: list[str] = []
    plan = [
        ("executed, as fast as possible", 0, None),
        (f"executed, paced at {args.rate:g}/s", 0, args.rate),
        ("cached, as fast as possible", 32, None),
    ]
    for label, cache_mb, rate in plan:
        if (cache_mb and args.no_cache) or (rate is not None and not rate):
            continue
        process, host, port = start_server(args.workers, cache_mb)
        try:
            asyncio.run(load(host, port, names, texts, expected, args.warmup, args.clients))
            cpu_before = cpu_seconds(process.pid)
            elapsed, latencies, failed = asyncio.run(
                load(host, port, names, texts, expected, args.requests, args.clients, rate)
            )
            server_cpu = cpu_seconds(process.pid) - cpu_before
        finally:
            process.terminate()
            process.wait(10)
        errors.extend(failed)
        phases[label] = {
            "cache_mb": cache_mb,
            "paced_rate": rate,
            "errors": len(failed),
            "seconds": round(elapsed, 3),
            "queries_per_s": round(args.requests / elapsed, 1),
            "latency_ms": {
                "p50": round(percentile(latencies, 0.50) * 1000, 2),
                "p90": round(percentile(latencies, 0.90) * 1000, 2),
                "p99": round(percentile(latencies, 0.99) * 1000, 2),
                "max": round(max(latencies) * 1000, 2),
            },
            "server_cpu_ms_per_query": round(server_cpu / args.requests * 1000, 3),
        }

    figures = {
        "queries": names,
        "requests": args.requests,
        "clients": args.clients,
        "workers": args.workers,
        "phases": phases,
        "in_process_ms": {n: {k: round(v, 3) for k, v in local[n].items()} for n in texts},
        "in_process_mix_queries_per_s": round(1000 / mix_local_ms, 1),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"queries: {', '.join(names)} (defaults bound)")
        print(
            f"{args.requests} queries per phase, {args.clients} keep-alive clients, "
            f"{args.workers} workers, {os.cpu_count()} CPUs"
        )
        for label, phase in phases.items():
            lat = phase["latency_ms"]
            print(
                f"{label:30} {phase['queries_per_s']:7,.0f} queries/s; latency "
                f"p50 {lat['p50']} ms, p90 {lat['p90']} ms, p99 {lat['p99']} ms, "
                f"max {lat['max']} ms; server CPU {phase['server_cpu_ms_per_query']} ms/query; "
                f"errors {phase['errors']}"
            )
        print("in-process, median ms per query (run_local | pyoxigraph JSON), rows:")
        for name in texts:
            mark = "*" if name in names else " "
            row = local[name]
            print(
                f" {mark} {name:24} {row['run_local']:7.3f} | {row['json']:7.3f}   "
                f"{int(row['rows'])}"
            )
        print(
            f"in-process mix of the * queries (run_local, one thread): "
            f"{figures['in_process_mix_queries_per_s']:,.0f} queries/s; "
            f"load average at the end {figures['load_average_1min']}"
        )
    for error in errors[:10]:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
