"""Library queries as SPARQL clients send them to `b12kg serve`: parameters in a trailing VALUES row.

For every parameterised library query with its defaults, on b12kg alone and on b12kg merged
with ~5M generated MONDO-shaped triples (the on-disk stores of `serve_at_scale.py`, built
once into `--keep`): the median time of the text as sent (library text + `values_block`) and
of the text a worker runs instead (`workers.planned_text`: the value as a constant), query
and SPARQL JSON, as a worker does. Both answers must be the same bytes (exit 1 otherwise).
A text that takes over a second as sent is timed 3 times, not `--runs`.

    python bench/bench_trailing_values.py --keep /tmp/b12kg-scale --runs 40
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))
sys.path.insert(0, str(REPOSITORY / "bench"))

from serve_at_scale import build_store  # noqa: E402


def timed(store, text: str, runs: int) -> tuple[float, bytes]:
    """(median ms, SPARQL JSON answer) of `text` on `store`."""
    import pyoxigraph as ox

    def once() -> tuple[float, bytes]:
        started = time.perf_counter()
        body = store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
        return time.perf_counter() - started, body

    first, body = once()
    times = [first] + [once()[0] for _ in range((3 if first > 1.0 else runs) - 1)]
    return statistics.median(times) * 1000, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=Path("/tmp/b12kg-scale"))
    parser.add_argument("--triples", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    import b12kg
    from b12kg.endpoint.workers import planned_text
    from b12kg.sparql.binding import bind_parameters, values_block
    from b12kg.sparql.library import library
    from b12kg.sparql.ondisk import is_store, open_store

    args.keep.mkdir(parents=True, exist_ok=True)
    directories = {"alone": args.keep / "store-0", "merged": args.keep / f"store-{args.triples}"}
    for label, directory in directories.items():
        if not is_store(directory):
            build_store(directory, 0 if label == "alone" else args.triples)
    stores = {label: open_store(directory) for label, directory in directories.items()}
    kg = b12kg.load()
    size = f"+{args.triples / 1e6:g}M"
    print(
        f"| query | alone, as sent ms | alone, constants ms | {size}, as sent ms "
        f"| {size}, constants ms | {size} as sent / constants |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    differ = []
    for name, query in sorted(library().items()):
        if not query.parameters:
            continue
        sent = query.text + values_block(bind_parameters(kg, query, {}))
        planned = planned_text(sent)
        cells = []
        for store in stores.values():
            as_sent, body = timed(store, sent, args.runs)
            constant, planned_body = timed(store, planned, args.runs)
            if body != planned_body:
                differ.append(name)
            cells += [as_sent, constant]
        ratio = cells[2] / cells[3]
        print(
            f"| {name} | " + " | ".join(f"{c:,.2f}" for c in cells) + f" | {ratio:,.1f}× |",
            flush=True,
        )
    if differ:
        print(f"ANSWERS DIFFER: {', '.join(sorted(set(differ)))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
