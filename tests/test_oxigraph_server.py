"""A second real store: `b12kg load --store oxigraph` into Oxigraph's own server (`oxigraph
serve`, from PyPI's `oxigraph` package in the test extra), then every library query read back
through SPARQLWrapper gives the embedded graph's rows."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from b12kg.sparql.library import library

from .conftest import IN_CI

pytestmark = pytest.mark.oxigraph_server
GRAPH = "https://w3id.org/b12kg/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    binary = shutil.which("oxigraph") or shutil.which(
        "oxigraph", path=str(__import__("pathlib").Path(sys.executable).parent)
    )
    if binary is None:
        message = "needs the Oxigraph server: python -m pip install oxigraph"
        if IN_CI:
            pytest.fail(f"CI must run the Oxigraph server tests; {message}", pytrace=False)
        pytest.skip(message)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(tmp_path_factory.mktemp("oxigraph")),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"oxigraph serve did not start: {process.stderr.read()!r}"
                    ) from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "b12kg", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def loaded(oxigraph_server):
    done = _cli(
        "load",
        "--endpoint",
        oxigraph_server,
        "--store",
        "oxigraph",
        "--graph",
        GRAPH,
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    return oxigraph_server, json.loads(done.stdout)


def test_load_reports_every_triple_of_the_packaged_graph(loaded) -> None:
    import pyoxigraph as ox

    from b12kg.resources import ontology_file

    _, report = loaded
    expected = sum(
        1 for _ in ox.parse(path=str(ontology_file("b12kg.ttl")), format=ox.RdfFormat.TURTLE)
    )
    assert report["triples"] == expected


def test_loading_again_replaces_the_graph_rather_than_doubling_it(loaded) -> None:
    base, report = loaded
    again = _cli(
        "load", "--endpoint", base, "--store", "oxigraph", "--graph", GRAPH, "--format", "json"
    )
    assert again.returncode == 0, again.stderr
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(
        f"{base}/query",
        data=query.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    answer = json.loads(urllib.request.urlopen(request, timeout=30).read())
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == report["triples"]
    graphs = json.loads(
        urllib.request.urlopen(
            urllib.request.Request(
                f"{base}/query",
                data=b"SELECT DISTINCT ?g WHERE { GRAPH ?g { } }",
                headers={
                    "Content-Type": "application/sparql-query",
                    "Accept": "application/sparql-results+json",
                },
            ),
            timeout=30,
        ).read()
    )
    assert [b["g"]["value"] for b in graphs["results"]["bindings"]] == [GRAPH]  # no staging left


@pytest.mark.parametrize("name", sorted(library()))
def test_every_library_query_gives_the_embedded_rows(kg, loaded, name: str) -> None:
    import b12kg

    base, _ = loaded
    remote = b12kg.load(f"{base}/query", graph=GRAPH)
    expected = kg.query(name)
    got = remote.query(name)
    assert got.columns == expected.columns

    def canonical(rows):
        return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)

    if "_:" in json.dumps(expected.rows, default=str):  # blank-node labels are the store's own
        assert len(got.rows) == len(expected.rows)
    else:
        assert canonical(got.rows) == canonical(expected.rows)
