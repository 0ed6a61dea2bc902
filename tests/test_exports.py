"""The release files, each read by the tool its users read it with (issue 10).

Every check parses a committed artifact with the real reader and looks for specific content:
pernicious anemia's label and its DOID cross-reference, and the same triples or axioms as the
build produced, so a writer that drops or invents content fails.
"""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import pytest
from rdflib import Graph

from b12kg.curation.builder import build_graphs, canonical_triples
from b12kg.owl.java import hermit_jar, java_executable
from b12kg.owl.profile import JAVA_SOURCE

from .conftest import ONTOLOGY, requires_java

OWL_PATH = ONTOLOGY / "b12kg.owl"
TTL_PATH = ONTOLOGY / "b12kg.ttl"
B12 = "https://w3id.org/b12kg/"
PA = B12 + "pernicious_anemia"


@pytest.fixture(scope="module")
def graphs(curation):
    return build_graphs(curation)


# --- b12kg.owl and b12kg.ttl --------------------------------------------------------------------


@pytest.mark.parametrize(("path", "fmt", "which"), [(OWL_PATH, "xml", 0), (TTL_PATH, "turtle", 1)])
def test_rdflib_reads_exactly_the_built_triples(graphs, path: Path, fmt: str, which: int) -> None:
    parsed = Graph().parse(path, format=fmt)
    assert [str(t) for t in canonical_triples(parsed)] == [
        str(t) for t in canonical_triples(graphs[which])
    ]


def test_owl_is_typed_node_rdfxml_like_the_owl_api_writes() -> None:
    text = OWL_PATH.read_text(encoding="utf-8")
    assert '\t<owl:Ontology rdf:about="https://w3id.org/b12kg/b12kg.owl">' in text
    assert f'\t<owl:Class rdf:about="{PA}">' in text
    assert '\t<owl:ObjectProperty rdf:about="https://w3id.org/b12kg/hasMechanism">' in text
    assert "<rdfs:subClassOf>\n\t\t\t<owl:Restriction rdf:nodeID=" in text  # restrictions nested
    assert 'rdf:parseType="Collection"' in text
    # a restriction is nested where it is used; the axiom annotation on it refers to it by id
    assert text.count("rdf:nodeID=") == 2 * text.count("<owl:annotatedTarget rdf:nodeID=")


def test_ttl_writes_no_escaped_prefixed_names() -> None:
    text = TTL_PATH.read_text(encoding="utf-8")
    assert "owl:versionIRI <https://w3id.org/b12kg/releases/0.1.0/b12kg.owl>" in text
    assert "\\/" not in text


