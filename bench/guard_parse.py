"""How the endpoint's query check scales: time per query against query size and shape.

Runs `guard.check_query` as a worker runs it (a thread with the worker's stack size and
recursion limit) on generated queries of growing size: long triple blocks, UNION chains,
VALUES rows, `1+1+…` chains, deep parentheses and braces, runs of `.` and `-` (which made
the old hand tokenizer quadratic). Prints one row per (shape, size) with the verdict.

    python bench/guard_parse.py            # sizes 1, 4, 16, 64 kB
    python bench/guard_parse.py --max-kb 16

Pure CPU, no network, stops by itself.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from b12kg.endpoint import workers
from b12kg.endpoint.guard import Refused, check_query

SHAPES = {
    "triples": lambda n: (
        "SELECT * WHERE { " + " ".join(f"?s ?p ?o{i} ." for i in range(n // 11)) + " }"
    ),
    "union": lambda n: "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * (n // 19)) + " }",
    "values": lambda n: (
        "SELECT * WHERE { VALUES ?x { " + " ".join(f'"{i}"' for i in range(n // 7)) + " } }"
    ),
    "plus-chain": lambda n: "SELECT * WHERE { FILTER(1" + "+1" * (n // 2) + ") }",
    "parens": lambda n: "SELECT * WHERE { FILTER(" + "(" * (n // 2) + "1" + ")" * (n // 2) + ") }",
    "braces": lambda n: "SELECT * WHERE " + "{" * (n // 2) + "}" * (n // 2),
    "body-dots": lambda n: "SELECT * WHERE { ?s ?p ?o " + "." * n + " }",
    "body-dashes": lambda n: "SELECT * WHERE { ?s ?p ?o " + "-" * n + " }",
    "dots": lambda n: "SELECT * WHERE { ?s ?p ?o } #" + "." * n,
    "dot-pname": lambda n: "PREFIX e: <http://e/> SELECT * WHERE { ?s ?p e:a" + "." * n + "b }",
    "dash-pname": lambda n: "PREFIX e: <http://e/> SELECT * WHERE { ?s ?p e:a" + "-" * n + "b }",
}


def measure(max_kb: int) -> list[tuple[str, int, float, str]]:
    rows: list[tuple[str, int, float, str]] = []

    def run() -> None:
        sys.setrecursionlimit(workers._RECURSION_LIMIT)
        kb = 1
        while kb <= max_kb:
            for name, make in SHAPES.items():
                text = make(kb * 1024)
                started = time.perf_counter()
                try:
                    verdict = check_query(text).form
                except Refused as refused:
                    verdict = f"{refused.status} {refused.message[:38]}"
                rows.append((name, len(text), time.perf_counter() - started, verdict))
            kb *= 4

    threading.stack_size(workers._STACK_BYTES)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-kb", type=int, default=64)
    args = parser.parse_args()
    print(f"{'shape':12} {'bytes':>7} {'ms':>9}  verdict")
    for name, size, seconds, verdict in measure(args.max_kb):
        print(f"{name:12} {size:7} {seconds * 1000:9.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
