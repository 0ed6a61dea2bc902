"""Serving at scale (issue 11): `b12kg serve --source DIR` on a 5M-triple merged on-disk store.

Three endpoints, each started as `b12kg serve` starts it, in one run: the packaged 11k
graph file (each worker parses a private copy), the same 11k graph as an on-disk store, and
b12kg merged with ~5M generated MONDO-shaped triples (`bench_merged.write_foreign`) as an
on-disk store (every worker opens the same directory read-only). For each it measures:

* **time to ready**: from starting the process to the line with the URL (workers loaded);
* **the light mix, saturated**: closed loop, answer cache off, 32 keep-alive clients
  (`load_endpoint.load`); queries/s, p50/p99, server CPU per query;
* **the light mix, paced** at 1,000 queries/s (open loop; latency from the scheduled send);
* **the light mix with the answer cache** as `b12kg serve` runs by default (32 MB): repeated
  texts are answered by the HTTP process;
* **varied parameters with the answer cache**: the light queries with every value their
  parameter takes (each condition, mechanism, site …; `varied_mix`), each text's first
  request a cache miss, as clients asking about different conditions send them;
* each worker's resident memory after the run.

Rounds alternate the three endpoints so machine noise hits them alike; the ratios are to
the 11k file in the same round, and the load average is printed beside each round (the
machine is shared). Every answer must equal the in-process answer on the same store, and
the 5M store's rows must equal the 11k graph's (exit 1 otherwise).

`--before-queries DIR` also serves the large store with the query texts of another
checkout's `queries/` folder (e.g. `main`'s) in every round, beside this tree's: the client
sends the text, so this measures a rewrite of the library before and after on one endpoint
setup, in the same run. Its rows must equal this tree's too.

Targets at 5M: ready < 2 s; >= 1,000 queries/s on the light mix at p99 < 50 ms (32 clients).

    python bench/serve_at_scale.py --keep /tmp/b12kg-scale   # builds the stores once (~4 min)
    python bench/serve_at_scale.py --keep /tmp/b12kg-scale --rounds 3 --requests 5000
    python bench/serve_at_scale.py --keep /tmp/b12kg-scale --before-queries /work/main/queries
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
sys.path.insert(0, str(REPOSITORY / "bench"))

from bench_merged import write_foreign  # noqa: E402
from load_endpoint import LIGHT_MS, cpu_seconds, in_process, library_queries, load  # noqa: E402
from load_endpoint import percentile as _percentile  # noqa: E402


def build_store(directory: Path, triples: int) -> None:
    """What `b12kg store DIR [--merge FILE]` does: the store, then b12kg's index in it."""
    from b12kg.cli.store import write_store_index
    from b12kg.resources import ontology_file
    from b12kg.sparql.ondisk import write_store

    merge = []
    if triples:
        foreign = directory.with_name(directory.name + ".nt")
        if not foreign.exists():
            write_foreign(foreign, triples)
        merge = [foreign]
    started = time.perf_counter()
    write_store(directory, ontology_file("b12kg.ttl"), merge)
    write_store_index(directory)
    print(f"built {directory} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def expected_bodies(source: Path | None, texts: dict[str, str]) -> dict[str, bytes]:
    """Each query's SPARQL JSON answer in-process on the same store the endpoint serves."""
    import pyoxigraph as ox

    from b12kg.sparql.embedded import read_store
    from b12kg.sparql.ondisk import open_store

    store = open_store(source) if source else read_store(REPOSITORY / "ontology" / "b12kg.ttl")
    return {
        name: store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
        for name, text in texts.items()
    }


def per_query_ms(
    sources: dict[str, Path | None], mixes: dict[str, dict[str, str]], names: list[str], repeat: int
) -> dict[str, dict[str, float]]:
    """Median ms of each light query in-process (query and SPARQL JSON, what a worker does:
    the text it runs, `planned_text`) on every endpoint's store, the stores' repetitions
    interleaved so noise hits them alike."""
    import pyoxigraph as ox

    from b12kg.endpoint.workers import planned_text
    from b12kg.sparql.embedded import read_store
    from b12kg.sparql.ondisk import open_store

    stores = {
        label: open_store(src) if src else read_store(REPOSITORY / "ontology" / "b12kg.ttl")
        for label, src in sources.items()
    }
    timings: dict[str, dict[str, list[float]]] = {n: {label: [] for label in stores} for n in names}
    for _ in range(repeat):
        for name in names:
            for label, store in stores.items():
                started = time.perf_counter()
                text = planned_text(mixes[label][name])
                store.query(text, default_graph=ox.DefaultGraph()).serialize(
                    format=ox.QueryResultsFormat.JSON
                )
                timings[name][label].append(time.perf_counter() - started)
    return {
        name: {label: round(statistics.median(t) * 1000, 3) for label, t in by_store.items()}
        for name, by_store in timings.items()
    }


def varied_mix(names: list[str]) -> dict[str, str]:
    """The light queries with every value their parameter can take (each entity of the
    default's kind, or each kind), as clients asking about different conditions send them:
    the answer cache then misses on each text's first request."""
    import random

    import b12kg
    from b12kg.errors import UnknownEntity
    from b12kg.sparql.binding import bind_parameters, values_block
    from b12kg.sparql.library import library

    kg = b12kg.load()
    texts: dict[str, str] = {}
    for name in names:
        query = library()[name]
        if not query.parameters:
            texts[name] = query.text
            continue
        (parameter,) = query.parameters
        values = [parameter.default]
        if not parameter.is_iri:
            values = sorted({e.kind for e in kg.entities.values()})
        else:
            try:
                kind = kg.find(parameter.default).kind
                values = sorted(e.iri for e in kg.entities.values() if e.kind == kind)
            except UnknownEntity:
                pass
        for value in values:
            bindings = bind_parameters(kg, query, {parameter.name: value})
            texts[f"{name} {value}"] = query.text + values_block(bindings)
    keys = sorted(texts)
    random.Random(11).shuffle(keys)
    return {key: texts[key] for key in keys}


def varied_cell(figures: dict) -> str:
    varied = figures.get("varied")
    if not varied:
        return "– | –"
    return f"{varied['queries_per_s']:,.0f} ({varied['texts']} texts) | {varied['p99_ms']}"


def rows(body: bytes) -> list[tuple]:
    bindings = json.loads(body)["results"]["bindings"]
    return sorted(tuple(sorted((k, v["value"]) for k, v in b.items())) for b in bindings)


def start(
    source: Path | None, workers: int, cache_mb: int = 0
) -> tuple[subprocess.Popen, int, float]:
    """`b12kg serve` in a child process; (process, port, seconds until it printed its URL)."""
    command = [sys.executable, "-m", "b12kg", "serve", "--port", "0", "--cache-mb", str(cache_mb)]
    command += ["--workers", str(workers)]
    if source:
        command += ["--source", str(source)]
    env = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    line = process.stdout.readline()
    ready = time.perf_counter() - started
    match = re.search(r"http://127\.0\.0\.1:(\d+)/sparql", line)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return process, int(match.group(1)), ready


def worker_rss_mb(pid: int) -> list[float]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        rss = re.search(r"VmRSS:\s+(\d+) kB", status)
        if rss:
            out.append(round(int(rss.group(1)) / 1024, 1))
    return sorted(out)


def measure(source, names, texts, expected, args, varied=None) -> dict[str, object]:
    """One endpoint's figures; `varied` is (texts, expected answers) of `varied_mix`, sent
    to the cached endpoint after the light mix (every parameter value, 1st request a miss)."""
    process, port, ready = start(source, args.workers)
    host = "127.0.0.1"
    try:
        asyncio.run(load(host, port, names, texts, expected, args.warmup, args.clients))
        figures: dict[str, object] = {"ready_s": round(ready, 3)}
        for label, rate in (("saturated", None), ("paced", args.rate)):
            if label == "paced" and not rate:
                continue
            cpu_before = cpu_seconds(process.pid)
            elapsed, latencies, failed = asyncio.run(
                load(host, port, names, texts, expected, args.requests, args.clients, rate)
            )
            figures[label] = {
                "queries_per_s": round(args.requests / elapsed, 1),
                "p50_ms": round(_percentile(latencies, 0.5) * 1000, 2),
                "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
                "server_cpu_ms_per_query": round(
                    (cpu_seconds(process.pid) - cpu_before) / args.requests * 1000, 3
                ),
                "errors": failed[:5],
            }
        figures["worker_rss_mb"] = worker_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(10)
    process, port, _ = start(source, args.workers, cache_mb=32)  # as `b12kg serve` runs
    try:
        asyncio.run(load(host, port, names, texts, expected, args.warmup, args.clients))
        elapsed, latencies, failed = asyncio.run(
            load(host, port, names, texts, expected, args.requests, args.clients)
        )
        figures["cached"] = {
            "queries_per_s": round(args.requests / elapsed, 1),
            "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
            "errors": failed[:5],
        }
        if varied:
            keys = list(varied[0])
            elapsed, latencies, failed = asyncio.run(
                load(host, port, keys, varied[0], varied[1], args.requests, args.clients)
            )
            figures["varied"] = {
                "texts": len(keys),
                "queries_per_s": round(args.requests / elapsed, 1),
                "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
                "errors": failed[:5],
            }
    finally:
        process.terminate()
        process.wait(10)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=Path("/tmp/b12kg-scale"))
    parser.add_argument("--triples", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=1000.0, help="paced phase (0 skips)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--per-query",
        type=int,
        default=0,
        metavar="N",
        help="also time each light query in-process on every store, median of N",
    )
    parser.add_argument(
        "--before-queries",
        type=Path,
        help="also serve the large store with this folder's .rq texts (before a rewrite)",
    )
    args = parser.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    small, big = args.keep / "store-0", args.keep / f"store-{args.triples}"
    from b12kg.sparql.ondisk import is_store

    for directory, triples in ((small, 0), (big, args.triples)):
        if not is_store(directory):
            build_store(directory, triples)

    texts = library_queries()
    local = in_process(texts, repeat=50)
    names = [n for n in texts if local[n]["json"] < LIGHT_MS]
    big_label = f"{args.triples / 1e6:g}M store"
    sources = {"11k file": None, "11k store": small, big_label: big}
    mixes = {label: texts for label in sources}
    if args.before_queries:
        before = library_queries(args.before_queries)
        missing = [name for name in names if name not in before]
        if missing:
            raise SystemExit(f"{args.before_queries} lacks the queries {missing}")
        sources[f"{big_label}, before"] = big
        mixes[f"{big_label}, before"] = {name: before[name] for name in names}
    expected = {label: expected_bodies(src, mixes[label]) for label, src in sources.items()}
    varied_texts = varied_mix(names)
    varied = {
        label: (varied_texts, expected_bodies(src, varied_texts))
        for label, src in sources.items()
        if not label.endswith(", before")
    }
    failed = False
    for label in sources:
        for name in mixes[label]:
            if rows(expected[label][name]) != rows(expected["11k file"][name]):
                print(f"ROWS DIFFER on {label}: {name}", file=sys.stderr)
                failed = True

    in_process_ms = per_query_ms(sources, mixes, names, args.per_query) if args.per_query else {}
    if in_process_ms:
        print(
            f"| query (in-process ms, median of {args.per_query}) | " + " | ".join(sources) + " |"
        )
        print("|---|" + "---:|" * len(sources))
        for name, by_store in in_process_ms.items():
            print(f"| {name} | " + " | ".join(f"{by_store[label]:.2f}" for label in sources) + " |")
        print(
            "| **sum** | "
            + " | ".join(
                f"{sum(t[label] for t in in_process_ms.values()):.2f}" for label in sources
            )
            + " |",
            flush=True,
        )

    results: list[dict[str, object]] = []
    for round_number in range(args.rounds):
        figures = {"round": round_number + 1, "load_average": os.getloadavg()}
        for label, source in sources.items():
            figures[label] = measure(
                source, names, mixes[label], expected[label], args, varied.get(label)
            )
            phases = ("saturated", "paced", "cached", "varied")
            errors = [e for k in phases for e in figures[label].get(k, {}).get("errors", [])]  # type: ignore[union-attr]
            if errors:
                print(f"errors on {label}: {errors}", file=sys.stderr)
                failed = True
        figures["load_average_end"] = os.getloadavg()
        results.append(figures)
        print(json.dumps(figures), file=sys.stderr, flush=True)

    if args.json:
        print(
            json.dumps({"mix": names, "in_process_ms": in_process_ms, "rounds": results}, indent=1)
        )
        return 1 if failed else 0
    print(f"light mix ({len(names)} queries): {', '.join(names)}")
    print(
        "| round (load avg) | endpoint | ready s | saturated q/s | p50 ms | p99 ms | "
        "CPU ms/q | paced p99 ms | cached q/s | cached p99 ms | varied cached q/s | "
        "varied p99 ms | worker RSS MB | q/s ratio to 11k file |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for figures in results:
        base = figures["11k file"]["saturated"]["queries_per_s"]  # type: ignore[index]
        load_avg = "–".join(
            f"{a:.1f}" for a in (figures["load_average"][0], figures["load_average_end"][0])
        )  # type: ignore[index]
        for label in sources:
            f = figures[label]
            sat = f["saturated"]  # type: ignore[index]
            paced = f.get("paced", {}).get("p99_ms", "–")  # type: ignore[union-attr]
            print(
                f"| {figures['round']} ({load_avg}) | {label} | {f['ready_s']:.2f} | "  # type: ignore[index]
                f"{sat['queries_per_s']:,.0f} | {sat['p50_ms']} | {sat['p99_ms']} | "
                f"{sat['server_cpu_ms_per_query']} | {paced} | "
                f"{f['cached']['queries_per_s']:,.0f} | {f['cached']['p99_ms']} | "  # type: ignore[index]
                f"{varied_cell(f)} | "
                f"{', '.join(str(r) for r in f['worker_rss_mb'])} | "  # type: ignore[index]
                f"{sat['queries_per_s'] / base:.2f}× |"
            )
    medians = {
        label: statistics.median(r[label]["saturated"]["queries_per_s"] for r in results)  # type: ignore[index]
        for label in sources
    }
    print(f"median saturated q/s: {medians}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
