"""Speed of the path walk, measured (never asserted in unit tests).

Three figures, each as a median over repeated runs, compared within one run because the
machines are shared and noisy:

1. cold start: `b12kg trace NAME` as a new process — this tree installed as a user installs
   it (`compare_cold_start.install`: a wheel, its bytecode compiled, its console script) —
   against `python -c "import rdflib"` run alternately with it (target: at most 0.5x, issue
   11; was within 3x);
2. `b12kg.load()` of the packaged graph in-process (target: under 1 s);
3. `kg.paths(cause)` on a loaded graph, over every condition and drug (target: under 5 ms).

Run:  python bench/bench_trace.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from compare_cold_start import NAME, install, measure, ratio


def cold_start(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="b12kg-cold-") as scratch:
        target = Path(scratch)
        script = install(Path(__file__).resolve().parents[1], target)
        times = measure(
            {
                "trace": ([sys.executable, str(script), "trace", NAME], target),
                "rdflib": ([sys.executable, "-c", "import rdflib"], None),
            },
            runs,
        )
    median, worst = ratio(times, "trace", "rdflib")
    return {
        "trace_ms": 1000 * statistics.median(times["trace"]),
        "import_rdflib_ms": 1000 * statistics.median(times["rdflib"]),
        "ratio": median,
        "ratio_max": worst,
    }


def in_process(runs: int) -> dict[str, float]:
    import b12kg
    from b12kg.vocabulary import CAUSE_KINDS

    loads = []
    for _ in range(max(5, runs // 3)):
        started = time.perf_counter()
        kg = b12kg.load()
        _ = kg.edges  # the edge index is part of what a first trace needs
        loads.append(time.perf_counter() - started)
    causes = [e for e in kg.entities.values() if e.kind in CAUSE_KINDS]
    per_cause = []
    for entity in causes:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            kg.paths(entity)
            samples.append(time.perf_counter() - started)
        per_cause.append(statistics.median(samples))
    return {
        "load_ms": 1000 * statistics.median(loads),
        "causes": len(causes),
        "trace_median_ms": 1000 * statistics.median(per_cause),
        "trace_worst_cause_ms": 1000 * max(per_cause),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cold = cold_start(args.runs)
    warm = in_process(args.runs)
    print(
        f"cold start  b12kg trace: {cold['trace_ms']:.0f} ms   import rdflib: "
        f"{cold['import_rdflib_ms']:.0f} ms   ratio (median of pairs): {cold['ratio']:.2f}x "
        f"(max {cold['ratio_max']:.2f}x; target <= 0.5x)"
    )
    print(f"load()      {warm['load_ms']:.1f} ms median (target < 1000 ms)")
    print(
        f"paths()     {warm['trace_median_ms']:.3f} ms median over {warm['causes']} causes, "
        f"worst cause {warm['trace_worst_cause_ms']:.3f} ms (target < 5 ms)"
    )


if __name__ == "__main__":
    main()