def test_pronto_reads_the_owl_file() -> None:
    pronto = pytest.importorskip("pronto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pronto warns on every OWL construct beyond OBO
        ontology = pronto.Ontology(str(OWL_PATH))
    term = ontology[PA]
    assert term.name == "pernicious anemia"
    assert "DOID:13381" in {x.id for x in term.xrefs}
    assert "Addison-Biermer disease" in {s.description for s in term.synonyms}
    assert {p.id for p in term.superclasses(distance=1, with_self=False)} >= {B12 + "Disease"}


@pytest.mark.parametrize(("path", "syntax"), [(OWL_PATH, "rdf"), (TTL_PATH, "ttl")])
def test_py_horned_owl_reads_both(path: Path, syntax: str) -> None:
    horned = pytest.importorskip("pyhornedowl")
    ontology = horned.open_ontology(str(path), syntax)
    assert len(ontology.get_axioms()) > 2500
    assert PA in {str(c) for c in ontology.get_classes()}


def test_owlready2_reads_the_owl_file() -> None:  # owlready2 reads no Turtle
    import owlready2

    world = owlready2.World()
    ontology = world.get_ontology(OWL_PATH.as_uri()).load()
    classes = {c.iri: c for c in ontology.classes()}
    assert classes[PA].label.en == ["pernicious anemia"]
    assert len(classes) > 200


@requires_java
def test_owl_api_3_reads_both_to_the_same_axioms() -> None:
    counts = []
    for path in (OWL_PATH, TTL_PATH):
        completed = subprocess.run(
            [java_executable(), "-cp", str(hermit_jar()), str(JAVA_SOURCE), str(path)],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        assert "VIOLATION" not in completed.stdout
        counts.append(int(completed.stdout.rsplit("AXIOMS\t", 1)[1]))
    # the .ttl adds the edge triples, which are annotation assertions in OWL terms
    assert 2500 < counts[0] < counts[1]


# --- b12kg.obo -----------------------------------------------------------------------------------

OBO_PATH = ONTOLOGY / "b12kg.obo"


def test_fastobo_parses_the_obo_file(curation) -> None:
    fastobo = pytest.importorskip("fastobo")
    document = fastobo.load(str(OBO_PATH))
    terms = {
        str(frame.id): frame for frame in document if isinstance(frame, fastobo.term.TermFrame)
    }
    assert set(curation.entities) <= {t.removeprefix("b12:") for t in terms}
    clauses = [str(c) for c in terms["b12:pernicious_anemia"]]
    assert "name: pernicious anemia" in clauses
    assert "xref: DOID:13381" in clauses
    assert "relationship: b12:hasMechanism b12:intrinsic_factor_antibodies" in clauses


def test_pronto_reads_the_obo_file_with_unique_names_and_exact_synonyms() -> None:
    pronto = pytest.importorskip("pronto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ontology = pronto.Ontology(str(OBO_PATH))
    term = ontology["b12:pernicious_anemia"]
    assert term.name == "pernicious anemia"
    assert "DOID:13381" in {x.id for x in term.xrefs}
    assert {r.id for r in term.relationships} == {"b12:hasMechanism", "b12:locatedIn"}
    names = [t.name.lower() for t in ontology.terms()]
    assert len(names) == len(set(names))
    exact = [
        s.description.lower() for t in ontology.terms() for s in t.synonyms if s.scope == "EXACT"
    ]
    assert len(exact) == len(set(exact))
    assert not set(exact) & set(names)


# --- b12kg.sssom.tsv and b12kg.context.jsonld -----------------------------------------------------

SSSOM_PATH = ONTOLOGY / "b12kg.sssom.tsv"


def _sssom_validate(path: Path) -> subprocess.CompletedProcess:
    import shutil

    sssom = shutil.which("sssom")
    if sssom is None:
        pytest.skip("needs sssom (pip install '.[test]')")
    return subprocess.run(
        [sssom, "validate", str(path)], capture_output=True, text=True, timeout=120
    )


def test_sssom_validate_passes_and_fails_on_a_broken_copy(tmp_path: Path) -> None:
    assert _sssom_validate(SSSOM_PATH).returncode == 0
    broken = tmp_path / "broken.sssom.tsv"
    broken.write_text(SSSOM_PATH.read_text().replace("semapv:ManualMappingCuration", "manual", 1))
    assert _sssom_validate(broken).returncode != 0


def test_sssom_rows_are_the_curated_xrefs(curation) -> None:
    parse = pytest.importorskip("sssom.parsers").parse_sssom_table
    frame = parse(str(SSSOM_PATH)).df
    assert len(frame) == len(curation.xrefs)
    row = frame[(frame.subject_id == "b12:pernicious_anemia") & (frame.object_id == "DOID:13381")]
    assert row.predicate_id.tolist() == ["skos:exactMatch"]
    assert row.subject_label.tolist() == ["pernicious anemia"]
    assert set(frame.predicate_id) <= {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch"}
    assert set(frame.mapping_justification) == {"semapv:ManualMappingCuration"}


def test_context_declares_b12_and_every_xref_prefix(curation) -> None:
    import json

    context = json.loads((ONTOLOGY / "b12kg.context.jsonld").read_text())["@context"]
    assert context["b12"] == B12
    used = {x.curie.partition(":")[0] for x in curation.xrefs}
    assert used <= set(context)
    assert context["DOID"] == "http://purl.obolibrary.org/obo/DOID_"
    document = {"@context": context, "@id": "b12:pernicious_anemia", "b12:kind": "disease"}
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    assert {str(s) for s in graph.subjects()} == {PA}
    curies = pytest.importorskip("curies")  # what sssom-py and OAK build their converters on
    converter = curies.load_jsonld_context(str(ONTOLOGY / "b12kg.context.jsonld"))
    assert converter.compress("http://purl.obolibrary.org/obo/DOID_13381") == "DOID:13381"


# --- grlc: every query header is YAML --------------------------------------------------------------

QUERIES = sorted((ONTOLOGY.parent / "queries").rglob("*.rq"))


def _yaml_header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(
        line[3:] if line.startswith("#+ ") else line[2:] for line in lines if line.startswith("#+")
    )


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_header_is_yaml_as_grlc_reads_it(path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    from b12kg.sparql.library import parse_header

    header = yaml.safe_load(_yaml_header(path))
    assert isinstance(header, dict) and header["summary"], path.name
    ours = parse_header(path.read_text(encoding="utf-8"))
    assert str(header["summary"]).strip() == ours["summary"]  # both readers agree


# --- b12kg.json (OBO Graphs) -----------------------------------------------------------------------


def test_pronto_reads_the_obographs_json(curation) -> None:
    pronto = pytest.importorskip("pronto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ontology = pronto.Ontology(str(ONTOLOGY / "b12kg.json"))
    term = ontology[PA]
    assert term.name == "pernicious anemia"
    assert "DOID:13381" in {x.id for x in term.xrefs}
    mechanisms = {
        t.id for r, ts in term.relationships.items() if r.id.endswith("hasMechanism") for t in ts
    }
    assert B12 + "intrinsic_factor_antibodies" in mechanisms
    assert {B12 + e for e in curation.entities} <= {t.id for t in ontology.terms()}
