"""The packaged index (ontology/b12kg.index.json) answers exactly as the SPARQL-built one."""

from __future__ import annotations

import subprocess
import sys

import b12kg
from b12kg.graph.index import GraphIndex
from b12kg.graph.snapshot import INDEX_FILE, dump_index
from b12kg.resources import ontology_file
from b12kg.sparql.backends import LazyLocalBackend
from b12kg.sparql.embedded import LocalBackend


def _sparql_built() -> GraphIndex:
    return GraphIndex.from_backend(LocalBackend(ontology_file("b12kg.ttl")))


def _snapshot() -> GraphIndex:
    ttl = ontology_file("b12kg.ttl")
    index = GraphIndex.from_snapshot(LazyLocalBackend(ttl), ontology_file(INDEX_FILE), ttl)
    assert index is not None, "run `b12kg build`: the packaged index does not match b12kg.ttl"
    return index


def test_packaged_index_equals_the_sparql_built_one():
    built, packaged = _sparql_built(), _snapshot()
    assert list(built.entities.items()) == list(packaged.entities.items())
    assert list(built.sources.items()) == list(packaged.sources.items())
    assert list(built.parents.items()) == list(packaged.parents.items())
    for direction in ("outgoing", "incoming"):
        ours, theirs = getattr(built.edges, direction), getattr(packaged.edges, direction)
        assert {k: v for k, v in ours.items() if v} == {k: v for k, v in theirs.items() if v}
    assert built.names.ids_by_name == packaged.names.ids_by_name
    assert built.names.ids_by_code == packaged.names.ids_by_code
    assert built.names.phrases == packaged.names.phrases
    assert built.names.search_keys == packaged.names.search_keys
    for text in ("anem", "PPI", "Addison-Biermer disease", "metformn", "b12", "D51.0"):
        assert built.search(text) == packaged.search(text)
    for text in ("pernicous anemia", "Crohns", "MMA", "D510"):
        assert built.find(text) == packaged.find(text)


def test_packaged_index_is_what_a_build_writes():
    ttl = ontology_file("b12kg.ttl").read_bytes()
    assert dump_index(_sparql_built(), ttl) == ontology_file(INDEX_FILE).read_bytes()


def test_a_ttl_the_index_was_not_built_from_is_read_the_slow_way(tmp_path):
    ttl = tmp_path / "b12kg.ttl"
    ttl.write_bytes(ontology_file("b12kg.ttl").read_bytes() + b"\n")
    assert GraphIndex.from_snapshot(LazyLocalBackend(ttl), ontology_file(INDEX_FILE), ttl) is None
    assert GraphIndex.from_snapshot(LazyLocalBackend(ttl), tmp_path / "missing.json", ttl) is None


def test_the_store_opens_only_when_sparql_runs():
    script = (
        "import sys, b12kg\n"
        "kg = b12kg.load()\n"
        "assert kg.paths('pernicious anemia') and kg.search('anem')\n"
        "assert 'pyoxigraph' not in sys.modules, 'a trace parsed the store'\n"
        "assert len(kg.query('causes-of-low-b12')) > 0\n"
        "assert 'pyoxigraph' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_load_of_the_packaged_graph_uses_the_index():
    assert isinstance(b12kg.load().backend, LazyLocalBackend)


def test_an_exact_name_unpacks_only_the_exact_name_table_and_the_rest_unpacks_whole():
    built, packaged = _sparql_built(), _snapshot()
    lazy = ("ids_by_code", "phrases", "search_keys")
    assert packaged.names.find("pernicious anemia").id == "pernicious_anemia"
    assert not set(lazy) & set(vars(packaged.names)), "a trace by exact name unpacked them"
    assert packaged.names.find("D51.0") == built.names.find("D51.0")  # a code: unpacked now
    for table in lazy:
        assert getattr(packaged.names, table) == getattr(built.names, table), table
