"""The release files derived from the built axioms and the curated tables, by file name.

`b12kg build` writes these beside `b12kg.owl` and `b12kg.ttl` (atomically, after every
check passed) and `b12kg build --check` compares them with the committed ones.
"""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from b12kg.curation.exports.context import to_context
from b12kg.curation.exports.kgx import EDGES_FILE, NODES_FILE, to_kgx
from b12kg.curation.exports.obo import to_obo
from b12kg.curation.exports.obographs import to_obographs
from b12kg.curation.exports.sssom import to_sssom
from b12kg.curation.tables import Curation

OBO_FILE = "b12kg.obo"
SSSOM_FILE = "b12kg.sssom.tsv"
CONTEXT_FILE = "b12kg.context.jsonld"
OBOGRAPHS_FILE = "b12kg.json"
RELEASE_FILES = (OBO_FILE, SSSOM_FILE, CONTEXT_FILE, OBOGRAPHS_FILE, NODES_FILE, EDGES_FILE)


def ontology_version(axioms: Graph) -> str:
    ontology = next(iter(sorted(axioms.subjects(RDF.type, OWL.Ontology))))
    return str(axioms.value(ontology, OWL.versionInfo) or "")


def release_files(curation: Curation, axioms: Graph) -> dict[str, bytes]:
    return {
        OBO_FILE: to_obo(axioms),
        SSSOM_FILE: to_sssom(curation, ontology_version(axioms)),
        CONTEXT_FILE: to_context(),
        OBOGRAPHS_FILE: to_obographs(axioms),
        **to_kgx(curation),
    }
