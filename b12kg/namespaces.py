"""Our vocabulary as code: a misspelt term raises instead of minting a new IRI.

`tests/test_namespaces.py` checks that this list and `ontology/src/model.ttl` agree.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from b12kg.vocabulary import BASE

SOURCE_BASE = BASE + "source/"

OBO = Namespace("http://purl.obolibrary.org/obo/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
DEFINITION = OBO["IAO_0000115"]


class B12(DefinedNamespace):
    """Terms of the b12kg upper model (ontology/src/model.ttl)."""

    _fail = True
    _extras = []  # noqa: RUF012 — DefinedNamespace's own convention
    _NS = Namespace(BASE)

    # kinds
    Condition: URIRef
    Disease: URIRef
    SurgicalState: URIRef
    PhysiologicalState: URIRef
    Diet: URIRef
    Infection: URIRef
    Behaviour: URIRef
    Mechanism: URIRef
    PathologicalMechanism: URIRef
    PhysiologicalMechanism: URIRef
    AssayArtefact: URIRef
    LabFinding: URIRef
    Drug: URIRef
    AnatomicalEntity: URIRef
    Organism: URIRef
    Protein: URIRef
    ClinicalCaution: URIRef
    Source: URIRef
    # relations
    contributesTo: URIRef
    hasMechanism: URIRef
    leadsTo: URIRef
    associatedWith: URIRef
    correlatesWith: URIRef
    isConsequenceOf: URIRef
    hasConsequence: URIRef
    locatedIn: URIRef
    hasCausalAgent: URIRef
    involves: URIRef
    appliesTo: URIRef
    # annotation properties
    source: URIRef
    quote: URIRef
    strength: URIRef
    evidenceNote: URIRef
    analyte: URIRef
    direction: URIRef
    kind: URIRef
    seedFile: URIRef
    edgeKind: URIRef
    mappingConfidence: URIRef
    mappingSource: URIRef
    # defined classes
    DefinedGrouping: URIRef
    CauseOfDecreasedSerumB12: URIRef
    CauseOfIncreasedSerumB12: URIRef
    CauseOfCobalaminDeficiency: URIRef
    CauseOfIntracellularCobalaminDeficiency: URIRef
    ArtefactualSerumB12Change: URIRef
    PhysiologicalSerumB12Change: URIRef
    AssociatedWithDecreasedSerumB12: URIRef
    ConsequenceOfCobalaminDeficiency: URIRef


def entity_iri(local_id: str) -> URIRef:
    """The IRI of a curated entity (its `id` in entities.tsv)."""
    return URIRef(BASE + local_id)


def source_iri(reference_id: str) -> URIRef:
    """The IRI of a cited source (its `id` in references.tsv)."""
    return URIRef(SOURCE_BASE + reference_id)
