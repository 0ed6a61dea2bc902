"""Latency of every library query on the embedded store (pyoxigraph), defaults bound.

Target: each under 10 ms median on the packaged graph. rdflib's own evaluator is timed on the
same queries for comparison (it is what a researcher gets from `rdflib.Graph().query`), with a
per-query budget so a slow one cannot stall the run.

Run:  python bench/bench_queries.py [--runs 21] [--rdflib]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox

import b12kg
from b12kg.sparql.binding import bind_parameters
from b12kg.sparql.library import library


def _median_ms(call, runs: int) -> float:
    call()  # warm-up (parse caches, first-touch)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return 1000 * statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--rdflib", action="store_true", help="also time rdflib (slow)")
    args = parser.parse_args()
    kg = b12kg.load()
    store = kg.backend.store
    rdflib_graph = None
    if args.rdflib:
        import rdflib

        from b12kg.resources import ontology_file

        rdflib_graph = rdflib.Graph().parse(ontology_file("b12kg.ttl"))
    print(
        f"{'query':28s} {'rows':>5s} {'pyoxigraph ms':>14s}"
        + ("  rdflib ms   ratio" if args.rdflib else "")
    )
    worst = 0.0
    for name, query in library().items():
        bindings = bind_parameters(kg, query, {})
        substitutions = {ox.Variable(k): v for k, v in bindings.items()} or None

        def run(query=query, substitutions=substitutions):
            return list(store.query(query.text, substitutions=substitutions))

        rows = len(run())
        fast = _median_ms(run, args.runs)
        worst = max(worst, fast)
        line = f"{name:28s} {rows:5d} {fast:14.2f}"
        if rdflib_graph is not None:
            import rdflib

            init = {
                k: rdflib.URIRef(v.value)
                if isinstance(v, ox.NamedNode)
                else rdflib.Literal(v.value)
                for k, v in bindings.items()
            }
            started = time.perf_counter()
            list(rdflib_graph.query(query.text, initBindings=init))
            slow = 1000 * (time.perf_counter() - started)
            line += f"  {slow:9.1f}  {slow / fast:6.0f}x" if slow < 60_000 else "  (over budget)"
        print(line)
    print(f"slowest library query: {worst:.2f} ms median (target < 10 ms)")


if __name__ == "__main__":
    main()
