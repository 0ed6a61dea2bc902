"""The few constants every layer shares: our IRI base and the kinds of entity.

Kept free of rdflib so the query-time path (graph, paths, CLI) does not pay for importing it.
"""

from __future__ import annotations

BASE = "https://w3id.org/b12kg/"

#: The prefixes the artifacts are written with and the endpoint serialises graphs with.
PREFIXES = {
    "b12": BASE,
    "src": BASE + "source/",
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
MECHANISM_KINDS = frozenset({"mechanism", "physiological_mechanism", "assay_artefact"})
DRUG_KINDS = frozenset({"drug", "drug_class"})
#: What can be a cause: the sources of paths, the members of the "cause of …" classes.
CAUSE_KINDS = CONDITION_KINDS | DRUG_KINDS


def local_name(iri: object) -> str:
    """`https://w3id.org/b12kg/pernicious_anemia` -> `pernicious_anemia`; other IRIs unchanged."""
    text = str(iri)
    return text[len(BASE) :] if text.startswith(BASE) else text
