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
from b12kg.vocabulary import B12, BASE, entity_iri, local_name

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


# --- OBO hygiene: retired terms, source labels, definition sources, synonym scopes ---------------

OBO_PREFIX = "http://purl.obolibrary.org/obo/"
OBOINOWL = "http://www.geneontology.org/formats/oboInOwl#"


def test_a_retired_term_keeps_its_iri_deprecated_with_a_pointer(owl_graph: Graph) -> None:
    """The grouping the 2026-12-01 release dropped (CHANGELOG: entities removed) still resolves."""
    retired = entity_iri("acts_through_cobalamin_binder_release_by_leukaemic_cells")
    assert owl_graph.value(retired, OWL.deprecated).toPython() is True
    label = str(owl_graph.value(retired, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert label == "obsolete acts through release of cobalamin-binding proteins by leukaemic cells"
    consider = URIRef(OBOINOWL + "consider")
    assert owl_graph.value(retired, consider) == entity_iri(
        "cobalamin_binder_release_by_leukaemic_cells"
    )
    assert not list(owl_graph.objects(retired, OWL.equivalentClass)), "no longer a grouping"


def _retire(sources: Path, row: str) -> None:
    (sources / "obsoletes.tsv").write_text(
        "id\tlabel\treplaced_by\tconsider\treason\tretired_in\n" + row + "\n", encoding="utf-8"
    )


def test_a_retired_term_gets_its_successor_and_writes_term_replaced_by(
    mini_sources: Path, tmp_path: Path
) -> None:
    _retire(mini_sources, "old_anemia\told anemia\tpernicious_anemia\t\tmerged\t2026-12-01")
    build(mini_sources, tmp_path)
    graph = Graph().parse(tmp_path / "b12kg.owl", format="xml")
    old = entity_iri("old_anemia")
    assert graph.value(old, URIRef(OBO_PREFIX + "IAO_0100001")) == entity_iri("pernicious_anemia")
    assert "replaced_by: b12:pernicious_anemia" in (tmp_path / "b12kg.obo").read_text()


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("pernicious_anemia\tpa\t\t\tmerged\t2026-12-01", "id", "is live again"),
        (
            "old_anemia\told anemia\tno_such_term\t\tmerged\t2026-12-01",
            "replaced_by",
            "not a live term",
        ),
        ("old_anemia\tobsolete old anemia\t\t\tmerged\t2026-12-01", "label", "adds 'obsolete '"),
        ("old_anemia\told anemia\t\t\t\t2026-12-01", "reason", "required"),
        ("old_anemia\told anemia\t\t\tmerged\tnext release", "retired_in", "not a release date"),
        ("old_anemia\told anemia\t\t\tmerged\t2026-13-01", "retired_in", "not a release date"),
    ],
)
def test_a_bad_obsoletes_row_fails_the_build_and_writes_nothing(
    mini_sources: Path, tmp_path: Path, row: str, field: str, message: str
) -> None:
    _retire(mini_sources, row)
    with pytest.raises(CurationError) as caught:
        build(mini_sources, tmp_path / "out")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("obsoletes.tsv", 2, field)
    assert message in problem.message
    assert not (tmp_path / "out").exists()


def test_sources_are_labelled_apart_from_entities_and_each_other(ttl_graph: Graph) -> None:
    """Three reviews are all titled 'Vitamin B12 deficiency' (the entity's name, nearly): the
    label adds first author and year from the citation; the title stays in dcterms:title."""
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    stabler = URIRef("https://w3id.org/b12kg/source/stabler-2013")
    assert str(ttl_graph.value(stabler, label)) == "Vitamin B12 deficiency (Stabler 2013)"
    assert str(ttl_graph.value(stabler, DCTERMS.title)) == "Vitamin B12 deficiency"
    seed = URIRef("https://w3id.org/b12kg/source/seed-000")  # a citation naming no author
    assert str(ttl_graph.value(seed, label)) == "Causes of vitamin B12 deficiency (seed-000)"
    labels = [str(o).lower() for s, o in ttl_graph.subject_objects(label) if isinstance(s, URIRef)]
    assert len(labels) == len(set(labels))


def test_no_definition_borrows_the_sources_of_its_entitys_links(curation, ttl_graph: Graph) -> None:
    """A definition names only the sources curated for its text (entities.tsv
    definition_source): methotrexate's links cite a haematology guideline and ascorbic acid's
    a refuted in-vitro paper, and neither paper states their definitions."""
    for entity in ("methotrexate", "ascorbic_acid", "pernicious_anemia"):
        assert [link for link in curation.links if link.subject == entity and link.sources]
    rows = ttl_graph.query(
        """SELECT ?e ?p ?o WHERE { ?a owl:annotatedSource ?e ; owl:annotatedProperty ?d ; ?p ?o .
                                   FILTER(?p IN (oboInOwl:hasDbXref, b12:source)) }""",
        initNs={"owl": OWL, "oboInOwl": URIRef(OBOINOWL), "b12": URIRef(BASE)},
        initBindings={"d": URIRef(OBO_PREFIX + "IAO_0000115")},
    )
    curated = {e.id for e in curation.entities.values() if e.definition_sources}
    assert {local_name(r[0]) for r in rows} == curated
    assert not curated & {"methotrexate", "ascorbic_acid", "pernicious_anemia"}


def test_a_synonym_with_an_unknown_scope_is_a_curation_error(mini_sources: Path) -> None:
    entities = mini_sources / "entities.tsv"
    entities.write_text(entities.read_text().replace("Biermer anemia", "Biermer anemia [OFTEN]"))
    with pytest.raises(CurationError) as caught:
        build(mini_sources, mini_sources / "out")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("entities.tsv", 2, "synonyms")
    assert "RELATED" in problem.message


def test_every_term_of_ours_carries_the_oboinowl_fields_obo_tools_expect(owl_graph: Graph) -> None:
    oio = {name: URIRef(OBOINOWL + name) for name in ("id", "hasOBONamespace")}
    ours = {
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.AnnotationProperty)
        for s in owl_graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(ONTOLOGY_IRI))
    }
    assert len(ours) > 250
    for term in ours:
        local = str(term)[len(str(ONTOLOGY_IRI)) :]
        assert str(owl_graph.value(term, oio["id"])) == f"b12:{local}"
        assert str(owl_graph.value(term, oio["hasOBONamespace"])) == "b12kg"
    assert str(owl_graph.value(ONTOLOGY_IRI, URIRef(OBOINOWL + "hasOBOFormatVersion"))) == "1.4"
    assert str(owl_graph.value(ONTOLOGY_IRI, URIRef(OBOINOWL + "default-namespace"))) == "b12kg"
