"""`b12kg validate`: curation checks, then the QC queries, then the OWL checks.

Each layer catches what the one before cannot: the curation reader checks rows and fields
(file:line:field), the QC queries in queries/checks/ check the built graph as a whole (every
row a violation, columns ?entity ?property ?value), and the OWL layer asks the OWL API whether
the artifact is in the OWL 2 DL profile and HermiT whether it is consistent and coherent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from b12kg.errors import CurationError, Problem
from b12kg.sparql import checks, run_local


def store_from_graph(graph: Graph) -> ox.Store:
    """Copy an rdflib graph into an in-memory pyoxigraph store (via N-Triples, the fast path)."""
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _short(value: object) -> str:
    text = str(value)
    return text.rsplit("/", 1)[-1] if text.startswith("https://w3id.org/b12kg/") else text


def graph_problems(graph: Graph | ox.Store) -> list[Problem]:
    """Run every QC query; each row becomes a Problem named after its check."""
    store = graph if isinstance(graph, ox.Store) else store_from_graph(graph)
    problems: list[Problem] = []
    for name, query in checks().items():
        result = run_local(store, query.text, source=f"queries/checks/{name}.rq")
        for row in result.rows:
            problems.append(
                Problem(
                    file=f"check:{name}",
                    line=None,
                    field=_short(row.get("entity")),
                    message=f"{query.summary} ({_short(row.get('property'))} {_short(row.get('value'))})",
                )
            )
    return problems


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


def validate(sources: Path | str, *, owl: bool = True) -> ValidationReport:
    """Check the curated sources and the ontology they build; write nothing."""
    from b12kg.builder import build_graphs, serialize
    from b12kg.curation import read_curation

    report = ValidationReport()
    try:
        curation = read_curation(sources)
    except CurationError as error:
        report.problems.extend(error.problems)
        report.ran.append("curation")
        return report
    report.ran.append("curation")
    axioms, full = build_graphs(curation)
    report.problems.extend(graph_problems(full))
    report.ran.append("qc-queries")
    if not owl or report.problems:
        return report
    from b12kg.errors import ComponentUnavailable
    from b12kg.owlcheck import owl_problems

    try:
        report.problems.extend(owl_problems(serialize(axioms, full)["b12kg.owl"]))
        report.ran.append("owl-dl-profile+hermit")
    except ComponentUnavailable as error:
        report.skipped["owl-dl-profile+hermit"] = str(error)
    return report
