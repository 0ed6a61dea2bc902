"""The decision tables the build wrote (`ontology/b12kg.tables.json`), read once.

Thresholds (decision bands per analyte, unit and source), the pmol/L-per-ng/L conversion, and
the sourced frequencies of causes; see `b12kg.curation.decision_tables` and
`ontology/src/README.md`. They travel with the packaged graph; a graph loaded from another
file or an endpoint uses the packaged tables (the tables are not triples).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TABLES_FILE = "b12kg.tables.json"  # b12kg.curation.decision_tables.TABLES_FILE


@dataclass(frozen=True)
class Threshold:
    """One decision band: `lower <= value < upper` (None = open) in `unit`, from `source`."""

    analyte: str
    unit: str
    band: str  # deficient | indeterminate | normal | high
    lower: float | None
    upper: float | None
    source: str
    note: str

    def covers(self, value: float) -> bool:
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value < self.upper
        )

    def describe(self) -> str:
        if self.lower is None:
            return f"< {self.upper:g} {self.unit}"
        if self.upper is None:
            return f">= {self.lower:g} {self.unit}"
        return f"{self.lower:g}-{self.upper:g} {self.unit}"

    def to_record(self) -> dict[str, object]:
        return {
            "analyte": self.analyte,
            "unit": self.unit,
            "band": self.band,
            "lower": self.lower,
            "upper": self.upper,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class Frequency:
    """How often `cause` accounts for `finding` in a population, as the source states it."""

    cause: str  # entity id; "" for an all-cause figure
    finding: str
    text: str
    population: str
    source: str
    share: float | None  # the largest percentage the text states

    def to_record(self) -> dict[str, object]:
        return {
            "text": self.text,
            "population": self.population,
            "source": self.source,
            "share_percent": self.share,
        }


@dataclass
class DecisionTables:
    thresholds: list[Threshold] = field(default_factory=list)
    #: analyte -> (pmol/L per ng/L, source)
    conversions: dict[str, tuple[float, str]] = field(default_factory=dict)
    frequencies: list[Frequency] = field(default_factory=list)
    _by_cause: dict[tuple[str, str], list[Frequency]] | None = None

    @classmethod
    def read(cls, path: Path) -> DecisionTables:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return cls(
            thresholds=[
                Threshold(
                    t["analyte"],
                    t["unit"],
                    t["band"],
                    t["lower"],
                    t["upper"],
                    t["source"],
                    t["note"],
                )
                for t in document.get("thresholds", [])
            ],
            conversions={
                c["analyte"]: (float(c["factor"]), c["source"])
                for c in document.get("conversions", [])
            },
            frequencies=[
                Frequency(
                    f["cause"], f["finding"], f["text"], f["population"], f["source"], f["share"]
                )
                for f in document.get("frequencies", [])
            ],
        )

    def frequencies_of(self, cause: str, finding: str) -> list[Frequency]:
        if self._by_cause is None:
            by: dict[tuple[str, str], list[Frequency]] = defaultdict(list)
            for f in self.frequencies:
                if f.cause:
                    by[(f.cause, f.finding)].append(f)
            self._by_cause = dict(by)
        return self._by_cause.get((cause, finding), [])

    def share(self, cause: str, finding: str) -> float:
        """The largest sourced share (%) of `finding` cases `cause` accounts for; 0 if none."""
        shares = [f.share for f in self.frequencies_of(cause, finding) if f.share is not None]
        return max(shares) if shares else 0.0
