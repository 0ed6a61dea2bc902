"""The prefix map shipped with the release: ours (`b12`, `src`), the cross-reference targets'
and the vocabularies' — one map for the SSSOM curie_map and the JSON-LD context.

Expansions follow the Bioregistry's preferred URI formats (OBO PURLs for OBO ontologies).
"""

from __future__ import annotations

from b12kg.vocabulary import PREFIXES

OBO = "http://purl.obolibrary.org/obo/"
#: Every prefix a curated cross-reference may use (tests check xrefs.tsv uses no other).
XREF_PREFIXES = {
    **{
        p: f"{OBO}{p}_"
        for p in ("CHEBI", "CL", "DOID", "GO", "HP", "MONDO", "NCIT", "PR", "UBERON")
    },
    "ATC": "http://www.whocc.no/atc_ddd_index/?code=",
    "HGNC": "http://identifiers.org/hgnc/",
    "ICD10": "http://id.who.int/icd/release/10/",
    "ICD10CM": "http://purl.bioontology.org/ontology/ICD10CM/",
    "LOINC": "http://loinc.org/rdf/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "UniProtKB": "http://purl.uniprot.org/uniprot/",
}
MAPPING_PREFIXES = {"semapv": "https://w3id.org/semapv/vocab/"}


def release_prefixes() -> dict[str, str]:
    """b12, src, the RDF vocabularies, the xref targets and semapv, sorted by prefix."""
    merged = {**PREFIXES, **XREF_PREFIXES, **MAPPING_PREFIXES}
    return dict(sorted(merged.items(), key=lambda kv: kv[0].lower()))
