"""The query library as a grlc user meets it: grlc itself reads every header, and a real grlc
server (its `/api-local/` API over `queries/`) runs each parameterised query against a real
b12kg endpoint, giving the rows and RDF terms `b12kg query --format json` gives.

grlc pins its dependencies exactly (rdflib, Flask, requests …), so it runs from a venv of its
own: $B12KG_GRLC_PYTHON (`.ci/run` makes /tmp/b12kg-grlc-venv), or `.grlc-venv` at the
repository root (`python -m venv .grlc-venv && .grlc-venv/bin/pip install grlc`). It runs
offline: its local loader reads the folder, and its only HTTP request is to our endpoint.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib.query import Result

from b12kg.cli import main
from b12kg.sparql.library import checks, library

from .conftest import REPOSITORY

TOOL = Path(__file__).parent / "tools" / "grlc_local.py"
QUERY_DIR = REPOSITORY / "queries"
QUERIES = library()
PARAMETERISED = sorted(name for name, query in QUERIES.items() if query.parameters)
SPARQL_JSON = "application/sparql-results+json"


def _grlc_python() -> str:
    for candidate in (
        os.environ.get("B12KG_GRLC_PYTHON"),
        str(REPOSITORY / ".grlc-venv" / "bin" / "python"),
        "/tmp/b12kg-grlc-venv/bin/python",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("needs grlc in its own venv (see the module docstring)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """`b12kg serve` on the packaged graph, in-process on a free port (as in test_endpoint)."""
    from b12kg.endpoint import make_server

    server = make_server(port=0, timeout_s=30.0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def grlc(endpoint: str, tmp_path_factory) -> Iterator[str]:
    """grlc's own server over queries/, on a free port; its base URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("grlc") / "grlc.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [_grlc_python(), str(TOOL), "serve", str(QUERY_DIR), endpoint, str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/api-local/", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"grlc did not start:\n{log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(url: str, accept: str = SPARQL_JSON) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def _terms(document: bytes | str) -> tuple[list[str], list[tuple]]:
    """Columns and rows of a SPARQL JSON answer, read by rdflib's SPARQL JSON parser."""
    text = document.decode("utf-8") if isinstance(document, bytes) else document
    parsed = Result.parse(source=io.StringIO(text), format="json")
    return [str(v) for v in parsed.vars], [tuple(row) for row in parsed]


def _cli_json(capsys, name: str, *args: str) -> str:
    code = main(["query", name, *args, "--format", "json"])
    assert code in (0, 1), code
    return capsys.readouterr().out


# --- every header, as grlc reads it ---------------------------------------------------------


@pytest.fixture(scope="module")
def grlc_metadata() -> dict[str, dict]:
    def read(folder: Path) -> dict[str, dict]:
        done = subprocess.run(
            [_grlc_python(), str(TOOL), "metadata", str(folder)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)

    return {"": read(QUERY_DIR), "checks/": read(QUERY_DIR / "checks")}


@pytest.mark.parametrize(
    "name", [*sorted(QUERIES), *(f"checks/{n}" for n in sorted(checks()))], ids=str
)
def test_grlc_reads_each_header_as_the_library_does(grlc_metadata, name: str) -> None:
    folder, _, stem = name.rpartition("/")
    ours = (checks() if folder else QUERIES)[stem]
    theirs = grlc_metadata[f"{folder}/" if folder else ""][stem]
    decorators = theirs["decorators"]
    assert theirs["type"] == "SelectQuery", name  # grlc's rdflib parsed the query
    assert decorators["summary"] == ours.summary
    assert str(decorators["description"]).strip() == ours.description
    assert decorators["tags"] == list(ours.tags)
    assert set(theirs["parameters"]) == {p.name for p in ours.parameters}
    for parameter in ours.parameters:
        grlc_view = theirs["parameters"][parameter.name]
        assert grlc_view["required"] is False, f"{name}: grlc would demand {parameter.name}"
        assert grlc_view["default"] == parameter.default
        assert (grlc_view["format"] == "iri") == parameter.is_iri
        assert parameter.variable not in theirs["variables"], f"{name}: a projected parameter"


def test_the_grlc_api_offers_every_query_with_its_optional_parameters(grlc) -> None:
    spec = json.loads(_get(grlc + "/api-local/swagger", accept="application/json"))
    assert set(spec["paths"]) == {f"/{name}" for name in QUERIES}
    for name, query in QUERIES.items():
        operation = spec["paths"][f"/{name}"]["get"]
        assert operation["summary"] == query.summary
        offered = {p["name"]: p for p in operation["parameters"] if p["name"] != "endpoint"}
        assert set(offered) == {p.name for p in query.parameters}, name
        for parameter in query.parameters:
            assert offered[parameter.name]["required"] is False
            assert offered[parameter.name]["default"] == parameter.default


# --- the same rows through grlc as from b12kg query -----------------------------------------


def _other_value(capsys, name: str, parameter: str, default: str) -> str:
    """A value other than the default that has rows: the first one the unbound query lists."""
    columns, rows = _terms(_cli_json(capsys, name, "--no-defaults"))
    index = columns.index(parameter)
    values = sorted({str(row[index]) for row in rows} - {default})
    assert values, f"{name}: only one value of {parameter}"
    return values[len(values) // 2]


@pytest.mark.parametrize("which", ["default", "other value", "unbound"])
@pytest.mark.parametrize("name", PARAMETERISED)
def test_grlc_gives_the_rows_and_terms_of_b12kg_query(grlc, capsys, name: str, which: str) -> None:
    query = QUERIES[name]
    (parameter,) = query.parameters  # one parameter each; a test below says if that changes
    if which == "unbound":
        params: dict[str, str] = {}
        cli = _cli_json(capsys, name, "--no-defaults")
    else:
        value = str(parameter.default)
        if which == "other value":
            value = _other_value(capsys, name, parameter.name, value)
        params = {parameter.name: value}
        cli = _cli_json(capsys, name, "--param", f"{parameter.name}={value}")
    answer = _get(f"{grlc}/api-local/{name}?{urlencode(params)}")
    got_columns, got = _terms(answer)
    want_columns, want = _terms(cli)
    assert got_columns == want_columns == [c for c in want_columns if c != parameter.variable]
    assert got == want, name  # same rows, same order, same terms (datatypes, tags)
    assert want, f"{name}: no rows ({which})"
    if params:
        index = want_columns.index(parameter.name)
        assert {str(row[index]) for row in want} == {params[parameter.name]}


def test_each_parameterised_query_has_one_parameter() -> None:
    """The grlc comparison above binds one parameter per query; widen it before adding more."""
    assert all(len(QUERIES[name].parameters) == 1 for name in PARAMETERISED)
    assert len(PARAMETERISED) >= 9
