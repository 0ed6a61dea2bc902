"""From findings to causes: rank the causes whose expected findings fit the given ones.

The rule is stated in the result (`Differential.rule`) and in the README, so a clinician can
see why one cause leads another; the tests that would tell the leaders apart come with it.

Candidates are filed in labelled sections (`paths.SECTIONS`: exogenous cobalamin, true causes,
physiological changes, binding-protein changes, misleading results, reported, associations,
disputed) and ranked within each. Scoring respects direction: when a serum B12 result is given, a path through a mechanism that moves
serum B12 the other way explains nothing (a cause of low B12 never explains a high one, nor the
raised MMA of a patient whose B12 is high). Each cause's walk to every finding is computed once
per loaded graph (`candidate_table`), so ranking a profile is set arithmetic.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from b12kg.errors import UsageError
from b12kg.questions.paths import (
    LEADS_TO,
    SECTION_ORDER,
    SECTIONS,
    CausalPath,
    resolve_finding,
    walk,
)
from b12kg.vocabulary import CAUSE_KINDS

if TYPE_CHECKING:
    from b12kg.graph.entities import Entity
    from b12kg.graph.index import GraphIndex
    from b12kg.graph.tables import Frequency

LOW, HIGH = "serum_b12_decreased", "serum_b12_increased"
FALSELY_HIGH = "serum_b12_falsely_increased"
#: A result that may be falsely increased is still a high result to explain (macro-B12).
STANDS_FOR = {FALSELY_HIGH: HIGH}
ANCHORS = (LOW, HIGH)

RULE = (
    "Sections: exogenous cobalamin (intake, not disease), cause, physiological change, binding-protein change, "
    "misleading result, reported (weak evidence), association, disputed. Within a section rank by: inputs the patient has first; explains "
    "the serum B12 result given; most given findings explained (a path through a mechanism "
    "that moves serum B12 the other way explains nothing); fewest given findings contradicted; "
    "strongest evidence (weakest link of the best path); highest sourced frequency "
    "(frequencies.tsv); most specific (moves serum B12 in fewer directions). Candidates equal "
    "on all of these share a rank: ties are not broken by name. A subtype that ranks no better "
    "than its listed parent is shown under it (includes)."
)


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
    section: str = "cause"
    nature: str = ""
    is_input: bool = False
    frequencies: tuple[Frequency, ...] = ()
    includes: tuple[Entity, ...] = ()  # subtypes listed under it

    def to_flat_record(self) -> dict[str, object]:
        """One row: section, rank, cause id and label, kind, strength, finding labels as lists."""
        return {
            "section": self.section,
            "rank": self.rank,
            "cause_id": self.cause.id,
            "cause": self.cause.label,
            "kind": self.kind,
            "nature": self.nature,
            "strength": self.strength,
            "input": self.is_input,
            "explains": [f.label for f in self.explained],
            "predicts_not_given": [f.label for f in self.not_given],
            "conflicts": [f.label for f in self.conflicts],
            "frequency": "; ".join(f"{f.text} [{f.source}]" for f in self.frequencies),
            "includes": [e.label for e in self.includes],
        }

    def __repr__(self) -> str:
        return f"<RankedCause {self.section} {self.rank} {self.cause.label}: {self.kind}, {self.strength}>"

    def to_record(self) -> dict[str, object]:
        return {
            "section": self.section,
            "rank": self.rank,
            "cause": self.cause.ref(),
            "kind": self.kind,
            "nature": self.nature or None,
            "strength": self.strength or None,
            "input": self.is_input,
            "explains": [f.ref() for f in self.explained],
            "predicts_not_given": [f.ref() for f in self.not_given],
            "conflicts": [f.ref() for f in self.conflicts],
            "frequencies": [f.to_record() for f in self.frequencies],
            "includes": [e.ref() for e in self.includes],
        }


@dataclass(frozen=True, repr=False)
class Differential:
    """Ranked candidates plus the tests that would tell the leading ones apart."""

    findings: tuple[Entity, ...]
    candidates: tuple[RankedCause, ...]
    tests: tuple[tuple[Entity, tuple[Entity, ...]], ...]  # (finding, leading causes predicting it)
    rule: str = RULE

    def __iter__(self) -> Iterator[dict[str, object]]:
        """The candidates as flat rows (`RankedCause.to_flat_record`): `pd.DataFrame(result)`."""
        return iter([c.to_flat_record() for c in self.candidates])

    def __len__(self) -> int:
        return len(self.candidates)

    def section(self, name: str) -> tuple[RankedCause, ...]:
        return tuple(c for c in self.candidates if c.section == name)

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


def _key(c: dict) -> tuple:
    """The ranking key within a section (Differential.rule), least first."""
    return (
        SECTION_ORDER[c["section"]],
        not c["input"],
        not c["anchor"],
        -len(c["explained"]),
        len(c["conflicts"]),
        -c["best"].strength_rank,
        -c["share"],
        c["directions"],
    )


# --- computed once per loaded graph -----------------------------------------------------------


@dataclass(frozen=True)
class PathFacts:
    """What ranking needs of one path, computed once: no property is evaluated per profile."""

    path: CausalPath
    finding: str  # the finding it explains (a falsely increased B12 stands for a high one)
    order: tuple[int, int, int]  # (section, -strength, steps): the best path is the least
    lowers: bool  # passes a mechanism that lowers serum B12 and none that raises it
    raises: bool


@dataclass
class CandidateTable:
    """Every cause's paths to every lab finding, and which mechanisms move serum B12 which way."""

    facts: dict[str, tuple[PathFacts, ...]]  # cause id -> its paths (consequences left out)
    to: dict[str, dict[str, tuple[PathFacts, ...]]]  # cause id -> finding -> paths to it
    by_finding: dict[str, set[str]]  # finding id -> causes with a path to it
    predictions: dict[str, frozenset[str]]  # cause id -> findings predicted (no artefacts)
    predicted_directions: dict[str, dict[str, set[str]]]  # cause -> analyte -> directions
    directions: dict[str, int]  # cause id -> how many serum-B12 directions it predicts
    ancestors: dict[str, tuple[str, ...]]


