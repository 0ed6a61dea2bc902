"""`b12kg serve --source DIR`: the endpoint over an on-disk store merged with other data.

Every worker opens the same store directory read-only (no private copy of the graph), the
rows it serves through a real HTTP client (SPARQLWrapper) are those of the embedded graph,
and the memory ceiling per worker is sized from the store or set by the user; a ceiling too
small to load the graph is a clear error at start-up, not a crash loop.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SELECT, SPARQLWrapper

from b12kg.endpoint import make_server
from b12kg.endpoint.settings import FLOOR_MB, worker_memory_mb
from b12kg.errors import UsageError
from b12kg.resources import ontology_file
from b12kg.sparql.binding import bind_parameters, values_block
from b12kg.sparql.embedded import read_store
from b12kg.sparql.library import library
from b12kg.sparql.ondisk import store_fingerprint, write_store

from .test_merged import foreign_quads

FOREIGN_CLASSES = 15_000  # 105k foreign triples beside b12kg's 12k


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    foreign = tmp_path_factory.mktemp("foreign") / "mondo-shaped.nt"
    foreign.write_bytes(
        ox.serialize(
            [q.triple for q in foreign_quads(FOREIGN_CLASSES)], format=ox.RdfFormat.N_TRIPLES
        )
    )
    directory = tmp_path_factory.mktemp("stores") / "merged"
    write_store(directory, ontology_file("b12kg.ttl"), [foreign])
    return directory


@pytest.fixture(scope="module")
def endpoint(merged):
    # a limit no loaded machine reaches: these tests compare rows, not times
    server = make_server(merged, port=0, workers=2, timeout_s=120.0, cache_mb=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(5)


def _rows(result: dict) -> list[tuple[tuple[str, str], ...]]:
    return sorted(
        tuple(sorted((k, v["value"]) for k, v in binding.items()))
        for binding in result["results"]["bindings"]
    )


_STORE: list[ox.Store] = []


def _embedded() -> ox.Store:
    """b12kg alone, in memory: what the served rows must equal."""
    if not _STORE:
        _STORE.append(read_store(ontology_file("b12kg.ttl")))
    return _STORE[0]


def _remote_text(kg, query) -> str:
    """The query as a remote client sends it: defaults bound in a trailing VALUES block."""
    bindings = bind_parameters(kg, query, {}, use_defaults=True)
    return query.text + values_block(bindings) if bindings else query.text


@pytest.mark.parametrize("name", sorted(library()))
def test_every_library_query_over_http_gives_the_rows_of_the_embedded_graph(
    endpoint, kg, name
) -> None:
    query = library()[name]
    text = _remote_text(kg, query)
    wrapper = SPARQLWrapper(endpoint.url)
    wrapper.setQuery(text)
    wrapper.queryType = SELECT  # its keyword guess reads "added" in a header as an update
    wrapper.setReturnFormat(JSON)
    served = _rows(wrapper.queryAndConvert())
    answer = _embedded().query(text).serialize(format=ox.QueryResultsFormat.JSON)
    wanted = _rows(json.loads(answer))
    assert served == wanted


def test_the_workers_share_the_store_read_only(endpoint, merged) -> None:
    before = store_fingerprint(merged)
    wrapper = SPARQLWrapper(endpoint.url)
    wrapper.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    wrapper.setReturnFormat(JSON)
    count = int(wrapper.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
    assert count == endpoint.pool.triples > 7 * FOREIGN_CLASSES  # all of it, counted once
    pids = endpoint.pool.pids()
    assert len(pids) >= 2
    for pid in pids:
        opened = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        tables = {p for p in opened if p.startswith(str(merged)) and p.endswith(".sst")}
        assert tables, f"worker {pid} does not read the store's table files"
        assert not any(p.endswith(".ttl") for p in opened)
    assert store_fingerprint(merged) == before  # nothing any worker did wrote to the store


def test_worker_memory_is_sized_from_the_store_or_set(endpoint, merged, tmp_path) -> None:
    assert endpoint.pool.health()["memory_mb"] == worker_memory_mb(merged) >= FLOOR_MB
    big = tmp_path / "big.nt"
    with open(big, "wb") as stream:
        stream.truncate(400 * 2**20)  # sparse: only its size matters here
    assert worker_memory_mb(big) > worker_memory_mb(ontology_file("b12kg.ttl")) == FLOOR_MB
    server = make_server(merged, port=0, workers=1, memory_mb=FLOOR_MB + 512)
    try:
        assert server.pool.health()["memory_mb"] == FLOOR_MB + 512
        limits = Path(f"/proc/{server.pool.pids()[0]}/limits").read_text()
        line = next(row for row in limits.splitlines() if row.startswith("Max address space"))
        assert str((FLOOR_MB + 512) * 2**20) in line
    finally:
        server.shutdown()


def _running_children() -> set[int]:
    """Pids of this process's children that are still running (zombies excluded)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def test_too_little_memory_is_a_clear_error_at_start_up(merged) -> None:
    before = _running_children()
    with pytest.raises(UsageError, match=r"memory.*--worker-memory"):
        make_server(merged, port=0, workers=2, memory_mb=64)
    # one failed start, not a loop of restarts: no worker of it is left running
    assert _running_children() <= before
    run = subprocess.run(
        [sys.executable, "-m", "b12kg", "serve", "--source", str(merged), "--worker-memory", "64"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "--worker-memory" in run.stderr and "Traceback" not in run.stderr
    # the restart loop's messages: a failed start is reported once, never retried
    assert "cannot start a query worker" not in run.stderr
    assert "worker started" not in run.stderr and "worker replaced" not in run.stderr


def test_serve_refuses_what_it_cannot_serve(tmp_path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    for source in ("http://127.0.0.1:1/sparql", str(folder)):
        run = subprocess.run(
            [sys.executable, "-m", "b12kg", "serve", "--source", source, "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
    assert "not a b12kg store" in run.stderr


def test_a_worker_binds_a_library_query_sent_with_values_as_constants(kg) -> None:
    """What the endpoint executes: a library query with a trailing VALUES row runs with the
    value as a constant (on a 5M-triple store, path-from-condition as sent took 54 s; the
    rows are compared over HTTP above); a query of the user's own runs exactly as sent."""
    from b12kg.endpoint.workers import planned_text

    query = library()["path-from-condition"]
    sent = _remote_text(kg, query)
    planned = planned_text(sent)
    assert planned != sent
    assert "<https://w3id.org/b12kg/pernicious_anemia>" in planned
    own = "SELECT ?s WHERE { ?s ?p ?__condition_iri }\nVALUES ?__condition_iri { <urn:x> }"
    assert planned_text(own) == own
