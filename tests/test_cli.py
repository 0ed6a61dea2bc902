"""The command line as a user meets it: exit codes, JSON shape, help that teaches, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from b12kg.cli import build_parser, main

from .conftest import REPOSITORY


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process, as a script would call it."""
    return subprocess.run(
        [sys.executable, "-m", "b12kg", *args],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=120,
        check=False,
    )


def test_trace_tree_prints_every_step_with_evidence_and_exits_0() -> None:
    done = run("trace", "Addison-Biermer disease", "--tree")
    assert done.returncode == 0, done.stderr
    assert "pernicious anemia → serum vitamin B12 decreased" in done.stdout
    assert "└─ has mechanism → intrinsic factor autoantibodies" in done.stdout
    assert "seed-000" in done.stdout


def test_trace_table_is_a_screenful_with_shared_tails_once(capsys) -> None:
    assert main(["trace", "pernicious anemia"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) <= 25, out
    assert (
        lines[0] == "pernicious anemia → serum vitamin B12 decreased   [causal · true deficiency]"
    )
    assert out.count("cobalamin depletion → serum vitamin B12 decreased") == 1, out
    assert "… (as above)" in out
    assert "via: own link; is a autoimmune atrophic gastritis" in out
    assert "serum vitamin B12 falsely normal   [causal · assay artefact]" in out
    assert "serum vitamin B12 increased" not in out  # a masked low is not a high
    assert "weak links:" not in out  # every link on these paths is supported
    assert out.splitlines()[-1].startswith("sources: ")


def test_trace_names_every_weak_link_with_its_strength_and_note(capsys) -> None:
    assert main(["trace", "colchicine"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("[reported · true deficiency]")
    weak = out.split("weak links:\n", 1)[1]
    assert weak.startswith("  limited: colchicine → impaired terminal ileal cobalamin absorption")
    assert "Decision: keep causal at limited" in weak


def test_trace_max_paths_limits_chains_in_every_format(capsys) -> None:
    assert main(["trace", "pernicious anemia", "--max-paths", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("  • ") == 2 and "more chain(s)" in out
    assert main(["trace", "pernicious anemia", "--format", "json"]) == 0
    every = json.loads(capsys.readouterr().out)["paths"]
    assert main(["trace", "pernicious anemia", "--format", "json", "--max-paths", "1"]) == 0
    one = json.loads(capsys.readouterr().out)["paths"]
    assert 0 < len(one) < len(every)


@pytest.mark.parametrize("name", ["nitrous oxide", "laughing gas", "TC II deficiency", "cblC"])
def test_trace_functional_deficiency_says_so_and_exits_0(name: str, capsys) -> None:
    assert main(["trace", name]) == 0
    out = capsys.readouterr().out
    assert "functional deficiency: serum B12 may be normal; MMA and homocysteine rise" in out
    assert "→ methylmalonic acid increased" in out and "→ total homocysteine increased" in out
    assert main(["trace", name, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["note"].startswith("functional deficiency")
    assert {p["nature"] for p in document["paths"]} >= {"functional deficiency"}


def test_trace_json_has_the_documented_shape(capsys) -> None:
    assert main(["trace", "crohn's disease", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    path = document["paths"][0]
    assert set(path) >= {"source", "steps", "finding", "direction", "kind"}
    assert path["source"] == {"id": "crohns_disease", "label": "Crohn's disease"}
    assert path["direction"] == "decreased" and path["kind"] == "causal"
    step = path["steps"][0]
    assert set(step) == {"subject", "relation", "object", "evidence"}
    assert set(step["relation"]) == {"id", "label"} and step["relation"]["id"].startswith("b12:")
    assert step["evidence"][0]["sources"][0]["id"]


def test_unknown_name_exits_2_with_suggestions_and_no_traceback() -> None:
    done = run("trace", "pernishus anemia")  # more than one slip: suggested, not taken
    assert done.returncode == 2
    assert "did you mean: 'pernicious anemia'" in done.stderr
    assert "serum vitamin B12" not in done.stderr  # suggestions are of the kind trace takes
    assert "Traceback" not in done.stderr + done.stdout


def test_one_slip_is_taken_with_a_notice_on_stderr() -> None:
    done = run("trace", "pernicous anemia")
    assert done.returncode == 0, done.stderr
    assert "taking 'pernicious anemia' for 'pernicous anemia'" in done.stderr
    assert "taking" not in done.stdout


def test_debug_shows_the_traceback() -> None:
    done = run("trace", "pernishus anemia", "--debug")
    assert done.returncode != 0 and "Traceback" in done.stderr


def test_nothing_found_exits_1(capsys) -> None:
    assert main(["trace", "folic acid"]) == 1  # no B12-status finding at all
    assert "no path from folic acid" in capsys.readouterr().out


def test_causes_table_and_csv(capsys) -> None:
    assert main(["causes", "low", "--via", "hypochlorhydria"]) == 0
    table = capsys.readouterr().out
    assert "omeprazole" in table and "Crohn" not in table
    assert main(["causes", "high", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header == "section,source,kind,nature,strength,mechanisms,sources"


def test_explain_names_shared_mechanism_once_and_cautions(capsys) -> None:
    assert main(["explain", "pernicious anemia", "omeprazole", "metformin"]) == 0
    text = capsys.readouterr().out
    assert "Shared mechanisms" in text and "reduced cobalamin absorption (as above)" in text
    assert "Folic acid must not be given alone" in text


def test_differential_puts_pernicious_anemia_first(capsys) -> None:
    args = [
        "differential",
        "low",
        "methylmalonic acid increased",
        "intrinsic factor antibody positive",
        "--format",
        "json",
    ]
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["candidates"][0]["cause"]["id"] == "pernicious_anemia"
    assert document["rule"]


def test_search_finds_by_xref_and_accent_insensitively(capsys) -> None:
    assert main(["search", "DOID:13381", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["entities"][0]["id"] == "pernicious_anemia"
    assert main(["search", "Grasbeck"]) == 0
    assert "Imerslund" in capsys.readouterr().out


def test_malformed_sparql_reports_line_and_column_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("PREFIX b12: <https://w3id.org/b12kg/>\nSELECT ?s WHERE {\n  ?s b12:kind \n}\n")
    done = run("query", "--file", str(bad))
    assert done.returncode == 2
    assert "line 4, column" in done.stderr or "line 3, column" in done.stderr
    assert "Traceback" not in done.stderr


def test_validate_reports_file_line_field_and_exits_1(tmp_path: Path) -> None:
    from .conftest import copy_mini

    sources = copy_mini(tmp_path / "src")
    links = sources / "links.tsv"
    links.write_text(links.read_text().replace("\testablished\t", "\tcertain\t", 1))
    done = run("validate", "--sources", str(sources), "--no-owl")
    assert done.returncode == 1
    assert "links.tsv:2: strength: 'certain' is not one of" in done.stdout


def test_every_verb_help_teaches_with_an_example() -> None:
    parser = build_parser()
    verbs = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    assert {
        "trace",
        "causes",
        "explain",
        "search",
        "differential",
        "query",
        "reason",
        "build",
        "validate",
        "serve",
        "load",
    } <= set(verbs)
    for name, sub in verbs.items():
        assert "example" in (sub.epilog or ""), name
        assert "b12kg " in sub.epilog, name


@pytest.mark.parametrize("argv", [["causes", "pregnancy"], ["trace", "low B12"]])
def test_wrong_kind_of_entity_is_a_usage_error(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    assert "b12kg:" in capsys.readouterr().err


def test_a_name_of_the_wrong_kind_says_what_it_is_and_where_to_go(capsys) -> None:
    assert main(["causes", "Diphyllobothrium"]) == 2
    err = capsys.readouterr().err
    assert "'Diphyllobothrium' is an organism" in err
    assert 'try `b12kg trace "diphyllobothriasis"`' in err
    assert main(["trace", "terminal ileum"]) == 2
    err = capsys.readouterr().err
    assert "is an anatomical entity" in err and "'Crohn's disease'" in err
    assert "b12kg causes" not in err  # causes would refuse an anatomical entity too
    assert main(["trace", "hypochlorhydria"]) == 2
    assert 'try `b12kg causes "hypochlorhydria"`' in capsys.readouterr().err


def test_trace_prints_each_heading_once(capsys) -> None:
    assert main(["trace", "pernicious anemia"]) == 0
    headings = [
        line
        for line in capsys.readouterr().out.splitlines()
        if " → " in line and not line.startswith(" ")
    ]
    assert len(headings) == len(set(headings)), headings


# --- b12kg query: SPARQL JSON results, tables with prefixed names ---------------------------

TYPED = """\
#+ summary: labels with their language tag, dates, blank nodes and a never-bound column
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s ?p ?o ?missing WHERE {
  { ?s rdfs:label ?o . BIND(rdfs:label AS ?p) }
  UNION { ?s dcterms:modified ?o . BIND(dcterms:modified AS ?p) }
  UNION { ?s owl:annotatedSource <https://w3id.org/b12kg/pernicious_anemia> ; ?p ?o }
  OPTIONAL { ?s <urn:b12kg:never> ?missing }
}
ORDER BY ?s ?p ?o
"""


def _rdflib_term(term):
    import pyoxigraph as ox
    import rdflib

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    datatype = None if term.language else rdflib.URIRef(term.datatype.value)
    if datatype == rdflib.XSD.string:
        datatype = None
    return rdflib.Literal(term.value, lang=term.language, datatype=datatype)


def test_query_json_is_sparql_results_json_that_rdflib_reads_with_every_type_kept(
    tmp_path: Path,
) -> None:
    """rdflib's own SPARQL JSON reader gets the engine's terms back: IRIs, blank nodes,
    language-tagged labels, xsd:date literals, and an unbound variable left out."""
    import io

    import pyoxigraph as ox
    import rdflib
    from rdflib.query import Result

    own = tmp_path / "typed.rq"
    own.write_text(TYPED, encoding="utf-8")
    done = run("query", "--file", str(own), "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["head"]["vars"] == ["s", "p", "o", "missing"]
    assert all("missing" not in b for b in document["results"]["bindings"])
    parsed = Result.parse(source=io.StringIO(done.stdout), format="json")
    got = [tuple(row) for row in parsed]

    store = ox.Store()
    store.extend(
        ox.parse(
            path=str(REPOSITORY / "ontology" / "b12kg.ttl"),
            format=ox.RdfFormat.TURTLE,
            rename_blank_nodes=False,
        )
    )
    solutions = store.query(TYPED)
    expected = [tuple(_rdflib_term(s[v]) for v in ("s", "p", "o", "missing")) for s in solutions]
    assert got == expected
    objects = [row[2] for row in got]
    assert any(isinstance(o, rdflib.Literal) and o.language == "en" for o in objects)
    assert any(isinstance(o, rdflib.Literal) and o.datatype == rdflib.XSD.date for o in objects)
    assert any(isinstance(row[0], rdflib.BNode) for row in got)  # the evidence axioms


def test_query_json_of_a_library_query_has_the_rows_of_the_python_api(kg) -> None:
    import io

    import rdflib
    from rdflib.query import Result

    done = run(
        "query", "causes-via-mechanism", "--param", "mechanism=hypochlorhydria", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    parsed = Result.parse(source=io.StringIO(done.stdout), format="json")
    expected = kg.query("causes-via-mechanism", mechanism="hypochlorhydria")
    assert [str(v) for v in parsed.vars] == expected.columns
    got = [tuple(None if t is None else str(t) for t in row) for row in parsed]
    assert got == [tuple(row.values()) for row in expected.to_records()]
    assert all(
        isinstance(row[0], rdflib.URIRef) and isinstance(row[2], rdflib.URIRef) for row in parsed
    )
    assert all(isinstance(row[1], rdflib.Literal) for row in parsed)


def test_query_ask_answers_a_boolean_in_every_format(tmp_path: Path) -> None:
    # in a process of its own: `--file` shuts the network off for the rest of the process
    yes = tmp_path / "yes.rq"
    yes.write_text('ASK { ?s ?p "pernicious anemia"@en }\n', encoding="utf-8")
    no = tmp_path / "no.rq"
    no.write_text('ASK { ?s ?p "pernicious anemia" }\n', encoding="utf-8")  # no language tag
    done = run("query", "--file", str(yes), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"head": {}, "boolean": True}
    done = run("query", "--file", str(no))
    assert (done.returncode, done.stdout.strip()) == (1, "false")
    done = run("query", "--file", str(yes), "--format", "csv")
    assert (done.returncode, done.stdout.split()) == (0, ["boolean", "true"])


def test_query_table_writes_iris_as_prefixed_names_and_csv_keeps_them_whole(capsys) -> None:
    assert main(["query", "causes-via-mechanism", "--param", "mechanism=hypochlorhydria"]) == 0
    table = capsys.readouterr().out
    assert "b12:hypochlorhydria" in table and "b12:omeprazole" in table
    assert "https://" not in table
    assert main(["query", "causes-via-mechanism", "--format", "csv"]) == 0
    csv_text = capsys.readouterr().out
    assert "https://w3id.org/b12kg/omeprazole" in csv_text and "b12:" not in csv_text


def test_query_table_compacts_only_iris_not_text_that_looks_like_one(tmp_path: Path) -> None:
    own = tmp_path / "text.rq"
    own.write_text(
        'SELECT ?text ?iri WHERE { BIND("https://w3id.org/b12kg/x" AS ?text) '
        "BIND(<https://w3id.org/b12kg/source/s1> AS ?iri) }\n",
        encoding="utf-8",
    )
    done = run("query", "--file", str(own))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "https://w3id.org/b12kg/x" in out  # a literal stays as it is
    assert "src:s1" in out and "b12:source/s1" not in out  # the longest namespace wins


def test_compact_iri_keeps_iris_with_no_plain_local_name() -> None:
    from b12kg.cli.render import compact_iri

    prefixes = {"b12": "https://w3id.org/b12kg/", "DOID": "http://purl.obolibrary.org/obo/DOID_"}
    assert compact_iri("http://purl.obolibrary.org/obo/DOID_13381", prefixes) == "DOID:13381"
    assert compact_iri("https://w3id.org/b12kg/a/b", prefixes) == "https://w3id.org/b12kg/a/b"
    assert compact_iri("https://w3id.org/b12kg/", prefixes) == "https://w3id.org/b12kg/"
    assert compact_iri("urn:x", prefixes) == "urn:x"


def test_query_help_documents_every_format() -> None:
    done = run("query", "--help")
    assert "SPARQL 1.1 Query Results JSON" in done.stdout
    assert "prefixed names" in done.stdout and "full IRIs" in done.stdout


def test_a_class_whose_claim_stops_at_its_only_member_says_why(capsys) -> None:
    """Cytostatics: the seed's class claim is not stated for methotrexate (its own evidence
    denies it), so the class traces nowhere — and the trace says why instead of a bare 'no path'."""
    assert main(["trace", "cytostatics"]) == 1
    out = capsys.readouterr().out
    assert "no path from antineoplastic agent" in out
    assert "methotrexate lacks impaired terminal ileal cobalamin absorption" in out
    assert main(["trace", "methotrexate"]) in (0, 1)
    assert "serum vitamin B12 decreased" not in capsys.readouterr().out


def _verbs(parser) -> dict:
    return parser._subparsers._group_actions[0].choices  # argparse keeps them here


def _described(parser) -> list[tuple]:
    """Everything a user meets of a parser: its help, and each option as argparse holds it."""
    options = [
        (a.option_strings, a.dest, a.default, a.nargs, a.choices, a.type, a.required, a.help)
        for a in parser._actions
    ]
    return [parser.prog, parser.format_help(), parser._defaults, *options]


def test_a_command_line_naming_a_verb_gets_the_same_parser_for_it_alone() -> None:
    from b12kg.cli.main import VERBS

    full = _verbs(build_parser())
    assert list(VERBS) == sorted(VERBS, key=list(full).index)  # every verb, in help order
    assert set(VERBS) == set(full)
    for verb in VERBS:
        alone = _verbs(build_parser(verb))
        assert list(alone) == [verb]
        assert _described(alone[verb]) == _described(full[verb]), verb


@pytest.mark.parametrize(
    "argv",
    [
        ["trace", "--max-paths", "x", "pernicious anemia"],  # the verb's own usage error
        ["trace"],  # a missing argument
        ["trace", "pernicious anemia", "--version"],  # an option of the top level, misplaced
        ["trace", "--help"],
        ["tarce", "pernicious anemia"],  # no such verb: the full parser says which exist
    ],
)
def test_usage_errors_and_help_read_as_before(argv: list[str], capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # the same width in this process and the command's
    done = run(*argv)
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(argv)  # every verb registered, as before the shortcut
    before = capsys.readouterr()
    assert (done.returncode, done.stdout, done.stderr) == (
        stopped.value.code,
        before.out,
        before.err,
    )
    assert "Traceback" not in done.stderr
    if argv[0] == "tarce":
        assert "invalid choice: 'tarce'" in done.stderr and "'trace'" in done.stderr


def test_a_trace_imports_only_what_it_needs() -> None:
    """The start-up gains, kept: no other verb's module, no typing/dataclasses/pathlib (or
    what they pull in), no store, no rdflib — timed in bench/, guarded here."""
    script = (
        "import re, sys\n"  # what pip's console script imports before calling main
        "from b12kg.cli import main\n"
        "code = main(['trace', 'pernicious anemia'])\n"
        "print('modules:', *sorted(sys.modules), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert "pernicious anemia → serum vitamin B12 decreased" in done.stdout
    loaded = set(done.stderr.rsplit("modules:", 1)[1].split())
    assert {"b12kg.cli.questions", "b12kg.graph.snapshot", "b12kg.questions.paths"} <= loaded
    never = {
        "b12kg.cli.curator",
        "b12kg.cli.store",
        "b12kg.sparql.library",
        "b12kg.curation",
        "pyoxigraph",
        "rdflib",
        "owlready2",
        "SPARQLWrapper",
        "typing",
        "dataclasses",
        "pathlib",
        "shutil",
        "csv",
        "difflib",
        "contextlib",
        "importlib.metadata",
        "urllib",
        "inspect",
    }
    assert not never & loaded, sorted(never & loaded)