_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _reaching(kg: GraphIndex, finding: str) -> frozenset[str]:
    seen: set[str] = set()
    frontier = [finding]
    while frontier:
        node = frontier.pop()
        for edge in kg.edges.incoming.get(node, ()):
            if edge.relation in LEADS_TO and edge.subject not in seen:
                seen.add(edge.subject)
                frontier.append(edge.subject)
    return frozenset(seen)


def candidate_table(kg: GraphIndex) -> CandidateTable:
    table = _TABLES.get(kg)
    if table is not None:
        return table
    findings = {e.id for e in kg.entities.values() if e.kind == "lab_finding"}
    lowering, raising = _reaching(kg, LOW), _reaching(kg, HIGH)
    only_lowering, only_raising = lowering - raising, raising - lowering
    table = CandidateTable({}, {}, defaultdict(set), {}, {}, {}, {})
    for entity in kg.entities.values():
        if entity.kind not in CAUSE_KINDS:
            continue
        walked = [p for p in walk(kg, entity.id, findings) if p.section]
        if not walked:
            continue
        facts = []
        for p in walked:
            mechanisms = {m.id for m in p.mechanisms}
            facts.append(
                PathFacts(
                    path=p,
                    finding=STANDS_FOR.get(p.finding.id, p.finding.id),
                    order=(SECTION_ORDER[p.section], -p.strength_rank, len(p.steps)),
                    lowers=bool(mechanisms & only_lowering),
                    raises=bool(mechanisms & only_raising),
                )
            )
            table.by_finding[p.finding.id].add(entity.id)
        table.facts[entity.id] = tuple(facts)
        to: dict[str, list[PathFacts]] = defaultdict(list)
        for f in facts:
            to[f.finding].append(f)
        table.to[entity.id] = {k: tuple(v) for k, v in to.items()}
        predicted = {p.finding.id for p in walked if p.nature != "assay artefact"}
        table.predictions[entity.id] = frozenset(predicted)
        directions: dict[str, set[str]] = defaultdict(set)
        for f in predicted:
            if kg.entities[f].analyte:
                directions[kg.entities[f].analyte].add(kg.entities[f].direction)
        table.predicted_directions[entity.id] = dict(directions)
        table.directions[entity.id] = len({p.finding.id for p in walked} & set(ANCHORS))
        table.ancestors[entity.id] = tuple(kg.ancestors(entity.id))
    table.by_finding = dict(table.by_finding)
    _TABLES[kg] = table
    return table


