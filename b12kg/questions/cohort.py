"""Many patients at once: a long table (patient_id, item, value, unit) → one row per patient and
candidate cause.

Each distinct (item, value, unit) is read once and each distinct patient profile — the
patient's inputs, findings and measured analytes — is ranked once; the ranking itself reads
the per-graph candidate table (`differential.candidate_table`). A bad row (unknown name or
unit, a value that is no number, no patient id) is reported with its row number and reason
and the rest is processed; `CohortResult.summary` counts what was skipped and why. A patient
with no candidate still gets one row (empty cause) saying so: nothing is dropped silently.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from b12kg.errors import B12kgError, UnknownEntity, UsageError
from b12kg.questions.assess import Item, assess, read_item

if TYPE_CHECKING:
    from b12kg.graph.index import GraphIndex

COLUMNS = ("patient_id", "item", "value", "unit")
OUTPUT_COLUMNS = (
    "patient_id",
    "labs",
    "findings",
    "section",
    "rank",
    "cause_id",
    "cause",
    "kind",
    "strength",
    "input",
    "explains",
    "note",
)


@dataclass(frozen=True)
class Skipped:
    row: int  # the row number in the file (header = row 1) or in the DataFrame (first = 1)
    patient_id: str
    reason: str
    category: str


def _category(error: Exception) -> str:
    text = str(error)
    if isinstance(error, UnknownEntity):
        return "unknown name"
    if "unit" in text:
        return "unit missing or unknown"
    if "not a number" in text:
        return "value is not a number"
    if "yes/no" in text:
        return "not a yes/no answer"
    return "other input error"


@dataclass
class CohortResult:
    """Per patient: its id, its lab summary and the ranked rows of its profile (shared by every
    patient with that profile); `rows` spells them out, one dict per patient and candidate."""

    patients_ranked: list[tuple[str, str, list[dict[str, object]]]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    patients: int = 0
    profiles: int = 0  # distinct profiles ranked
    _rows: list[dict[str, object]] | None = None

    @property
    def rows(self) -> list[dict[str, object]]:
        if self._rows is None:
            self._rows = [
                {"patient_id": patient, "labs": labs, **row}
                for patient, labs, ranked in self.patients_ranked
                for row in ranked
            ]
        return self._rows

    def __iter__(self) -> Iterator[dict[str, object]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return sum(len(ranked) for _, _, ranked in self.patients_ranked)

    @property
    def summary(self) -> dict[str, object]:
        return {
            "patients": self.patients,
            "distinct_profiles": self.profiles,
            "rows_written": len(self),
            "rows_skipped": len(self.skipped),
            "skipped_by_reason": dict(Counter(s.category for s in self.skipped).most_common()),
        }

    def to_dataframe(self):  # -> pandas.DataFrame (pandas is imported only here)
        import pandas as pd

        return pd.DataFrame.from_records(self.rows, columns=list(OUTPUT_COLUMNS))

    def skipped_dataframe(self):
        import pandas as pd

        return pd.DataFrame.from_records(
            [s.__dict__ for s in self.skipped], columns=["row", "patient_id", "reason", "category"]
        )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if value != value else f"{value:g}"  # NaN from pandas = empty
    return str(value).strip()


def assess_cohort(
    kg: GraphIndex,
    rows: Iterable[tuple[int, object, object, object, object]],
    *,
    limit: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> CohortResult:
    """`rows`: (row number, patient_id, item, value, unit). See the module docstring."""
    result = CohortResult()
    items: dict[tuple[str, str, str], Item | Exception] = {}
    patients: dict[str, list[Item]] = {}
    for number, patient, name, value, unit in rows:
        patient_id = _cell(patient)
        if not patient_id:
            result.skipped.append(Skipped(number, "", "no patient_id", "no patient id"))
            continue
        key = (_cell(name), _cell(value), _cell(unit))
        item = items.get(key)
        if item is None:
            try:
                item = read_item(kg, *key)
            except B12kgError as error:
                item = error
            items[key] = item
        patient_items = patients.setdefault(patient_id, [])
        if isinstance(item, Exception):
            result.skipped.append(Skipped(number, patient_id, str(item), _category(item)))
            continue
        patient_items.append(item)
    result.patients = len(patients)
    ranked: dict[tuple, list[dict[str, object]]] = {}
    total = len(patients)
    for done, (patient_id, patient_items) in enumerate(patients.items(), start=1):
        if progress is not None and (done % 1000 == 0 or done == total):
            progress(done, total)
        labs = "; ".join(
            f"{i.lab.analyte} {i.lab.value:g} {i.lab.unit}".rstrip()
            + f": {i.lab.status}"
            + (f" ({i.lab.threshold.source})" if i.lab.threshold else "")
            for i in patient_items
            if i.lab is not None
        )
        profile = (
            frozenset(i.entity.id for i in patient_items if i.kind == "input" and i.present),
            frozenset(i.lab.finding.id for i in patient_items if i.lab and i.lab.finding)
            | frozenset(i.entity.id for i in patient_items if i.kind == "finding" and i.present),
            frozenset(i.lab.analyte for i in patient_items if i.lab)
            | frozenset(i.entity.id for i in patient_items if i.kind == "finding"),
        )
        candidates = ranked.get(profile)
        if candidates is None:
            candidates = _rank_profile(kg, patient_items, limit)
            ranked[profile] = candidates
        result.patients_ranked.append((patient_id, labs, candidates))
    result.profiles = len(ranked)
    return result


def _rank_profile(kg: GraphIndex, patient_items: list[Item], limit: int) -> list[dict]:
    blank = dict.fromkeys(OUTPUT_COLUMNS[2:], "")
    if not patient_items:
        return [{**blank, "note": "no usable item (every row skipped)"}]
    try:
        assessment = assess(kg, patient_items, limit=limit, with_cautions=False)
    except UsageError as error:  # pragma: no cover - items were checked one by one
        return [{**blank, "note": str(error)}]
    findings = "; ".join(f.label for f in assessment.findings)
    if not assessment.candidates:
        note = (
            "no abnormal finding: nothing to explain"
            if not assessment.findings
            else "no candidate cause in the graph"
        )
        return [{**blank, "findings": findings, "note": note}]
    return [
        {
            "findings": findings,
            "section": c.section,
            "rank": c.rank,
            "cause_id": c.cause.id,
            "cause": c.cause.label,
            "kind": c.kind,
            "strength": c.strength,
            "input": c.is_input,
            "explains": "; ".join(f.label for f in c.explained),
            "note": "",
        }
        for c in assessment.candidates
    ]


# --- files ------------------------------------------------------------------------------------


def read_long_table(path: str | Path) -> Iterator[tuple[int, object, object, object, object]]:
    """Rows of a CSV (or .tsv, or .parquet with pyarrow) long table, numbered as in the file."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise UsageError(
                "reading Parquet needs pyarrow: pip install 'b12kg[parquet]'"
            ) from None
        table = pq.read_table(path)
        missing = [c for c in ("patient_id", "item") if c not in table.column_names]
        if missing:
            raise UsageError(f"{path}: missing column(s) {', '.join(missing)}; need {COLUMNS}")
        columns = [
            table.column(c).to_pylist() if c in table.column_names else [None] * table.num_rows
            for c in COLUMNS
        ]
        for number, values in enumerate(zip(*columns, strict=True), start=1):
            yield (number, *values)
        return
    try:
        stream = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    with stream:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = csv.reader(stream, delimiter=delimiter)
        header = [h.strip().casefold() for h in next(reader, [])]
        missing = [c for c in ("patient_id", "item") if c not in header]
        if missing:
            raise UsageError(
                f"{path}: missing column(s) {', '.join(missing)} in the header; need {', '.join(COLUMNS)}"
            )
        where = [header.index(c) if c in header else None for c in COLUMNS]
        for number, cells in enumerate(reader, start=2):
            yield (number, *(cells[i] if i is not None and i < len(cells) else "" for i in where))


