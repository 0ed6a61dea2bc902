"""The two decision tables: lab thresholds and how often a cause accounts for a low/high B12.

`ontology/src/thresholds.tsv` (decision bands per analyte, unit and source, with the
pmol/L-per-ng/L conversion row) and `ontology/src/frequencies.tsv` (sourced frequencies of
causes) are read and checked here — every cause an entity id, every source a reference id (or
`search:pages URL` for a secondary page) — and written by `b12kg build` as
`ontology/b12kg.tables.json`, which `b12kg.graph.tables` reads. Only figures printed in the
tables are used; the one derived number is `share`, the largest percentage the frequency text
states (`"15 %-20 % of all cases"` → 20), so the ranking can weigh common causes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from b12kg.curation.tables import _rows as table_rows
from b12kg.errors import CurationError, Problem

TABLES_FILE = "b12kg.tables.json"
FORMAT = 1
THRESHOLD_COLUMNS = ("analyte", "unit", "band", "lower", "upper", "source", "quote_or_note")
FREQUENCY_COLUMNS = ("cause", "category", "frequency_text", "population", "source")
BANDS = ("deficient", "indeterminate", "normal", "high")
CATEGORIES = {"low_serum_b12": "serum_b12_decreased", "high_serum_b12": "serum_b12_increased"}
CONVERSION = "conversion: "
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def _rows(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict]]:
    """The rows of an optional table, read as every curated table is (encoding, control
    characters, field sizes and the header checked, file:line:field named)."""
    if not path.is_file():  # optional tables: a curation without them has no thresholds
        return []
    return list(table_rows(path, dict.fromkeys(columns, True), problems))


def _number(text: str, file: str, line: int, field: str, problems: list[Problem]) -> float | None:
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        problems.append(Problem(file, line, field, f"'{text}' is not a number"))
        return None


def _source_ok(source: str, references: set[str]) -> bool:
    return source in references or source.startswith("search:pages ")


def _conversion(note: str) -> float | None:
    """The factor of the conversion row: 'pmol/L = ng/L x 0.738' as printed in its note."""
    match = re.search(r"pmol/L = ng/L x (\d+(?:\.\d+)?)", note)
    return float(match.group(1)) if match else None


def read_decision_tables(
    directory: Path, entity_ids: set[str], reference_ids: set[str]
) -> dict[str, object]:
    """The checked content of both tables; CurationError listing every problem."""
    problems: list[Problem] = []
    thresholds: list[dict[str, object]] = []
    conversions: list[dict[str, object]] = []
    file = "thresholds.tsv"
    for line, row in _rows(directory / file, THRESHOLD_COLUMNS, problems):
        if not _source_ok(row["source"], reference_ids):
            problems.append(Problem(file, line, "source", f"unknown reference '{row['source']}'"))
        if row["analyte"].startswith(CONVERSION):
            factor = _conversion(row["quote_or_note"])
            if factor is None:
                problems.append(
                    Problem(
                        file, line, "quote_or_note", "a conversion row states 'pmol/L = ng/L x F'"
                    )
                )
                continue
            conversions.append(
                {
                    "analyte": row["analyte"][len(CONVERSION) :],
                    "from": "ng/L",
                    "to": "pmol/L",
                    "factor": factor,
                    "source": row["source"],
                    "note": row["quote_or_note"],
                    "line": line,
                }
            )
            continue
        if row["band"] not in BANDS:
            problems.append(Problem(file, line, "band", f"'{row['band']}' is not one of {BANDS}"))
        lower = _number(row["lower"], file, line, "lower", problems)
        upper = _number(row["upper"], file, line, "upper", problems)
        if lower is not None and upper is not None and lower >= upper:
            problems.append(Problem(file, line, "upper", "upper must be above lower"))
        thresholds.append(
            {
                "analyte": row["analyte"],
                "unit": row["unit"],
                "band": row["band"],
                "lower": lower,
                "upper": upper,
                "source": row["source"],
                "note": row["quote_or_note"],
                "line": line,
            }
        )
    frequencies: list[dict[str, object]] = []
    file = "frequencies.tsv"
    for line, row in _rows(directory / file, FREQUENCY_COLUMNS, problems):
        if row["cause"] and row["cause"] not in entity_ids:
            problems.append(Problem(file, line, "cause", f"unknown entity id '{row['cause']}'"))
        if row["category"] not in CATEGORIES:
            problems.append(
                Problem(
                    file, line, "category", f"'{row['category']}' is not one of {list(CATEGORIES)}"
                )
            )
            continue
        if not _source_ok(row["source"], reference_ids):
            problems.append(Problem(file, line, "source", f"unknown reference '{row['source']}'"))
        shares = [float(p) for p in _PERCENT.findall(row["frequency_text"])]
        frequencies.append(
            {
                "cause": row["cause"],
                "finding": CATEGORIES[row["category"]],
                "text": row["frequency_text"],
                "population": row["population"],
                "source": row["source"],
                "share": max(shares) if shares else None,
                "line": line,
            }
        )
    if problems:
        raise CurationError(problems)
    return {
        "format": FORMAT,
        "thresholds": thresholds,
        "conversions": conversions,
        "frequencies": frequencies,
    }


def tables_document(directory: Path, entity_ids: set[str], reference_ids: set[str]) -> bytes:
    """`b12kg.tables.json`: the same bytes for the same tables."""
    document = read_decision_tables(directory, entity_ids, reference_ids)
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
