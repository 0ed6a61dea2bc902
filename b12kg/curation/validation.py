"""`b12kg validate`: curation checks, then the QC queries, then the OWL checks.

Each layer catches what the one before cannot: the curation reader checks rows and fields
(file:line:field), the QC queries in queries/checks/ check the built graph as a whole (every
row a violation, columns ?entity ?property ?value), and the OWL layer asks the OWL API whether
the artifact is in the OWL 2 DL profile and HermiT whether it is consistent and coherent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from b12kg.curation.builder import build_graphs, serialize
from b12kg.curation.qc import graph_problems
from b12kg.curation.tables import read_curation
from b12kg.errors import ComponentUnavailable, CurationError, Problem
from b12kg.resources import sources_dir


@dataclass
class ValidationReport:
    """All problems found, and which layers ran (a layer may be skipped, e.g. without Java)."""

    problems: list[Problem] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_record(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "ran": self.ran,
            "skipped": self.skipped,
            "problems": [p.to_record() for p in self.problems],
        }


def validate(sources: Path | str | None = None, *, owl: bool = True) -> ValidationReport:
    """Check the curated sources (default: the checkout's ontology/src) and the ontology they
    build; write nothing."""
    report = ValidationReport()
    try:
        curation = read_curation(sources if sources is not None else sources_dir())
    except CurationError as error:
        report.problems.extend(error.problems)
        report.ran.append("curation")
        return report
    report.ran.append("curation")
    from b12kg.curation.decision_tables import read_decision_tables

    try:  # thresholds.tsv and frequencies.tsv, against the entities and references
        read_decision_tables(curation.directory, set(curation.entities), set(curation.references))
    except CurationError as error:
        report.problems.extend(error.problems)
    report.ran.append("decision-tables")
    try:  # obsoletes.tsv, against the live terms the build makes
        axioms, full = build_graphs(curation)
    except CurationError as error:
        report.problems.extend(error.problems)
        report.ran.append("obsoletes")
        return report
    report.problems.extend(graph_problems(full))
    report.ran.append("qc-queries")
    if not owl or report.problems:
        return report
    from b12kg.owl.profile import owl_problems  # imports owlready2: only when asked

    try:
        report.problems.extend(owl_problems(serialize(axioms, full)["b12kg.owl"]))
        report.ran.append("owl-dl-profile+hermit")
    except ComponentUnavailable as error:
        report.skipped["owl-dl-profile+hermit"] = str(error)
    return report
