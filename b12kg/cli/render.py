"""The only place that knows output formats: a table for people, JSON and CSV for scripts.

Every result type offers `to_record()` (a dict of plain values); rendering never reaches
into result internals, so a new result type needs no change here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

FORMATS = ("table", "json", "csv")


def records(items: Iterable[object]) -> list[dict[str, object]]:
    """Plain dicts from result objects (anything with `to_record()`) or dicts: DataFrame-ready."""
    out = []
    for item in items:
        out.append(item.to_record() if hasattr(item, "to_record") else dict(item))  # type: ignore[arg-type]
    return out


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("label") or value.get("id") or json.dumps(value, ensure_ascii=False))
    return str(value)


def table(
    rows: Sequence[dict[str, object]], columns: Sequence[str] | None = None, *, max_width: int = 60
) -> str:
    """An aligned plain-text table; long cells are cut with an ellipsis."""
    if not rows:
        return "(no rows)"
    columns = list(columns or rows[0].keys())
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max(len(columns[i]), *(len(row[i]) for row in cells)) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    """`b12:pernicious_anemia` for the full IRI, by the longest namespace in `prefixes` that
    leaves a plain local name; any other IRI as it is (a person reads a table, not a script)."""
    best = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(namespace) > len(prefixes.get(best, "")):
            local = iri[len(namespace) :]
            if local and all(c.isalnum() or c in "_-." for c in local) and local[-1] != ".":
                best = prefix
    return f"{best}:{iri[len(prefixes[best]) :]}" if best else iri


def to_json(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)


def to_csv(rows: Sequence[dict[str, object]], columns: Sequence[str] | None = None) -> str:
    if not rows:
        return ""
    columns = list(columns or rows[0].keys())
    import csv  # only a CSV answer pays for csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def rows_output(
    rows: Sequence[dict[str, object]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    key: str = "rows",
) -> str:
    """Render a list of flat records in the chosen format."""
    if fmt == "json":
        return to_json({key: list(rows)})
    if fmt == "csv":
        return to_csv(rows, columns)
    return table(rows, columns)
