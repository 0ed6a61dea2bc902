"""Throughput of `assess` over a cohort, measured (never asserted in unit tests).

A synthetic long table of N patients x 5 items (B12 in pmol/L or ng/L, MMA, holoTC, tHcy, and
one condition or drug from the graph; integer lab values as laboratories report them) is
generated here with a fixed seed, then assessed

1. in-process: `kg.assess_cohort(rows)` on a loaded graph (target: >= 5,000 patients/s);
2. end to end: `python -m b12kg assess --cohort FILE.csv --output OUT.csv` as a new process
   (load, read, assess, write).

Run:  python bench/bench_cohort.py [--patients 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INPUTS = (
    "metformin", "omeprazole", "pernicious anemia", "vegan diet", "nitrous oxide",
    "chronic kidney disease", "liver cirrhosis", "polycythemia vera", "cyanocobalamin",
    "Crohn's disease", "pregnancy", "condition after gastrectomy", "alcoholism",
)  # fmt: skip


def cohort(patients: int, seed: int = 12) -> list[tuple[int, str, str, str, str]]:
    rng = random.Random(seed)
    rows = []
    number = 1
    for p in range(patients):
        pid = f"P{p:06d}"
        if rng.random() < 0.7:
            b12 = ("B12", str(rng.randint(60, 1400)), "pmol/L")
        else:
            b12 = ("B12", str(rng.randint(80, 1900)), "ng/L")
        items = [
            b12,
            ("MMA", str(rng.randint(100, 2000)), "nmol/L"),
            ("holoTC", str(rng.randint(10, 120)), "pmol/L"),
            ("tHcy", str(rng.randint(5, 40)), "µmol/L"),
            (rng.choice(INPUTS), "yes", ""),
        ]
        for item in items:
            number += 1
            rows.append((number, pid, *item))
    return rows


def in_process(rows, runs: int) -> dict[str, float]:
    import b12kg

    kg = b12kg.load()
    kg.assess_cohort(rows[:50])  # the per-graph candidate table, built once
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = kg.assess_cohort(rows)
        times.append(time.perf_counter() - started)
    patients = result.summary["patients"]
    median = statistics.median(times)
    started = time.perf_counter()
    spelled = len(result.rows)  # one dict per patient and candidate, built on demand
    spell = time.perf_counter() - started
    return {
        "spell_seconds": spell,
        "spelled": spelled,
        "patients": patients,
        "rows_out": len(result.rows),
        "profiles": result.summary["distinct_profiles"],
        "seconds": median,
        "patients_per_s": patients / median,
    }


def end_to_end(rows, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "cohort.csv"
        with open(source, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["patient_id", "item", "value", "unit"])
            writer.writerows(r[1:] for r in rows)
        out = Path(folder) / "out.csv"
        command = [
            sys.executable,
            "-m",
            "b12kg",
            "assess",
            "--cohort",
            str(source),
            "--output",
            str(out),
        ]
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
        patients = len({r[1] for r in rows})
        median = statistics.median(times)
        return {"seconds": median, "patients_per_s": patients / median}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = cohort(args.patients)
    inside = in_process(rows, args.runs)
    print(
        f"in-process: {inside['patients']:,} patients x 5 items, {inside['profiles']:,} distinct "
        f"profiles, {inside['rows_out']:,} rows out: {inside['seconds']:.2f} s median of "
        f"{args.runs} = {inside['patients_per_s']:,.0f} patients/s (target >= 5,000); spelling "
        f"out the {inside['spelled']:,} row dicts (result.rows) takes {inside['spell_seconds']:.2f} s more"
    )
    outside = end_to_end(rows, args.runs)
    print(
        f"end to end (CSV in, CSV out, new process): {outside['seconds']:.2f} s median = "
        f"{outside['patients_per_s']:,.0f} patients/s"
    )


if __name__ == "__main__":
    main()