def dataframe_rows(frame) -> Iterator[tuple[int, object, object, object, object]]:
    """Rows of a pandas DataFrame with columns patient_id, item, value (, unit); first = 1."""
    missing = [c for c in ("patient_id", "item") if c not in frame.columns]
    if missing:
        raise UsageError(f"the DataFrame lacks column(s) {', '.join(missing)}; need {COLUMNS}")
    columns = [frame[c].tolist() if c in frame.columns else [None] * len(frame) for c in COLUMNS]
    for number, values in enumerate(zip(*columns, strict=True), start=1):
        yield (number, *values)


def write_result(result: CohortResult, target: str | Path | None, fmt: str, stream=None) -> None:
    """Write a cohort result without spelling out a dict per row: each profile's rows are
    encoded once (CSV cells, JSON fragments) and prefixed with each patient's id and labs."""
    import json
    import sys

    if fmt == "parquet":
        write_rows(result.rows, target, fmt)
        return
    out = open(target, "w", encoding="utf-8", newline="") if target else (stream or sys.stdout)  # noqa: SIM115
    try:
        encoded: dict[int, list] = {}
        if fmt == "jsonl":
            for patient, labs, ranked in result.patients_ranked:
                parts = encoded.get(id(ranked))
                if parts is None:
                    parts = [json.dumps(row, ensure_ascii=False)[1:] for row in ranked]
                    encoded[id(ranked)] = parts
                head = (
                    f'{{"patient_id": {json.dumps(patient, ensure_ascii=False)}, '
                    f'"labs": {json.dumps(labs, ensure_ascii=False)}, '
                )
                out.writelines(head + part + "\n" for part in parts)
        else:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(OUTPUT_COLUMNS)
            for patient, labs, ranked in result.patients_ranked:
                cells = encoded.get(id(ranked))
                if cells is None:
                    cells = [tuple(row.get(c, "") for c in OUTPUT_COLUMNS[2:]) for row in ranked]
                    encoded[id(ranked)] = cells
                writer.writerows((patient, labs, *c) for c in cells)
    finally:
        if target:
            out.close()


def write_rows(
    rows: list[dict[str, object]], target: str | Path | None, fmt: str, stream=None
) -> None:
    """CSV, JSON Lines or Parquet (by `fmt`); to `target` or, when None, `stream`."""
    import json
    import sys

    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise UsageError(
                "writing Parquet needs pyarrow: pip install 'b12kg[parquet]'"
            ) from None
        if target is None:
            raise UsageError("Parquet output needs --output FILE.parquet")
        columns = {c: [r.get(c, "") for r in rows] for c in OUTPUT_COLUMNS}
        columns["rank"] = [r["rank"] if r.get("rank") != "" else None for r in rows]
        columns["input"] = [r["input"] if r.get("input") != "" else None for r in rows]
        pq.write_table(pa.table(columns), target)
        return
    out = open(target, "w", encoding="utf-8", newline="") if target else (stream or sys.stdout)  # noqa: SIM115
    try:
        if fmt == "jsonl":
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(out, fieldnames=list(OUTPUT_COLUMNS), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    finally:
        if target:
            out.close()
