"""One behaviour suite over both backends: the embedded store and a real Virtuoso.

The Virtuoso is started by the tests (tests/virtuoso.py) on 127.0.0.1 with its own ports and
password, loaded through `load_into_endpoint`, and stopped at the end of the session. Without
`virtuoso-t` these tests are skipped, except in CI (environment variable CI set), where they fail.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

import b12kg
from b12kg.errors import EndpointError, QuerySyntaxError, UsageError
from b12kg.sparql.library import checks, library
from b12kg.sparql.loading import load_into_endpoint, ntriples_chunks, read_triples
from b12kg.sparql.remote import RemoteBackend, inline_values, remote_select

from .virtuoso import INSTALL_HINT, VirtuosoServer, free_port, installed

ONTOLOGY_FILE = Path(__file__).resolve().parents[1] / "ontology" / "b12kg.ttl"
IN_CI = bool(os.environ.get("CI"))

pytestmark = pytest.mark.virtuoso


@dataclass
class Virtuoso:
    server: VirtuosoServer
    sparql_url: str
    base_url: str
    graph: str
    user: str
    password: str
    load_seconds: float


@pytest.fixture(scope="session")
def virtuoso():
    """A throwaway Virtuoso holding ontology/b12kg.ttl in named graph `.graph`."""
    if not installed():
        message = f"needs Virtuoso: {INSTALL_HINT}"
        if IN_CI:
            pytest.fail(f"CI must run the Virtuoso tests; {message}", pytrace=False)
        pytest.skip(message)
    server = VirtuosoServer()
    server.start()
    try:
        report = load_into_endpoint(
            ONTOLOGY_FILE,
            endpoint=server.sparql_url,
            graph=server.graph,
            user=server.user,
            password=server.password,
        )
        yield Virtuoso(
            server,
            server.sparql_url,
            server.base_url,
            server.graph,
            server.user,
            server.password,
            report.seconds,
        )
    finally:
        server.stop()


@pytest.fixture(scope="session")
def remote(virtuoso: Virtuoso):
    kg = b12kg.load(virtuoso.sparql_url, graph=virtuoso.graph)
    kg.backend.timeout = 30  # a stuck query fails its test instead of stalling the suite
    return kg


def normalised(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def rows(result) -> list[tuple[str, ...]]:
    return sorted(tuple(normalised(row.get(c)) for c in result.columns) for row in result.rows)


def count(virtuoso: Virtuoso, graph: str) -> int:
    backend = RemoteBackend(virtuoso.sparql_url, timeout=30)
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(remote_select(backend, text, source="count", bound={}).rows[0]["n"])


def staging_graphs(virtuoso: Virtuoso) -> list[str]:
    backend = RemoteBackend(virtuoso.sparql_url, timeout=30)
    text = """SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), "-staging-")) }"""
    return [str(r["g"]) for r in remote_select(backend, text, source="graphs", bound={}).rows]


# --- the same answers on both backends ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(library()))
def test_library_query_gives_the_same_rows(kg, remote, name: str) -> None:
    local_result = kg.query(name)
    remote_result = remote.query(name)
    assert remote_result.columns == local_result.columns
    assert rows(remote_result) == rows(local_result)


# Virtuoso 7.2 mis-evaluates FILTER NOT EXISTS { ?m rdfs:subClassOf* ?e . {…} UNION {…} }: it
# reports 74 violations where pyoxigraph (and the spec) give none. One FILTER NOT EXISTS per
# UNION branch gives the same rows on both.
@pytest.mark.parametrize("name", sorted(checks()))
def test_qc_check_gives_the_same_rows(kg, remote, name: str) -> None:
    query = checks()[name]
    local_result = kg.backend.select(query, {}, source=name)
    remote_result = remote.backend.select(query, {}, source=name)
    assert rows(remote_result) == rows(local_result)


def test_the_indexes_agree(kg, remote) -> None:
    assert remote.entities == kg.entities
    assert remote.sources == kg.sources
    assert remote.parents == kg.parents


@pytest.mark.parametrize(
    "ask",
    [
        lambda g: g.paths("pernicious anemia"),
        lambda g: g.causes_of("low"),
        lambda g: g.causes_of("low", via="hypochlorhydria"),
        lambda g: [g.find("Addison-Biermer disease")],
    ],
    ids=["paths", "causes_of", "causes_of-via", "find"],
)
def test_api_answers_agree(kg, remote, ask) -> None:
    local_answer = [item.to_record() for item in ask(kg)]
    remote_answer = [item.to_record() for item in ask(remote)]
    assert local_answer
    assert remote_answer == local_answer


def test_a_bound_parameter_is_reported_like_the_local_store(kg, remote) -> None:
    local_result = kg.query("entities", kind="disease")
    remote_result = remote.query("entities", kind="disease")
    assert {row["kind"] for row in remote_result.rows} == {"disease"}
    assert rows(remote_result) == rows(local_result)


# --- errors are b12kg errors, never tracebacks ----------------------------------------------------


def test_a_malformed_query_is_a_syntax_error_with_its_line(remote) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        remote.backend.select("SELECT ?s\nWHERE {\n  ?s ?p \n}", {}, source="bad.rq")
    assert caught.value.line == 4
    assert "bad.rq" in str(caught.value)


def test_a_query_virtuoso_cannot_run_is_an_endpoint_error(remote) -> None:
    # A cycle pattern Virtuoso rejects with HTTP 500 (SQ156).
    text = "SELECT ?m WHERE { ?m <https://w3id.org/b12kg/hasMechanism>+ ?m }"
    with pytest.raises(EndpointError) as caught:
        remote.backend.select(text, {}, source="cycle.rq")
    assert "HTTP 500" in str(caught.value)


def test_a_truncated_answer_is_an_error_not_rows(remote) -> None:
    text = "SELECT ?a ?b WHERE { ?a a ?x . ?b a ?y } LIMIT 20000"
    with pytest.raises(EndpointError, match="truncated"):
        remote.backend.select(text, {}, source="cross.rq")


def test_an_unreachable_endpoint_is_an_endpoint_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(EndpointError, match=re.escape(url)) as caught:
        b12kg.load(url)
    assert caught.value.exit_code == 3


def test_an_update_on_the_public_endpoint_is_refused(virtuoso: Virtuoso, remote) -> None:
    before = count(virtuoso, virtuoso.graph)
    update = f"INSERT DATA {{ GRAPH <{virtuoso.graph}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}"
    body = urllib.parse.urlencode({"update": update}).encode()
    request = urllib.request.Request(virtuoso.sparql_url, data=body, method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code >= 400  # Virtuoso says 500 (SR186: SECURITY), not 4xx
    with pytest.raises(EndpointError):
        remote.backend.select(update, {}, source="update.rq")
    assert count(virtuoso, virtuoso.graph) == before


# --- loading ----------------------------------------------------------------------------------


def load(virtuoso: Virtuoso, graph: str, **options):
    return load_into_endpoint(
        ONTOLOGY_FILE,
        endpoint=virtuoso.sparql_url,
        graph=graph,
        user=virtuoso.user,
        password=virtuoso.password,
        **options,
    )


def test_loading_twice_leaves_one_copy(virtuoso: Virtuoso) -> None:
    graph = "https://w3id.org/b12kg/test/reload"
    expected = len(read_triples(ONTOLOGY_FILE))
    first = load(virtuoso, graph)
    second = load(virtuoso, graph)
    assert first.triples == second.triples == expected
    assert first.chunks > 1  # the chunked path is what is being tested
    assert count(virtuoso, graph) == expected
    assert staging_graphs(virtuoso) == []


def test_the_update_protocol_loads_the_same_graph(virtuoso: Virtuoso) -> None:
    graph = "https://w3id.org/b12kg/test/update-protocol"
    report = load(virtuoso, graph, protocol="sparql-update")
    assert count(virtuoso, graph) == report.triples == len(read_triples(ONTOLOGY_FILE))


def test_a_failing_load_leaves_the_target_intact(virtuoso: Virtuoso, monkeypatch) -> None:
    graph = "https://w3id.org/b12kg/test/intact"
    expected = load(virtuoso, graph).triples

    def broken_chunks(triples, limit=500_000):
        chunks = ntriples_chunks(triples, limit)
        return [*chunks[:-1], b"<urn:x:a> <urn:x:b> this is not N-Triples .\n"]

    monkeypatch.setattr("b12kg.sparql.loading.ntriples_chunks", broken_chunks)
    with pytest.raises(EndpointError):
        load(virtuoso, graph)
    assert count(virtuoso, graph) == expected
    assert staging_graphs(virtuoso) == []


def test_a_wrong_password_is_an_endpoint_error_and_changes_nothing(virtuoso: Virtuoso) -> None:
    graph = "https://w3id.org/b12kg/test/login"
    with pytest.raises(EndpointError, match="401"):
        load_into_endpoint(
            ONTOLOGY_FILE,
            endpoint=virtuoso.sparql_url,
            graph=graph,
            user=virtuoso.user,
            password="wrong" + virtuoso.password,
        )
    assert count(virtuoso, graph) == 0


def test_a_bad_file_is_refused_before_the_store_is_touched(virtuoso: Virtuoso, tmp_path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:x:a> <urn:x:b> .\n")
    with pytest.raises(UsageError):
        load_into_endpoint(
            bad,
            endpoint=virtuoso.sparql_url,
            graph="https://w3id.org/b12kg/test/bad",
            user=virtuoso.user,
            password=virtuoso.password,
        )


def test_the_chunks_keep_each_blank_node_in_one_payload() -> None:
    triples = read_triples(ONTOLOGY_FILE)
    chunks = ntriples_chunks(triples, 50_000)
    assert len(chunks) > 5
    seen: dict[str, int] = {}
    for index, chunk in enumerate(chunks):
        for line in chunk.decode().splitlines():
            for token in line.split():
                if token.startswith("_:"):
                    assert seen.setdefault(token, index) == index, token
    assert sum(len(c.decode().splitlines()) for c in chunks) == len(triples)


def test_the_values_block_moves_inside_the_where_group() -> None:
    block = "\nVALUES (?_x_iri) { (<https://w3id.org/b12kg/a>) }\n"
    text = (
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
        "# a comment with a brace {\n"
        'SELECT ?s WHERE {\n  ?s ?p "a } string" .\n  OPTIONAL { ?s owl:x ?_x_iri }\n}\n'
        "ORDER BY ?s"
    )
    moved = inline_values(text + block, block)
    assert moved.endswith(
        "OPTIONAL { ?s owl:x ?_x_iri }\n\n  " + block.strip() + "\n}\nORDER BY ?s"
    )
    assert inline_values("SELECT * WHERE { ?s ?p ?o", block) == "SELECT * WHERE { ?s ?p ?o"


def test_the_cli_loads_a_store_and_queries_it_like_the_embedded_graph(virtuoso: Virtuoso) -> None:
    """What the README tells a researcher to do, as commands."""
    import json
    import os
    import subprocess
    import sys

    graph = "https://w3id.org/b12kg/cli-test"
    env = {**os.environ, "B12KG_ENDPOINT_PASSWORD": virtuoso.password}
    loaded = subprocess.run(
        [
            sys.executable,
            "-m",
            "b12kg",
            "load",
            "--endpoint",
            virtuoso.base_url,
            "--graph",
            graph,
            "--user",
            virtuoso.user,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["triples"] == count(virtuoso, graph)

    def query(*source: str) -> list[dict]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "b12kg",
                "query",
                "causes-via-mechanism",
                "--param",
                "mechanism=hypochlorhydria",
                "--format",
                "json",
                *source,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["results"]["bindings"]

    assert query("--source", virtuoso.sparql_url, "--graph", graph) == query()


# --- a store holding other graphs too (issue 11) ----------------------------------------------


def test_with_no_graph_named_the_load_graph_is_read_beside_foreign_graphs(
    kg, virtuoso: Virtuoso, tmp_path
) -> None:
    """b12kg where `b12kg load` puts it, ~100k MONDO-shaped triples in another graph, and
    Virtuoso's own system graphs: `load(url)` with no graph gives the embedded answers."""
    import pyoxigraph as ox

    from b12kg.sparql.remote import LOAD_GRAPH

    from .test_merged import foreign_quads

    foreign = tmp_path / "foreign.nt"
    foreign.write_bytes(
        ox.serialize([q.triple for q in foreign_quads(15_000)], format=ox.RdfFormat.N_TRIPLES)
    )
    load_into_endpoint(
        ONTOLOGY_FILE,
        endpoint=virtuoso.sparql_url,
        graph=LOAD_GRAPH,
        user=virtuoso.user,
        password=virtuoso.password,
    )
    virtuoso.server.bulk_load(foreign, "https://example.org/foreign/mondo-shaped")
    remote = b12kg.load(virtuoso.sparql_url)
    remote.backend.timeout = 30
    assert remote.backend.graph == LOAD_GRAPH
    for name in sorted(library()):
        local_result, remote_result = kg.query(name), remote.query(name)
        assert remote_result.columns == local_result.columns, name
        assert rows(remote_result) == rows(local_result), name
    for cause in ("pernicious anemia", "metformin"):
        assert [p.to_record() for p in remote.paths(cause)] == [
            p.to_record() for p in kg.paths(cause)
        ]
    low = "serum vitamin B12 decreased"
    assert [p.to_record() for p in remote.causes_of(low)] == [
        p.to_record() for p in kg.causes_of(low)
    ]
    # the store's own default graph (every graph, here b12kg several times over) when asked for
    union = RemoteBackend(virtuoso.sparql_url, graph="")
    assert union.graph is None
    with pytest.raises(EndpointError, match="truncated"):  # the same rows, many times over
        union.select(library()["entity-names"], {}, source="union")
