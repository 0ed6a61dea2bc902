"""The few constants every layer shares: our IRI base and the kinds of entity.

Kept free of rdflib so the query-time path (graph, paths, CLI) does not pay for importing it.
"""

from __future__ import annotations

BASE = "https://w3id.org/b12kg/"

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
