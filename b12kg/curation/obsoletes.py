"""`obsoletes.tsv`: the terms a release retired, so their IRIs keep resolving.

OBO practice: a term once released is never deleted. It stays declared, marked
`owl:deprecated true`, its label prefixed "obsolete ", with `IAO:0100001` (term replaced by)
naming its successor where there is one and `oboInOwl:consider` where there are only
candidates. Users whose data cite the old IRI then learn what happened instead of finding
nothing. The table is optional (a source folder without it has retired nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from b12kg.curation.tables import ID_PATTERN, _multi, _require, _rows
from b12kg.errors import CurationError, Problem

OBSOLETES_FILE = "obsoletes.tsv"
OBSOLETE_COLUMNS = {
    "id": True,
    "label": True,
    "replaced_by": False,
    "consider": False,
    "reason": True,
    "retired_in": True,
}
REQUIRED = tuple(c for c, required in OBSOLETE_COLUMNS.items() if required)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_date(text: str) -> bool:
    """A release is named by its version date (YYYY-MM-DD, owl:versionIRI's), a real day."""
    if not ISO_DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ObsoleteRecord:
    id: str
    label: str  # the label it had when it was live, without the "obsolete " prefix
    reason: str
    retired_in: str  # the release (version date) that no longer had it
    replaced_by: str = ""
    consider: tuple[str, ...] = ()
    line: int = 0


def read_obsoletes(directory: Path) -> list[ObsoleteRecord]:
    """The retired terms, checked row by row (the builder checks them against the live terms)."""
    path = Path(directory) / OBSOLETES_FILE
    if not path.exists():
        return []
    problems: list[Problem] = []
    records: dict[str, ObsoleteRecord] = {}
    for line, row in _rows(path, OBSOLETE_COLUMNS, problems):
        if not _require(row, REQUIRED, OBSOLETES_FILE, line, problems):
            continue
        if not _is_date(row["retired_in"]):
            problems.append(
                Problem(
                    OBSOLETES_FILE,
                    line,
                    "retired_in",
                    f"'{row['retired_in']}' is not a release date (YYYY-MM-DD)",
                )
            )
            continue
        if not ID_PATTERN.match(row["id"]):
            problems.append(Problem(OBSOLETES_FILE, line, "id", f"'{row['id']}' is not snake_case"))
            continue
        if row["label"].lower().startswith("obsolete"):
            problems.append(
                Problem(
                    OBSOLETES_FILE, line, "label", "give the live label; the build adds 'obsolete '"
                )
            )
            continue
        if row["id"] in records:
            first = records[row["id"]].line
            problems.append(Problem(OBSOLETES_FILE, line, "id", f"already retired at line {first}"))
            continue
        records[row["id"]] = ObsoleteRecord(
            id=row["id"],
            label=row["label"],
            reason=row["reason"],
            retired_in=row["retired_in"],
            replaced_by=row["replaced_by"],
            consider=_multi(row["consider"]),
            line=line,
        )
    if problems:
        raise CurationError(problems)
    return list(records.values())


def obsolete_problems(obsoletes: list[ObsoleteRecord], live: set[str]) -> list[Problem]:
    """A retired id must not be live again, and what replaces it must be live."""
    problems: list[Problem] = []
    for record in obsoletes:
        if record.id in live:
            problems.append(
                Problem(
                    OBSOLETES_FILE,
                    record.line,
                    "id",
                    f"'{record.id}' is live again; remove the row",
                )
            )
        targets = [("replaced_by", t) for t in ([record.replaced_by] if record.replaced_by else [])]
        targets += [("consider", t) for t in record.consider]
        for column, target in targets:
            if target not in live:
                problems.append(
                    Problem(OBSOLETES_FILE, record.line, column, f"'{target}' is not a live term")
                )
    return problems