def rank_causes(
    kg: GraphIndex,
    findings: list[str | Entity],
    *,
    limit: int = 10,
    leading: int = 5,
    inputs: list[Entity] | tuple[Entity, ...] = (),
    measured: frozenset[str] = frozenset(),
) -> Differential:
    """Rank the causes whose expected findings fit `findings` (see Differential.rule).

    `inputs`: the patient's own conditions and drugs (ranked first within their section);
    `measured`: analytes already measured (not offered again as the next tests). `limit`
    candidates per section, more when a tie straddles the cut.
    """
    given = [resolve_finding(kg, f, kinds=frozenset({"lab_finding"})) for f in findings]
    if not given:
        raise UsageError("name at least one finding, e.g. 'low' or 'methylmalonic acid increased'")
    given = list(dict.fromkeys(given))
    given_ids = {g.id for g in given}
    anchors = given_ids & set(ANCHORS)
    table = candidate_table(kg)
    input_ids = {e.id for e in inputs}
    pool: set[str] = set(input_ids & set(table.facts))
    for finding in given_ids:
        pool |= table.by_finding.get(finding, set())
    if HIGH in given_ids:
        pool |= table.by_finding.get(FALSELY_HIGH, set())
    high_given, low_given = HIGH in anchors, LOW in anchors
    scored = []
    for cause_id in pool:
        to = table.to[cause_id]
        usable = [
            f
            for finding in given_ids
            for f in to.get(finding, ())
            if not (high_given and f.lowers) and not (low_given and f.raises)
        ]
        if not usable:
            continue
        best = min(usable, key=lambda f: (f.finding not in anchors, f.order))
        explained_ids = {f.finding for f in usable}
        predictions = table.predictions[cause_id]
        directions = table.predicted_directions[cause_id]
        conflicts = [
            g
            for g in given
            if g.id not in predictions
            and g.analyte
            and any(d != g.direction for d in directions.get(g.analyte, ()))
        ]
        share = max((kg.tables.share(cause_id, a) for a in anchors), default=0.0)
        candidate = {
            "cause": kg.entities[cause_id],
            "section": best.path.section,
            "input": cause_id in input_ids,
            "anchor": bool(anchors) and anchors <= explained_ids,
            "explained": [kg.entities[i] for i in sorted(explained_ids)],
            "conflicts": conflicts,
            "best": best.path,
            "share": share,
            "directions": table.directions.get(cause_id, 0),
            "not_given": predictions - given_ids,
            "paths": tuple(f.path for f in usable),
            "frequencies": tuple(
                f for a in sorted(anchors) for f in kg.tables.frequencies_of(cause_id, a)
            ),
        }
        candidate["key"] = _key(candidate)
        scored.append(candidate)
    scored.sort(key=lambda c: (c["key"], c["cause"].label.casefold()))  # label: listing only
    # A subtype that ranks no better than its listed parent is shown under the parent.
    by_id = {c["cause"].id: c for c in scored}
    folded: dict[str, list[Entity]] = defaultdict(list)
    kept = []
    for c in scored:
        parent = None
        if not c["input"]:
            for a in table.ancestors.get(c["cause"].id, ()):
                other = by_id.get(a)
                if (
                    other is not None
                    and other["section"] == c["section"]
                    and other["explained"] == c["explained"]
                    and other["key"] <= c["key"]
                ):
                    parent = other
                    break
        if parent is None:
            kept.append(c)
        else:
            folded[parent["cause"].id].append(c["cause"])
    candidates: list[RankedCause] = []
    for section in SECTIONS:
        members = [c for c in kept if c["section"] == section]
        rank, previous, shown = 0, None, 0
        for position, c in enumerate(members, start=1):
            key = c["key"]
            if key != previous:
                if shown >= limit:
                    break
                rank, previous = position, key
            shown += 1  # noqa: SIM113 - counts shown rows, not positions
            best = c["best"]
            candidates.append(
                RankedCause(
                    rank=rank,
                    cause=c["cause"],
                    explained=tuple(c["explained"]),
                    not_given=tuple(kg.entities[i] for i in sorted(c["not_given"])),
                    conflicts=tuple(c["conflicts"]),
                    kind=best.kind,
                    strength=best.strength,
                    paths=c["paths"],
                    section=section,
                    nature=best.nature,
                    is_input=c["input"],
                    frequencies=c["frequencies"],
                    includes=tuple(folded.get(c["cause"].id, ())),
                )
            )
    top = candidates[:leading]
    predicted_by: dict[str, list[Entity]] = defaultdict(list)
    for candidate in top:
        for f in candidate.not_given:
            if f.analyte not in measured:
                predicted_by[f.id].append(candidate.cause)
    tests = tuple(
        (kg.entities[f], tuple(by))
        for f, by in sorted(predicted_by.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        if 0 < len(by) < len(top)
    )
    return Differential(findings=tuple(given), candidates=tuple(candidates), tests=tests)
