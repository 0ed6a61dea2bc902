"""The build: deterministic, atomic, refuses bad input, and the committed artifacts are current."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from b12kg.curation.builder import build
from b12kg.errors import CurationError
from b12kg.vocabulary import B12, entity_iri

from .conftest import ONTOLOGY, REPOSITORY, SOURCES

ONTOLOGY_IRI = URIRef("https://w3id.org/b12kg/")  # the namespace of its terms (owlready2)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the KGX tables are in `kgx/`), by its relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_is_byte_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPOSITORY)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "b12kg",
                "build",
                "--sources",
                str(SOURCES),
                "--output",
                str(out),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append(_files(out))
    assert outputs[0] == outputs[1]
    assert {"b12kg.owl", "b12kg.ttl", "b12kg.obo", "kgx/b12kg_edges.tsv"} <= set(outputs[0])


def test_committed_artifacts_equal_a_fresh_build() -> None:
    report = build(SOURCES, ONTOLOGY, check=True)
    assert report.stale == [], "run `b12kg build` and commit the files in ontology/"


def test_invalid_sources_write_nothing(mini_sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(mini_sources, out)
    before = _files(out)
    links = mini_sources / "links.tsv"
    links.write_text(links.read_text().replace("has_mechanism", "causes", 1))
    with pytest.raises(CurationError):
        build(mini_sources, out)
    assert _files(out) == before, "no file changed, no temp left"


@pytest.fixture(scope="module")
def owl_graph() -> Graph:
    return Graph().parse(ONTOLOGY / "b12kg.owl", format="xml")


@pytest.fixture(scope="module")
def ttl_graph() -> Graph:
    return Graph().parse(ONTOLOGY / "b12kg.ttl", format="turtle")


def test_ontology_header_is_complete_and_self_contained(owl_graph: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in owl_graph
    for prop in (
        OWL.versionIRI,
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        DCTERMS.created,
        DCTERMS.modified,
    ):
        assert owl_graph.value(ONTOLOGY_IRI, prop) is not None, prop
    assert not list(owl_graph.objects(None, OWL.imports)), "one file must open offline"


def test_owl_holds_axioms_and_ttl_adds_plain_edges(owl_graph: Graph, ttl_graph: Graph) -> None:
    pa, ifab = entity_iri("pernicious_anemia"), entity_iri("intrinsic_factor_antibodies")
    assert (pa, B12.hasMechanism, ifab) not in owl_graph, "the .owl keeps pure DL axioms"
    assert (pa, B12.hasMechanism, ifab) in ttl_graph
    assert (pa, B12.contributesTo, entity_iri("serum_b12_decreased")) in ttl_graph, (
        "closure materialised"
    )
    assert len(owl_graph) < len(ttl_graph)


def test_every_causal_edge_carries_its_evidence_on_the_axiom(ttl_graph: Graph) -> None:
    rows = ttl_graph.query("""
        PREFIX b12: <https://w3id.org/b12kg/>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?s ?p ?o WHERE {
          VALUES ?p { b12:hasMechanism b12:leadsTo b12:associatedWith b12:isConsequenceOf }
          ?s ?p ?o .
          FILTER NOT EXISTS { ?a owl:annotatedSource ?s ; owl:annotatedProperty ?p ;
                                 owl:annotatedTarget ?o ; b12:source ?src ; b12:strength ?st }
        }""")
    assert list(rows) == []


def test_artifact_loads_in_owlready2() -> None:
    import owlready2

    world = owlready2.World()
    ontology = world.get_ontology((ONTOLOGY / "b12kg.owl").resolve().as_uri()).load()
    assert ontology.search_one(iri="https://w3id.org/b12kg/pernicious_anemia") is not None
    assert len(list(world.classes())) > 150


def test_a_class_claim_with_an_exception_is_kept_but_not_inherited() -> None:
    """The seed's cytostatic claim (an association since the curator's decision) stays, with its
    evidence, as 'antineoplastic agent SubClassOf (associated with some M) or methotrexate';
    methotrexate gets 'not (… some M)'."""
    import pyoxigraph as ox

    from .conftest import ONTOLOGY

    store = ox.Store()
    store.bulk_load(path=str(ONTOLOGY / "b12kg.owl"), format=ox.RdfFormat.RDF_XML)
    claim = """
    PREFIX b12: <https://w3id.org/b12kg/>
    PREFIX owl: <http://www.w3.org/2002/07/owl#>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    ASK {
      b12:antineoplastic_agent rdfs:subClassOf ?either .
      ?either owl:unionOf/rdf:rest*/rdf:first b12:methotrexate ,
              [ owl:onProperty b12:associatedWith ;
                owl:someValuesFrom b12:impaired_terminal_ileal_absorption ] .
      ?axiom owl:annotatedSource b12:antineoplastic_agent ; owl:annotatedTarget ?either ;
             b12:source <https://w3id.org/b12kg/source/seed-000> ; b12:strength "limited" .
      b12:methotrexate rdfs:subClassOf [ owl:complementOf ?denied ] .
      ?denied owl:unionOf/rdf:rest*/rdf:first [
        owl:onProperty b12:hasReportedMechanism ;
        owl:someValuesFrom b12:impaired_terminal_ileal_absorption ] .
    }"""
    assert store.query(claim)
    direct = "ASK { <https://w3id.org/b12kg/antineoplastic_agent> <https://w3id.org/b12kg/associatedWith> ?m }"
    assert not store.query(direct)
