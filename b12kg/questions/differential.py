"""From findings to causes: rank the causes whose expected findings fit the given ones.

The rule is stated in the result (`Differential.rule`) and in the README, so a clinician can
see why one cause leads another; the tests that would tell the leaders apart come with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from b12kg.errors import UsageError
from b12kg.questions.paths import KIND_ORDER, CausalPath, resolve_finding, walk
from b12kg.vocabulary import CAUSE_KINDS

if TYPE_CHECKING:
    from b12kg.graph.entities import Entity
    from b12kg.graph.index import GraphIndex


@dataclass(frozen=True, repr=False)
class RankedCause:
    """A candidate cause for a set of findings, and how well it fits them."""

    rank: int
    cause: Entity
    explained: tuple[Entity, ...]
    not_given: tuple[Entity, ...]  # what it predicts that was not given
    conflicts: tuple[Entity, ...]  # given findings it predicts the opposite of
    kind: str
    strength: str
    paths: tuple[CausalPath, ...]

    def to_flat_record(self) -> dict[str, object]:
        """One row: rank, cause id and label, kind, strength, and finding labels as lists."""
        return {
            "rank": self.rank,
            "cause_id": self.cause.id,
            "cause": self.cause.label,
            "kind": self.kind,
            "strength": self.strength,
            "explains": [f.label for f in self.explained],
            "predicts_not_given": [f.label for f in self.not_given],
            "conflicts": [f.label for f in self.conflicts],
        }

    def __repr__(self) -> str:
        return f"<RankedCause {self.rank} {self.cause.label}: {self.kind}, {self.strength}>"

    def to_record(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "cause": self.cause.ref(),
            "kind": self.kind,
            "strength": self.strength or None,
            "explains": [f.ref() for f in self.explained],
            "predicts_not_given": [f.ref() for f in self.not_given],
            "conflicts": [f.ref() for f in self.conflicts],
        }


@dataclass(frozen=True, repr=False)
class Differential:
    """Ranked candidates plus the tests that would tell the leading ones apart."""

    findings: tuple[Entity, ...]
    candidates: tuple[RankedCause, ...]
    tests: tuple[tuple[Entity, tuple[Entity, ...]], ...]  # (finding, leading causes predicting it)
    rule: str = (
        "Rank by: most given findings explained; then fewest given findings contradicted; "
        "then causal before association; then strongest evidence (weakest link of the best "
        "path); then fewest predictions not given (more specific); then name."
    )

    def __iter__(self) -> Iterator[dict[str, object]]:
        """The candidates as flat rows (`RankedCause.to_flat_record`): `pd.DataFrame(result)`."""
        return iter([c.to_flat_record() for c in self.candidates])

    def __len__(self) -> int:
        return len(self.candidates)

    def to_dataframe(self):  # -> pandas.DataFrame (pandas is imported only here)
        import pandas as pd

        return pd.DataFrame.from_records(list(self))

    def __repr__(self) -> str:
        given = ", ".join(f.label for f in self.findings)
        return f"<Differential {len(self.candidates)} candidates for {given}>"

    def to_record(self) -> dict[str, object]:
        return {
            "findings": [f.ref() for f in self.findings],
            "candidates": [c.to_record() for c in self.candidates],
            "discriminating_tests": [
                {"finding": f.ref(), "predicted_by": [c.ref() for c in by]} for f, by in self.tests
            ],
            "rule": self.rule,
        }


def _opposite(a: Entity, b: Entity) -> bool:
    return bool(a.analyte) and a.analyte == b.analyte and a.direction != b.direction


def rank_causes(
    kg: GraphIndex, findings: list[str | Entity], *, limit: int = 10, leading: int = 5
) -> Differential:
    """Rank the causes whose expected findings fit `findings` (see Differential.rule)."""
    given = [resolve_finding(kg, f, kinds=frozenset({"lab_finding"})) for f in findings]
    if not given:
        raise UsageError("name at least one finding, e.g. 'low' or 'methylmalonic acid increased'")
    given_ids = {g.id for g in given}
    all_findings = {e.id for e in kg.entities.values() if e.kind == "lab_finding"}
    scored = []
    for entity in kg.entities.values():
        if entity.kind not in CAUSE_KINDS:
            continue
        walked = [
            p
            for p in walk(kg, entity.id, all_findings)
            if p.kind in ("causal", "reported", "association")
        ]
        if not walked:
            continue
        expected = {p.finding.id: p for p in walked}
        explained = [kg.entities[i] for i in sorted(given_ids & set(expected))]
        if not explained:
            continue
        predictions = {p.finding.id for p in walked if p.nature != "assay artefact"}
        conflicts = [
            g
            for g in given
            if any(_opposite(g, kg.entities[f]) for f in predictions) and g.id not in predictions
        ]
        matching = tuple(p for p in walked if p.finding.id in given_ids)
        best = max(matching, key=lambda p: (p.kind == "causal", p.strength_rank))
        # An artefact route says what a result *may* show, not what to test for next.
        not_given = [kg.entities[i] for i in sorted(predictions - given_ids)]
        scored.append((entity, explained, conflicts, best, not_given, matching))
    scored.sort(
        key=lambda s: (
            -len(s[1]),
            len(s[2]),
            KIND_ORDER[s[3].kind],
            -s[3].strength_rank,
            len(s[4]),
            s[0].label.casefold(),
        )
    )
    candidates = tuple(
        RankedCause(
            rank=i + 1,
            cause=e,
            explained=tuple(x),
            not_given=tuple(n),
            conflicts=tuple(c),
            kind=b.kind,
            strength=b.strength,
            paths=m,
        )
        for i, (e, x, c, b, n, m) in enumerate(scored[:limit])
    )
    top = candidates[:leading]
    predicted_by: dict[str, list[Entity]] = defaultdict(list)
    for candidate in top:
        for f in candidate.not_given:
            predicted_by[f.id].append(candidate.cause)
    tests = tuple(
        (kg.entities[f], tuple(by))
        for f, by in sorted(predicted_by.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        if 0 < len(by) < len(top)
    )
    return Differential(findings=tuple(given), candidates=candidates, tests=tests)
