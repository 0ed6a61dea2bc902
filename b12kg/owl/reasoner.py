"""HermiT, through owlready2: consistency, classification, and the members of defined classes.

Nobody asserts that pernicious anemia is a "cause of decreased serum B12"; HermiT infers it
from `pernicious_anemia SubClassOf hasMechanism some intrinsic_factor_antibodies`, the
leads-to axioms and the property chain `hasMechanism o leadsTo -> contributesTo`. Links with
limited, seed-only or disputed evidence use other properties (hasReportedMechanism …) whose
chains fill the Reported…/Disputed… classes instead. The test suite compares the inferred
members of every defined class with the path walk, cause by cause.

owlready2 is imported here only, so no other command pays for it. "Java not found" raises
ReasonerUnavailable (exit 3); an inconsistent ontology is a verdict, reported in the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from b12kg.errors import ReasonerUnavailable
from b12kg.owl.java import java_executable
from b12kg.vocabulary import BASE
from b12kg.vocabulary import local_name as _local

#: The defined classes of model.ttl whose inferred members `b12kg reason` reports.
DEFINED_CLASSES = (
    "CauseOfDecreasedSerumB12",
    "CauseOfIncreasedSerumB12",
    "ReportedCauseOfDecreasedSerumB12",
    "DisputedCauseOfDecreasedSerumB12",
    "ReportedCauseOfIncreasedSerumB12",
    "CauseOfFalselyNormalSerumB12",
    "CauseOfFalselyIncreasedSerumB12",
    "CauseOfCobalaminDeficiency",
    "CauseOfIntracellularCobalaminDeficiency",
    "PhysiologicalSerumB12Change",
    "BindingProteinSerumB12Change",
    "ExogenousSerumB12Change",
    "ArtefactualSerumB12Change",
    "AssociatedWithDecreasedSerumB12",
    "ConsequenceOfCobalaminDeficiency",
)


@dataclass
class ReasonerReport:
    """HermiT's answer: consistency, unsatisfiable classes, and inferred members by defined class.

    `members` maps a defined class (its local name, e.g. 'CauseOfDecreasedSerumB12' or
    'acts_through_hypochlorhydria') to the sorted ids of the curated entities HermiT places
    under it.
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def to_record(self) -> dict[str, object]:
        return {
            "consistent": self.consistent,
            "unsatisfiable": self.unsatisfiable,
            "members": {
                name: [{"id": m, "label": self.labels.get(m, m)} for m in ids]
                for name, ids in self.members.items()
            },
            "seconds": round(self.seconds, 2),
        }


def run_hermit(owl_file: Path | str) -> ReasonerReport:
    """Classify `owl_file` (RDF/XML) with HermiT and collect what it inferred."""
    import time

    java_executable()  # "Java not found" must never be mistaken for a verdict on the ontology
    import owlready2

    started = time.perf_counter()
    world = owlready2.World()
    ontology = world.get_ontology(Path(owl_file).resolve().as_uri()).load()
    try:
        with ontology:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return ReasonerReport(consistent=False, seconds=time.perf_counter() - started)
    except owlready2.OwlReadyJavaError as error:
        raise ReasonerUnavailable(f"HermiT could not run: {str(error).strip()[:300]}") from None
    nothing = owlready2.Nothing
    unsatisfiable = sorted(_local(c.iri) for c in world.inconsistent_classes() if c is not nothing)
    curated = {c.iri: c for c in world.classes() if c.iri.startswith(BASE)}
    kind_property = world[BASE + "kind"]
    labels: dict[str, str] = {}
    entity_iris: set[str] = set()
    for iri, cls in curated.items():
        if kind_property is not None and kind_property[cls]:
            entity_iris.add(iri)
            labels[_local(iri)] = str(cls.label.first() or _local(iri))
    members: dict[str, list[str]] = {}
    grouping_names = list(DEFINED_CLASSES) + sorted(
        _local(iri) for iri in curated if _local(iri).startswith("acts_through_")
    )
    for name in grouping_names:
        defined = world[BASE + name]
        if defined is None:
            continue
        # HermiT files subclasses under one of several equivalent classes, so gather them all.
        equivalents = [defined] + [
            e for e in defined.INDIRECT_equivalent_to if isinstance(e, owlready2.ThingClass)
        ]
        found = {
            _local(d.iri)
            for cls in equivalents
            for d in cls.descendants(include_self=False)
            if getattr(d, "iri", None) in entity_iris
        }
        members[name] = sorted(found)
    return ReasonerReport(
        consistent=True,
        unsatisfiable=unsatisfiable,
        members=members,
        labels=labels,
        seconds=time.perf_counter() - started,
    )


def reason(owl_file: Path | str | None = None) -> ReasonerReport:
    """Run HermiT on the packaged ontology (or `owl_file`)."""
    from b12kg.inputs import MAX_GRAPH_BYTES, checked_file
    from b12kg.resources import ontology_file

    if owl_file is None:
        return run_hermit(ontology_file("b12kg.owl"))
    return run_hermit(checked_file(owl_file, what="ontology file", max_bytes=MAX_GRAPH_BYTES))
