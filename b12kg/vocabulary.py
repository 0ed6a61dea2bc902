"""Our vocabulary, in one place: the IRI base, the prefixes, the kinds of entity, and the terms
of the upper model as code.

The query-time path (graph, questions, CLI) needs only the plain strings at the top, so this
module does not import rdflib; the rdflib namespaces (`B12`, `OBO`, `OBOINOWL`, `DEFINITION`)
and the IRI helpers are built on first use, by the build, which pays for rdflib anyway.
`B12` is a `DefinedNamespace` with `_fail = True`: a misspelt term raises instead of minting a
new IRI. `tests/test_vocabulary.py` checks that `B12_TERMS` and `ontology/src/model.ttl` agree.
"""

from __future__ import annotations

from functools import cache

TYPE_CHECKING = False  # typing's own flag, without importing typing on the trace path
if TYPE_CHECKING:
    from rdflib import URIRef

BASE = "https://w3id.org/b12kg/"
SOURCE_BASE = BASE + "source/"

#: The prefixes the artifacts are written with and the endpoint serialises graphs with.
PREFIXES = {
    "b12": BASE,
    "src": SOURCE_BASE,
    "obo": "http://purl.obolibrary.org/obo/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

CONDITION_KINDS = frozenset(
    {"disease", "infection", "surgical_state", "physiological_state", "diet", "behaviour"}
)
MECHANISM_KINDS = frozenset(
    {
        "mechanism",
        "physiological_mechanism",
        "binding_protein_change",
        "exogenous_mechanism",
        "assay_artefact",
    }
)
DRUG_KINDS = frozenset({"drug", "drug_class"})
#: What can be a cause: the sources of paths, the members of the "cause of …" classes.
CAUSE_KINDS = CONDITION_KINDS | DRUG_KINDS

#: Every term of the upper model (ontology/src/model.ttl) that code may name.
B12_TERMS = (
    # kinds
    "Condition", "Disease", "SurgicalState", "PhysiologicalState", "Diet", "Infection",
    "Behaviour", "Mechanism", "PathologicalMechanism", "PhysiologicalMechanism", "AssayArtefact",
    "BindingProteinChange", "ExogenousMechanism",
    "LabFinding", "Drug", "AnatomicalEntity", "Organism", "Protein", "ClinicalCaution", "Source",
    # relations
    "contributesTo", "hasMechanism", "leadsTo", "associatedWith", "correlatesWith",
    "isConsequenceOf", "hasConsequence", "locatedIn", "hasCausalAgent", "involves", "appliesTo",
    "hasReportedMechanism", "hasDisputedMechanism", "reportedlyLeadsTo", "disputedlyLeadsTo",
    "mayLeadTo", "reportedlyContributesTo", "disputedlyContributesTo", "lacksMechanism",
    # annotation properties
    "source", "quote", "strength", "evidenceNote",
    "condition", "analyte", "direction", "kind", "seedFile",
    "edgeKind", "mappingConfidence", "mappingSource",
    # defined classes
    "DefinedGrouping", "CauseOfDecreasedSerumB12", "CauseOfIncreasedSerumB12",
    "CauseOfCobalaminDeficiency", "CauseOfIntracellularCobalaminDeficiency",
    "ArtefactualSerumB12Change", "PhysiologicalSerumB12Change",
    "AssociatedWithDecreasedSerumB12", "ConsequenceOfCobalaminDeficiency",
    "ReportedCauseOfDecreasedSerumB12", "DisputedCauseOfDecreasedSerumB12",
    "ReportedCauseOfIncreasedSerumB12", "CauseOfFalselyNormalSerumB12",
    "CauseOfFalselyIncreasedSerumB12", "BindingProteinSerumB12Change", "ExogenousSerumB12Change",
)  # fmt: skip


def local_name(iri: object) -> str:
    """`https://w3id.org/b12kg/pernicious_anemia` -> `pernicious_anemia`; other IRIs unchanged."""
    text = str(iri)
    return text[len(BASE) :] if text.startswith(BASE) else text


def entity_iri(local_id: str) -> URIRef:
    """The IRI of a curated entity (its `id` in entities.tsv)."""
    from rdflib import URIRef

    return URIRef(BASE + local_id)


def source_iri(reference_id: str) -> URIRef:
    """The IRI of a cited source (its `id` in references.tsv)."""
    from rdflib import URIRef

    return URIRef(SOURCE_BASE + reference_id)


@cache
def _rdflib_namespaces() -> dict[str, object]:
    from rdflib import Namespace
    from rdflib.namespace import DefinedNamespace

    b12 = type(
        "B12",
        (DefinedNamespace,),
        {
            "__doc__": "Terms of the b12kg upper model (ontology/src/model.ttl).",
            "__annotations__": dict.fromkeys(B12_TERMS, "URIRef"),
            "_fail": True,
            "_extras": [],
            "_NS": Namespace(BASE),
        },
    )
    obo = Namespace(PREFIXES["obo"])
    return {
        "B12": b12,
        "OBO": obo,
        "OBOINOWL": Namespace(PREFIXES["oboInOwl"]),
        "DEFINITION": obo["IAO_0000115"],
    }


def __getattr__(name: str) -> object:
    """`from b12kg.vocabulary import B12` builds the rdflib namespaces on first use (PEP 562)."""
    if name in ("B12", "OBO", "OBOINOWL", "DEFINITION"):
        return _rdflib_namespaces()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
