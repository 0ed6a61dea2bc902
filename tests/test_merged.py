"""Foreign data merged into the store changes no library query's rows (issue 11).

A MONDO-shaped graph (subClassOf chains, owl:Axiom-annotated hasDbXref, other IRIs) is merged
with b12kg.ttl; every library query, defaults bound, must return exactly the rows it returns
on b12kg alone. Speed on merged data is measured in bench/bench_merged.py, not here.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from b12kg.knowledge import KnowledgeGraph
from b12kg.resources import ontology_file
from b12kg.sparql.embedded import StoreBackend, read_store
from b12kg.sparql.library import library

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
OBOINOWL = "http://www.geneontology.org/formats/oboInOwl#"


def foreign_quads(classes: int) -> list[ox.Quad]:
    """About 7 triples per class: label, subClassOf, an xref and its annotated axiom."""
    n = ox.NamedNode
    sub, label, xref = n(RDFS + "subClassOf"), n(RDFS + "label"), n(OBOINOWL + "hasDbXref")
    typ, axiom = n(RDF + "type"), n(OWL + "Axiom")
    source, prop, target = (
        n(OWL + p) for p in ("annotatedSource", "annotatedProperty", "annotatedTarget")
    )
    quads = []
    for i in range(classes):
        c = n(f"http://purl.obolibrary.org/obo/MONDO_{i:07d}")
        code = ox.Literal(f"DOID:{i}")
        b = ox.BlankNode(f"foreign{i}")
        quads += [
            ox.Quad(c, sub, n(f"http://purl.obolibrary.org/obo/MONDO_{i // 3:07d}")),
            ox.Quad(c, label, ox.Literal(f"disease {i}")),
            ox.Quad(c, xref, code),
            ox.Quad(b, typ, axiom),
            ox.Quad(b, source, c),
            ox.Quad(b, prop, xref),
            ox.Quad(b, target, code),
        ]
    return quads


@pytest.fixture(scope="module")
def graphs() -> tuple[KnowledgeGraph, KnowledgeGraph]:
    alone = read_store(ontology_file("b12kg.ttl"))
    merged = read_store(ontology_file("b12kg.ttl"))
    merged.extend(foreign_quads(30_000))  # ~210k foreign triples
    assert len(merged) > len(alone) + 200_000
    return (
        KnowledgeGraph.from_backend(StoreBackend(alone, "b12kg")),
        KnowledgeGraph.from_backend(StoreBackend(merged, "b12kg + foreign")),
    )


@pytest.mark.parametrize("name", sorted(library()))
def test_every_library_query_ignores_foreign_data(graphs, name):
    alone, merged = graphs
    expected = alone.query(name)
    got = merged.query(name)
    assert got.columns == expected.columns
    assert got.rows == expected.rows


def test_the_index_ignores_foreign_data(graphs):
    alone, merged = graphs
    assert alone.entities == merged.entities
    assert alone.parents == merged.parents
    assert alone.edges.outgoing == merged.edges.outgoing
