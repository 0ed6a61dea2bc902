"""Virtuoso holding b12kg beside millions of other triples gives the embedded rows (issue 11).

Starts a throwaway Virtuoso (tests/virtuoso.py: own directory, 127.0.0.1, ~170 MB of
buffers), loads b12kg with `b12kg load`'s code into the graph it writes by default
(https://w3id.org/b12kg/), and times every library query through `b12kg.load(url)` with no
graph named (so the default-graph choice is exercised). Then it adds `--foreign` MONDO-shaped
triples (bench/bench_merged.py's generator) in another named graph with Virtuoso's own loader,
and times them again. Rows must equal the embedded store's at both stages (exit 1 otherwise);
times are medians, ratios within the run.

Run:  python bench/bench_virtuoso.py [--foreign 2000000] [--runs 7] [--buffers 20000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_merged import interleaved_ms, write_foreign  # noqa: E402

import b12kg  # noqa: E402
from b12kg.resources import ontology_file  # noqa: E402
from b12kg.sparql.library import library  # noqa: E402
from b12kg.sparql.loading import load_into_endpoint  # noqa: E402
from b12kg.sparql.remote import LOAD_GRAPH  # noqa: E402
from tests.virtuoso import VirtuosoServer  # noqa: E402

FOREIGN_GRAPH = "https://example.org/foreign/mondo-shaped"
CHUNK_LINES = 200_000


def normalised(result) -> list[tuple[str, ...]]:
    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return f"{value:.10g}"
        return str(value)

    return sorted(tuple(text(row.get(c)) for c in result.columns) for row in result.rows)


def bulk_load(server: VirtuosoServer, source: Path, graph: str) -> float:
    """Virtuoso's Turtle loader over isql, in chunks of whole lines (N-Triples)."""
    assert server.directory is not None
    started = time.perf_counter()
    with open(source, encoding="utf-8") as lines:
        number = 0
        while True:
            chunk = [line for _, line in zip(range(CHUNK_LINES), lines, strict=False)]
            if not chunk:
                break
            part = server.directory / f"part-{number}.nt"
            part.write_text("".join(chunk), encoding="utf-8")
            server.isql(
                f"DB.DBA.TTLP(file_to_string_output('{part}'), '', '{graph}', 0);",
                timeout=600,
            )
            part.unlink()
            number += 1
    server.isql("checkpoint;", timeout=600)
    return time.perf_counter() - started


def measure(embedded, url: str, runs: int) -> tuple[dict[str, tuple[float, float]], list[str]]:
    remote = b12kg.load(url)  # no graph named: the default choice is what is measured
    remote.backend.timeout = 120
    assert remote.backend.graph == LOAD_GRAPH, remote.backend.graph
    times: dict[str, tuple[float, float]] = {}
    different = []
    for name in library():
        if normalised(remote.query(name)) != normalised(embedded.query(name)):
            different.append(name)
        local_ms, remote_ms = interleaved_ms(
            [lambda n=name: embedded.query(n), lambda n=name: remote.query(n)], runs
        )
        times[name] = (local_ms, remote_ms)
    times["load(url)"] = (0.0, interleaved_ms([lambda: b12kg.load(url)], max(3, runs // 2))[0])
    for cause in ("pernicious anemia", "metformin"):
        if [p.to_record() for p in remote.paths(cause)] != [
            p.to_record() for p in embedded.paths(cause)
        ]:
            different.append(f"paths({cause})")
    return times, different


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--foreign", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--buffers",
        type=int,
        default=20_000,
        help="Virtuoso's NumberOfBuffers (8 KB pages; 20,000 is the tests' ~170 MB)",
    )
    args = parser.parse_args()
    from b12kg.knowledge import KnowledgeGraph
    from b12kg.sparql.embedded import LocalBackend

    embedded = KnowledgeGraph.from_backend(LocalBackend(ontology_file("b12kg.ttl")))
    work = Path(tempfile.mkdtemp(prefix="b12kg-virtuoso-bench-"))
    server = VirtuosoServer(start_timeout=60, buffers=args.buffers)
    server.start()
    try:
        load_into_endpoint(
            ontology_file("b12kg.ttl"),
            endpoint=server.sparql_url,
            graph=LOAD_GRAPH,
            user=server.user,
            password=server.password,
        )
        alone, different_alone = measure(embedded, server.sparql_url, args.runs)
        foreign = work / "foreign.nt"
        written = write_foreign(foreign, args.foreign)
        seconds = bulk_load(server, foreign, FOREIGN_GRAPH)
        print(f"loaded {written:,} foreign triples in {seconds:.0f} s", file=sys.stderr)
        merged, different_merged = measure(embedded, server.sparql_url, args.runs)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(
        "| query | embedded ms | Virtuoso, b12kg alone ms | Virtuoso + "
        f"{written / 1e6:.1f}M foreign ms | ratio (foreign / alone) |"
    )
    print("|---|---:|---:|---:|---:|")
    for name in alone:
        local_ms = alone[name][0]
        shown = f"{local_ms:.2f}" if local_ms else ""
        ratio = merged[name][1] / alone[name][1]
        print(f"| {name} | {shown} | {alone[name][1]:.2f} | {merged[name][1]:.2f} | {ratio:.2f}× |")
    different = different_alone + different_merged
    print("rows identical to embedded" if not different else f"DIFFERENT: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
