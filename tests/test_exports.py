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
from rdflib import Graph, URIRef

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
    assert '\t<owl:Ontology rdf:about="https://w3id.org/b12kg/">' in text
    assert f'\t<owl:Class rdf:about="{PA}">' in text
    assert '\t<owl:ObjectProperty rdf:about="https://w3id.org/b12kg/hasMechanism">' in text
    assert "<rdfs:subClassOf>\n\t\t\t<owl:Restriction rdf:nodeID=" in text  # restrictions nested
    assert 'rdf:parseType="Collection"' in text
    # a restriction is nested where it is used; the axiom annotation on it refers to it by id
    assert text.count("rdf:nodeID=") == 2 * text.count("<owl:annotatedTarget rdf:nodeID=")


def test_ttl_writes_no_escaped_prefixed_names() -> None:
    text = TTL_PATH.read_text(encoding="utf-8")
    from b12kg.version import RELEASE_DATE

    assert f"owl:versionIRI <https://w3id.org/b12kg/releases/{RELEASE_DATE}/b12kg.owl>" in text
    assert f'owl:versionInfo "{RELEASE_DATE}"' in text
    assert "\\/" not in text


def test_pronto_reads_the_owl_file() -> None:
    pronto = pytest.importorskip("pronto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pronto warns on every OWL construct beyond OBO
        ontology = pronto.Ontology(str(OWL_PATH))
    term = ontology["b12:pernicious_anemia"]  # pronto names terms by their oboInOwl:id
    assert term.name == "pernicious anemia"
    assert "DOID:13381" in {x.id for x in term.xrefs}
    assert "Addison-Biermer disease" in {s.description for s in term.synonyms}
    assert {p.id for p in term.superclasses(distance=1, with_self=False)} >= {"b12:Disease"}
    # the curators' own definition: the sources of its links (Devalia, Toh …) are not its sources
    assert str(term.definition).startswith("An autoimmune") and not term.definition.xrefs
    artefact = ontology["b12:macro_b12_immune_complexes"]
    assert ("macro-B12", "RELATED") in {(s.description, s.scope) for s in artefact.synonyms}
    retired = ontology["b12:acts_through_cobalamin_binder_release_by_leukaemic_cells"]
    assert retired.obsolete and retired.name.startswith("obsolete ")
    assert {t.id for t in retired.consider} == {"b12:cobalamin_binder_release_by_leukaemic_cells"}


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
    # the ontology IRI is the terms' namespace, so owlready2's attribute access finds them
    assert ontology.base_iri == B12
    assert ontology.pernicious_anemia is classes[PA]
    assert ontology.pernicious_anemia.hasOBONamespace == ["b12kg"]


def _owl_api_axiom_count(classpath: str, path: Path) -> int:
    """The axioms the OWL API on `classpath` reads from `path`, none violating OWL 2 DL."""
    completed = subprocess.run(
        [java_executable(), "-cp", classpath, str(JAVA_SOURCE), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "VIOLATION" not in completed.stdout
    return int(completed.stdout.rsplit("AXIOMS\t", 1)[1])


@requires_java
def test_owl_api_3_reads_both_to_the_same_axioms() -> None:
    counts = [_owl_api_axiom_count(str(hermit_jar()), path) for path in (OWL_PATH, TTL_PATH)]
    # the .ttl adds the edge triples, which are annotation assertions in OWL terms
    assert 2500 < counts[0] < counts[1]


# OWL API 5.1 from Debian's libowlapi-java; .ci/run installs it.
OWL_API_5 = Path("/usr/share/java/owlapi-distribution.jar")


@requires_java
def test_owl_api_5_reads_both_and_the_owl_file_to_the_axioms_owl_api_3_reads() -> None:
    if not OWL_API_5.exists():
        pytest.skip("OWL API 5 comes from Debian's libowlapi-java (apt-get install libowlapi-java)")
    owl_api_5 = f"{OWL_API_5.parent}/*"  # the jar and the libraries it depends on
    owl_5, ttl_5 = (_owl_api_axiom_count(owl_api_5, p) for p in (OWL_PATH, TTL_PATH))
    assert owl_5 == _owl_api_axiom_count(str(hermit_jar()), OWL_PATH)
    assert 2500 < owl_5 < ttl_5


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
    for term in ("b12:pernicious_anemia", "b12:methotrexate", "b12:ascorbic_acid"):
        definition = next(c for c in terms[term] if str(c).startswith("def:"))
        assert str(definition).endswith('" []'), f"{term}: its links' sources are not its def's"
    retired = [
        str(c) for c in terms["b12:acts_through_cobalamin_binder_release_by_leukaemic_cells"]
    ]
    assert "is_obsolete: true" in retired
    assert "consider: b12:cobalamin_binder_release_by_leukaemic_cells" in retired
    assert not [c for c in retired if c.startswith(("is_a:", "relationship:"))]


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


# --- a curated definition source, in every format -------------------------------------------


@pytest.fixture(scope="module")
def sourced_release(tmp_path_factory) -> Path:
    """The mini sources with one curated definition_source (stabler-2013, whose DOI is
    verified), built into a fresh folder."""
    from b12kg.curation.builder import build

    from .conftest import copy_mini

    root = tmp_path_factory.mktemp("sourced")
    sources = copy_mini(root / "src")
    entities = sources / "entities.tsv"
    lines = entities.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0] + "\tdefinition_source", lines[1:]
    rows = [r + ("\tstabler-2013" if r.startswith("pernicious_anemia\t") else "\t") for r in rows]
    lines = [header, *rows]
    entities.write_text("\n".join(lines) + "\n", encoding="utf-8")
    build(sources, root / "out")
    return root / "out"


def _definition_xrefs(graph: Graph, entity: str) -> set[str]:
    rows = graph.query(
        """SELECT ?xref ?source WHERE { ?a owl:annotatedSource ?e ;
               owl:annotatedProperty obo:IAO_0000115 ; oboInOwl:hasDbXref ?xref ;
               b12:source ?source }""",
        initNs={
            "owl": "http://www.w3.org/2002/07/owl#",
            "obo": "http://purl.obolibrary.org/obo/",
            "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
            "b12": B12,
        },
        initBindings={"e": URIRef(B12 + entity)},
    )
    return {f"{r[0]} {r[1]}" for r in rows}


@pytest.mark.parametrize(("name", "fmt"), [("b12kg.owl", "xml"), ("b12kg.ttl", "turtle")])
def test_a_curated_definition_source_is_the_only_one_on_the_axiom(
    sourced_release: Path, name: str, fmt: str
) -> None:
    graph = Graph().parse(sourced_release / name, format=fmt)
    stabler = "DOI:10.1056/NEJMcp1113996 https://w3id.org/b12kg/source/stabler-2013"
    assert _definition_xrefs(graph, "pernicious_anemia") == {stabler}
    # cobalamin depletion's links cite stabler-2013 too, but its definition names no source
    assert _definition_xrefs(graph, "cobalamin_depletion") == set()


def test_a_curated_definition_source_reaches_the_obo_and_obographs_files(
    sourced_release: Path,
) -> None:
    import json

    obo = (sourced_release / "b12kg.obo").read_text(encoding="utf-8")
    sourced = [line for line in obo.splitlines() if line.startswith("def:") and "[]" not in line]
    assert len(sourced) == 1
    assert sourced[0].startswith('def: "An autoimmune disease')  # pernicious anemia's
    assert sourced[0].endswith(" [DOI:10.1056/NEJMcp1113996]")
    nodes = json.loads((sourced_release / "b12kg.json").read_text())["graphs"][0]["nodes"]
    with_xrefs = {
        n["id"]: n["meta"]["definition"]["xrefs"]
        for n in nodes
        if n.get("meta", {}).get("definition", {}).get("xrefs")
    }
    assert with_xrefs == {PA: ["DOI:10.1056/NEJMcp1113996"]}


# --- kgx/b12kg_nodes.tsv and kgx/b12kg_edges.tsv ----------------------------------------------

KGX_NODES = ONTOLOGY / "kgx" / "b12kg_nodes.tsv"
KGX_EDGES = ONTOLOGY / "kgx" / "b12kg_edges.tsv"
KGX_RUNNER = Path(__file__).parent / "tools" / "kgx_validate_offline.py"


def _kgx_python() -> str:
    """kgx's pins (click<8.2 via its linkml-map, numpy<2) conflict with this environment, so it
    lives in its own venv: $B12KG_KGX_PYTHON, or `.kgx-venv` at the repository root
    (`python -m venv .kgx-venv && .kgx-venv/bin/pip install kgx biolink-model`)."""
    import os

    candidate = os.environ.get("B12KG_KGX_PYTHON") or str(
        ONTOLOGY.parent / ".kgx-venv" / "bin" / "python"
    )
    if not Path(candidate).exists():
        pytest.skip("needs kgx in its own venv (see _kgx_python)")
    return candidate


def _kgx_validate(*declared: str) -> dict:
    import json

    completed = subprocess.run(
        [_kgx_python(), str(KGX_RUNNER), str(KGX_NODES), str(KGX_EDGES), *declared],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(completed.stdout)
    assert report["biolink_version"] == "4.4.6"  # the wheel's model, read offline
    return report["report"]


def _tsv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_kgx_validate_passes_against_the_shipped_biolink_model() -> None:
    # with our (unregistered) prefix declared, kgx finds nothing at all
    assert _kgx_validate("b12=https://w3id.org/b12kg/") == {}
    # without it, the only complaint is that prefix: every category, predicate, CURIE, list
    # cell and knowledge-level value is otherwise valid Biolink 4.4.6
    report = _kgx_validate()
    messages = [m for types in report.values() for ms in types.values() for m in ms]
    assert messages
    assert all("CURIE prefix 'b12'" in m for m in messages)


def _biolink_model() -> dict:
    yaml = pytest.importorskip("yaml")
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("biolink_model")
    schema = resources.files("biolink_model") / "schema" / "biolink_model.yaml"
    return yaml.safe_load(schema.read_text(encoding="utf-8"))


def _element(curie: str) -> str:
    """biolink:PathologicalProcess → 'pathological process'; biolink:occurs_in → 'occurs in'."""
    import re

    local = curie.removeprefix("biolink:")
    return re.sub(r"(?<!^)(?=[A-Z])", " ", local).lower().replace("_", " ")


def test_kgx_terms_are_biolink_terms_and_id_prefixes_follow_the_model() -> None:
    from b12kg.curation.exports.kgx import CATEGORY, ID_PREFIXES, PREDICATE

    model = _biolink_model()
    classes, slots = model["classes"], model["slots"]
    for category in set(CATEGORY.values()):
        spec = classes[_element(category)]
        assert not spec.get("abstract") and not spec.get("mixin"), category
    used = {row["predicate"] for row in _tsv_rows(KGX_EDGES)}
    assert used >= set(PREDICATE.values())
    for predicate in used:
        assert _element(predicate) in slots, predicate
    for category, ours in ID_PREFIXES.items():
        theirs = classes[_element(category)]["id_prefixes"]
        assert [p for p in theirs if p in ours] == list(ours), category  # same order


def test_kgx_names_nodes_by_exact_standard_curies_and_keeps_ours(curation) -> None:
    nodes = {row["id"]: row for row in _tsv_rows(KGX_NODES)}
    exact = {(x.entity, x.curie) for x in curation.xrefs if x.confidence == "exact"}
    mondo = [c for e, c in exact if e == "pernicious_anemia" and c.startswith("MONDO:")]
    assert len(mondo) == 1
    pa = nodes[mondo[0]]
    assert pa["category"] == "biolink:Disease"
    assert pa["name"] == "pernicious anemia"
    assert {"b12:pernicious_anemia", "DOID:13381"} <= set(pa["xref"].split("|"))
    ours = {x for row in nodes.values() for x in row["xref"].split("|") if x.startswith("b12:")}
    ours |= {i for i in nodes if i.startswith("b12:")}
    non_cautions = {e.id for e in curation.entities.values() if e.kind != "caution"}
    assert ours == {f"b12:{e}" for e in non_cautions}  # every entity once, cautions left out
    for node_id, row in nodes.items():
        if not node_id.startswith("b12:"):
            entity = next(x for x in row["xref"].split("|") if x.startswith("b12:"))[4:]
            assert (entity, node_id) in exact  # never a close or broad match as a name


def test_kgx_edge_from_pernicious_anemia_to_its_mechanism_has_publications(curation) -> None:
    edges = _tsv_rows(KGX_EDGES)
    (edge,) = [
        e
        for e in edges
        if e["original_subject"] == "b12:pernicious_anemia"
        and e["original_object"] == "b12:intrinsic_factor_antibodies"
    ]
    assert edge["subject"] == "MONDO:0008228"
    assert edge["predicate"] == "biolink:contributes_to"
    assert edge["object"] == "b12:intrinsic_factor_antibodies"
    assert (edge["knowledge_level"], edge["agent_type"]) == ("knowledge_assertion", "manual_agent")
    assert edge["primary_knowledge_source"] == "infores:b12kg"
    assert (edge["b12kg_strength"], edge["b12kg_evidence_tier"]) == ("established", "supported")
    link = next(
        x
        for x in curation.links
        if (x.subject, x.relation, x.object)
        == ("pernicious_anemia", "has_mechanism", "intrinsic_factor_antibodies")
    )
    cited = set()
    for source in link.sources:
        reference = curation.references[source]
        cited |= {f"PMID:{reference.pmid}"} if reference.pmid else set()
        cited |= {f"doi:{reference.doi}"} if reference.doi else set()
    assert cited
    assert set(edge["publications"].split("|")) == cited
    # no edge cites an identifier its references lack
    known = {f"PMID:{r.pmid}" for r in curation.references.values() if r.pmid}
    known |= {f"doi:{r.doi}" for r in curation.references.values() if r.doi}
    assert {p for e in edges for p in e["publications"].split("|") if p} <= known


# --- OAK (runoak) ---------------------------------------------------------------------------------

B12_PREFIX = "b12=https://w3id.org/b12kg/"  # the shipped prefix map's entry (b12kg.context.jsonld)


def _runoak(*arguments: str) -> str:
    """oaklib's pins clash with the test extra, so it lives in its own venv: runoak beside
    $B12KG_OAK_PYTHON, or `.oak-venv` at the repository root (`python -m venv .oak-venv &&
    .oak-venv/bin/pip install oaklib`). Its rdflib reader knows no `b12` prefix unless told."""
    import os

    python = os.environ.get("B12KG_OAK_PYTHON") or str(
        ONTOLOGY.parent / ".oak-venv" / "bin" / "python"
    )
    runoak = Path(python).parent / "runoak"
    if not runoak.exists():
        pytest.skip("needs oaklib in its own venv (see _runoak)")
    completed = subprocess.run(
        [str(runoak), *arguments], capture_output=True, text=True, timeout=600, check=True
    )
    return completed.stdout


def test_the_shipped_prefix_map_holds_what_oak_is_told() -> None:
    import json

    context = json.loads((ONTOLOGY / "b12kg.context.jsonld").read_text(encoding="utf-8"))
    name, expansion = B12_PREFIX.split("=")
    assert context["@context"][name] == expansion


@pytest.mark.parametrize("path", [TTL_PATH, OWL_PATH])
def test_oak_resolves_b12_curies_in_both_files_with_the_prefix(path: Path) -> None:
    out = _runoak("-i", str(path), "--prefix", B12_PREFIX, "info", "b12:pernicious_anemia")
    assert out.strip() == "b12:pernicious_anemia ! pernicious anemia"


def test_oak_paths_directed_follow_the_causal_edges_down_to_the_finding() -> None:
    """`--directed` with our two causal relations walks pernicious anemia's chains as `b12kg
    trace` does; without them OAK's paths go up to a kind and back down the hierarchy."""
    out = _runoak(
        "-i", str(OWL_PATH), "--prefix", B12_PREFIX,
        "paths", "b12:pernicious_anemia", "--target", "b12:serum_b12_decreased",
        "--directed", "--include-predicates", "-p", "b12:hasMechanism,b12:leadsTo",
    )  # fmt: skip
    header, *rows = [line.split("\t") for line in out.splitlines() if line]
    paths = [row[header.index("path")].split("|") for row in rows]
    assert [
        "b12:pernicious_anemia", "b12:hasMechanism", "b12:intrinsic_factor_antibodies",
        "b12:leadsTo", "b12:reduced_cobalamin_absorption", "b12:leadsTo",
        "b12:cobalamin_depletion", "b12:leadsTo", "b12:serum_b12_decreased",
    ] in paths  # fmt: skip
    for path in paths:
        assert path[0] == "b12:pernicious_anemia" and path[-1] == "b12:serum_b12_decreased"
        assert set(path[1::2]) <= {"b12:hasMechanism", "b12:leadsTo"}, path  # no ^subClassOf
