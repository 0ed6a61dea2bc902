"""Write tests/expectations/paths.tsv: one row per (cause, finding, direction, kind, nature)
the walk produces, for every condition and drug that has any path.

Run ONCE when a fact changes on purpose, then review the diff line by line against the
curated notes before committing it with the change (tests/README.md):

    python -m tests.expectations.generate            # rewrite paths.tsv from the packaged graph
    python -m tests.expectations.generate --check    # exit 1 if paths.tsv differs

`test_expectations.py` uses `expected_rows` from here, so the test and the generator read
the walk the same way; the *file* is the reviewed truth, not this code.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

from b12kg.graph.edges import STRENGTH_ORDER
from b12kg.questions.paths import DEFAULT_TARGETS, STATUS_TARGETS
from b12kg.vocabulary import CAUSE_KINDS

TABLE = Path(__file__).resolve().parent / "paths.tsv"
KEY = ("cause_id", "finding_id", "direction", "kind", "nature")
COLUMNS = (*KEY, "strength", "walk", "step_strengths", "cause", "finding")


def produced_rows(kg) -> list[dict[str, str]]:
    """Every (cause, finding, direction, kind, nature) of the walk, with its best strength.

    `walk` is `serum` for `kg.paths` (serum B12 and its misleading results) and `status` for
    `kg.status_paths` (MMA, homocysteine, holoTC; else intracellular deficiency), which
    `trace` shows when serum B12 is not reached and `differential` reads for every cause;
    `finding` for every other lab finding (MCV, gastrin, antibodies …), which `differential`
    offers as predictions and tests. `step_strengths` lists, for the paths behind the row, the
    strength of each evidenced step (est, pro, lim, dis), with "×n" when n paths share it, so
    a change to any link on a path, not only its weakest, changes the row.
    """
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    walked = set(DEFAULT_TARGETS) | set(STATUS_TARGETS)
    others = sorted(
        e.id for e in kg.entities.values() if e.kind == "lab_finding" and e.id not in walked
    )
    for entity in sorted(kg.entities.values(), key=lambda e: e.id):
        if entity.kind not in CAUSE_KINDS:
            continue
        walks = [("serum", p) for p in kg.paths(entity)]
        walks += [("status", p) for p in kg.status_paths(entity)]
        for other in others:  # every other lab finding (what differential predicts)
            walks += [("finding", p) for p in kg.paths(entity, kg.entities[other])]
        for walk, path in walks:
            key = (entity.id, path.finding.id, path.direction or "", path.kind, path.nature)
            row = rows.setdefault(
                key,
                dict(zip(KEY, key, strict=True))
                | {
                    "strength": "",
                    "walk": walk,
                    "step_strengths": Counter(),
                    "cause": entity.label,
                    "finding": path.finding.label,
                },
            )
            if STRENGTH_ORDER.get(path.strength, -1) > STRENGTH_ORDER.get(row["strength"], -1):
                row["strength"] = path.strength
            row["step_strengths"].update(
                [">".join(s.evidence.strength[:3] for s in path.steps if s.evidence)]
            )
    for row in rows.values():  # each path's steps, e.g. est>est>pro, "×2" for two such paths
        row["step_strengths"] = " | ".join(
            seq if n == 1 else f"{seq} ×{n}" for seq, n in sorted(row["step_strengths"].items())
        )
    return [rows[k] for k in sorted(rows)]


def read_table(path: Path = TABLE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [dict(row) for row in csv.DictReader(lines, delimiter="\t")]


def render(rows: list[dict[str, str]]) -> str:
    out = ["\t".join(COLUMNS)]
    out += ["\t".join(row[c] for c in COLUMNS) for row in rows]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--ttl", help="another built b12kg.ttl (default: the packaged graph)")
    args = parser.parse_args(argv)
    import b12kg

    kg = b12kg.load(args.ttl) if args.ttl else b12kg.load()
    text = render(produced_rows(kg))
    if args.check:
        same = TABLE.read_text(encoding="utf-8") == text
        print("paths.tsv is current" if same else "paths.tsv differs from the walk")
        return 0 if same else 1
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
