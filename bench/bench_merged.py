"""Cost of every library query and API call as foreign data is merged in (issue 11).

b12kg alone (~12k triples) and b12kg merged with generated MONDO-shaped data (~1M and ~5M
triples: classes with labels, definitions, synonyms, is-a chains, existential restrictions,
and owl:Axiom-annotated cross-references) are each written to an on-disk store with
`b12kg.sparql.ondisk.write_store` (what `b12kg store --merge` does) and opened read-only with
`b12kg.load(DIR)`. Every library query (defaults bound, through `kg.query`) and each API call
(load, paths, causes_of, find, search) is timed on each; the figures are medians, the ratios
are to b12kg alone in the same run. Samples are taken round-robin over the stores, so machine noise hits
all sizes alike. Rows must be identical at every size (exit 1 otherwise).
Target: every library query at 5M within 2x its time on b12kg alone.

Run:  python bench/bench_merged.py [--sizes 1000000 5000000] [--runs 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import b12kg
from b12kg.resources import ontology_file
from b12kg.sparql.library import library
from b12kg.sparql.ondisk import write_store

OBO = "http://purl.obolibrary.org/obo/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
TRIPLES_PER_CLASS = 11.8  # measured on the generator below


def write_foreign(path: Path, triples: int) -> int:
    """N-Triples of MONDO-shaped classes, about `triples` of them; returns the count written."""
    classes = int(triples / TRIPLES_PER_CLASS)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for i in range(classes):
            c = f"<{OBO}MONDO_{i:07d}>"
            lines = [
                f"{c} <{RDF}type> <{OWL}Class> .",
                f'{c} <{RDFS}label> "disease {i}" .',
                f'{c} <{OBO}IAO_0000115> "A disease numbered {i}." .',
                f'{c} <{OIO}hasExactSynonym> "syndrome {i}" .',
                f"{c} <{RDFS}subClassOf> <{OBO}MONDO_{i // 3:07d}> .",
                f'{c} <{OIO}hasDbXref> "DOID:{i}" .',
                f"_:x{i} <{RDF}type> <{OWL}Axiom> .",
                f"_:x{i} <{OWL}annotatedSource> {c} .",
                f"_:x{i} <{OWL}annotatedProperty> <{OIO}hasDbXref> .",
                f'_:x{i} <{OWL}annotatedTarget> "DOID:{i}" .',
                f'_:x{i} <{OIO}source> "MONDO:equivalentTo" .',
            ]
            if i % 5 == 0:
                lines += [
                    f"{c} <{RDFS}subClassOf> _:r{i} .",
                    f"_:r{i} <{RDF}type> <{OWL}Restriction> .",
                    f"_:r{i} <{OWL}onProperty> <{OBO}RO_0004003> .",
                    f"_:r{i} <{OWL}someValuesFrom> <{OBO}HGNC_{i % 20000}> .",
                ]
            out.write("\n".join(lines) + "\n")
            written += len(lines)
    return written


def interleaved_ms(calls: list, runs: int) -> list[float]:
    """Median ms of each call, sampled round-robin so machine noise hits every store alike."""
    for call in calls:
        call()  # warm-up
    samples: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        for call, taken in zip(calls, samples, strict=True):
            started = time.perf_counter()
            call()
            taken.append(time.perf_counter() - started)
    return [1000 * statistics.median(taken) for taken in samples]


CAUSES = ["pernicious_anemia", "metformin", "crohns_disease", "nitrous_oxide_exposure"]
LOW = "serum vitamin B12 decreased"


def api_calls(kg, directory) -> dict[str, object]:
    """What is timed besides the library queries: name → a call on `kg` (or loading it)."""
    causes = [c for c in CAUSES if c in kg.entities]
    return {
        "load()": lambda: b12kg.load(directory),
        "paths (4 causes)": lambda: [kg.paths(c) for c in causes],
        "causes_of(low)": lambda: kg.causes_of(LOW),
        "find": lambda: kg.find("Addison-Biermer disease"),
        "search": lambda: kg.search("anemia"),
    }


def answers(kg) -> dict[str, object]:
    got: dict[str, object] = {
        "paths": [[p.to_record() for p in kg.paths(c)] for c in CAUSES if c in kg.entities],
        "causes_of": [p.to_record() for p in kg.causes_of(LOW)],
    }
    for name in library():
        result = kg.query(name)
        got[name] = (result.columns, result.rows)
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 5_000_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep the stores here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="b12kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    stores: list[tuple[str, Path]] = []
    failed = False
    try:
        for size in [0, *args.sizes]:
            directory = work / f"store-{size}"
            merge = []
            if size:
                foreign = work / f"foreign-{size}.nt"
                if not foreign.exists():
                    write_foreign(foreign, size)
                merge = [foreign]
            if not directory.exists():
                started = time.perf_counter()
                write_store(directory, ontology_file("b12kg.ttl"), merge)
                built = time.perf_counter() - started
                print(f"built {directory.name} in {built:.1f} s", file=sys.stderr, flush=True)
            stores.append(("b12kg alone" if not size else f"+{size / 1e6:g}M", directory))
        kgs = [b12kg.load(directory) for _, directory in stores]
        counts = [len(kg.backend.store) for kg in kgs]
        baseline = answers(kgs[0])
        for (label, _), kg in zip(stores[1:], kgs[1:], strict=True):
            for key, value in answers(kg).items():
                if value != baseline[key]:
                    print(f"DIFFERENT ANSWER on {label}: {key}", file=sys.stderr)
                    failed = True
        calls = [api_calls(kg, directory) for kg, (_, directory) in zip(kgs, stores, strict=True)]
        keys = [*calls[0], *library()]
        times: list[dict[str, float]] = [{} for _ in kgs]
        for key in keys:
            if key in library():
                row = [lambda kg=kg, key=key: kg.query(key) for kg in kgs]
            else:
                row = [c[key] for c in calls]
            runs = max(3, args.runs // 2) if key == "load()" else args.runs
            for taken, ms in zip(times, interleaved_ms(row, runs), strict=True):
                taken[key] = ms
            print(f"  {key}", file=sys.stderr, flush=True)
        columns = [(label, n, t) for (label, _), n, t in zip(stores, counts, times, strict=True)]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    base = columns[0][2]
    header = "| what | " + " | ".join(f"{label} ({n:,}) ms" for label, n, _ in columns)
    header += " | " + " | ".join(f"{label} ratio" for label, _, _ in columns[1:]) + " |"
    print(header)
    print("|---" + "|---:" * (2 * len(columns) - 1) + "|")
    worst = 0.0
    for key in base:
        cells = [f"{t[key]:.2f}" for _, _, t in columns]
        ratios = [t[key] / base[key] for _, _, t in columns[1:]]
        if key in library():
            worst = max(worst, ratios[-1] if ratios else 0)
        print(
            f"| {key} | "
            + " | ".join(cells)
            + " | "
            + " | ".join(f"{r:.2f}×" for r in ratios)
            + " |"
        )
    print(f"\nworst library-query ratio at the largest size: {worst:.2f}× (target ≤ 2×)")
    print("rows identical at every size" if not failed else "ROWS DIFFER", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
