"""`b12kg store`: an on-disk store of b12kg merged with other ontologies (issue 11).

The store is written atomically and opened read-only; merged with ~100k MONDO-shaped triples
it answers every library query, the path walk and `causes_of` exactly as b12kg alone does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import b12kg
from b12kg.cli.store import write_store_index
from b12kg.errors import UsageError
from b12kg.graph.index import GraphIndex
from b12kg.graph.snapshot import INDEX_FILE
from b12kg.resources import ontology_file
from b12kg.sparql.library import library
from b12kg.sparql.ondisk import OnDiskBackend, is_store, write_store

from .test_merged import foreign_quads


@pytest.fixture(scope="module")
def foreign_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("foreign") / "mondo-shaped.nt"
    path.write_bytes(
        ox.serialize([q.triple for q in foreign_quads(15_000)], format=ox.RdfFormat.N_TRIPLES)
    )
    return path


@pytest.fixture(scope="module")
def merged(tmp_path_factory, foreign_file) -> Path:
    directory = tmp_path_factory.mktemp("stores") / "merged"
    messages: list[str] = []
    report = write_store(
        directory, ontology_file("b12kg.ttl"), [foreign_file], on_progress=messages.append
    )
    assert report.triples > 100_000
    assert [f["triples"] for f in report.files][1] == 105_000
    assert any("mondo-shaped.nt" in m for m in messages)
    write_store_index(directory)  # what `b12kg store` does next: the comparisons below use it
    return directory


@pytest.fixture(scope="module")
def graphs(kg, merged):
    alone = b12kg.knowledge.KnowledgeGraph.from_backend(
        b12kg.sparql.embedded.LocalBackend(ontology_file("b12kg.ttl"))
    )
    return alone, b12kg.load(merged)


def test_a_directory_source_opens_the_store_read_only(graphs, merged) -> None:
    _, kg = graphs
    assert isinstance(kg.backend, OnDiskBackend)
    assert is_store(merged) and not Path(str(merged) + ".tmp").exists()
    with pytest.raises((OSError, RuntimeError), match="read-write"):
        kg.backend.store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


@pytest.mark.parametrize("name", sorted(library()))
def test_every_library_query_gives_the_rows_of_b12kg_alone(graphs, name) -> None:
    alone, kg = graphs
    expected, got = alone.query(name), kg.query(name)
    assert got.columns == expected.columns
    assert got.rows == expected.rows


def test_paths_and_causes_are_those_of_b12kg_alone(graphs) -> None:
    alone, kg = graphs
    assert kg.entities == alone.entities and kg.parents == alone.parents
    assert kg.edges.outgoing == alone.edges.outgoing
    for name in ("pernicious anemia", "metformin", "crohns_disease"):
        assert [p.to_record() for p in kg.paths(name)] == [p.to_record() for p in alone.paths(name)]
    finding = "serum vitamin B12 decreased"
    assert [p.to_record() for p in kg.causes_of(finding)] == [
        p.to_record() for p in alone.causes_of(finding)
    ]


def test_a_failed_build_leaves_the_previous_store(tmp_path) -> None:
    directory = tmp_path / "store"
    write_store(directory, ontology_file("b12kg.ttl"))
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n")
    with pytest.raises(UsageError, match="not valid RDF"):
        write_store(directory, ontology_file("b12kg.ttl"), [bad])
    assert not (tmp_path / "store.tmp").exists()
    assert len(b12kg.load(directory).entities) == len(b12kg.load().entities)


def test_a_folder_that_is_not_a_store_is_never_replaced(tmp_path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match="not a b12kg store"):
        write_store(folder, ontology_file("b12kg.ttl"))
    with pytest.raises(UsageError, match="not a b12kg store"):
        b12kg.load(folder)
    assert (folder / "notes.txt").read_text() == "keep me"


def test_the_store_verb(tmp_path, foreign_file) -> None:
    directory = tmp_path / "cli-store"
    run = subprocess.run(
        [sys.executable, "-m", "b12kg", "store", str(directory), "--merge", str(foreign_file)],
        capture_output=True,
        text=True,
        env={"B12KG_PROGRESS": "1", **__import__("os").environ},
    )
    assert run.returncode == 0, run.stderr
    import pyoxigraph as ox

    from b12kg.resources import ontology_file

    ours = sum(
        1 for _ in ox.parse(path=str(ontology_file("b12kg.ttl")), format=ox.RdfFormat.TURTLE)
    )
    assert f"{ours + 105_000:,} triples" in run.stdout  # b12kg and the foreign file, no more
    assert "loading mondo-shaped.nt" in run.stderr
    assert GraphIndex.from_snapshot(OnDiskBackend(directory), directory / INDEX_FILE, directory)
    trace = subprocess.run(
        [sys.executable, "-m", "b12kg", "trace", "pernicious anemia", "--source", str(directory)],
        capture_output=True,
        text=True,
    )
    assert trace.returncode == 0, trace.stderr
    assert "intrinsic factor" in trace.stdout


def test_the_index_in_the_store_is_the_one_its_queries_build(merged) -> None:
    from_index = GraphIndex.from_snapshot(OnDiskBackend(merged), merged / INDEX_FILE, merged)
    assert from_index is not None, "the store's own index was refused"
    built = GraphIndex.from_backend(OnDiskBackend(merged))
    assert list(from_index.entities.items()) == list(built.entities.items())
    assert list(from_index.sources.items()) == list(built.sources.items())
    assert from_index.parents == built.parents
    assert from_index.edges.outgoing == built.edges.outgoing
    assert from_index.search("anem") == built.search("anem")


def test_load_reads_the_stores_index_and_refuses_it_once_the_store_changed(tmp_path) -> None:
    directory = tmp_path / "store"
    write_store(directory, ontology_file("b12kg.ttl"))
    write_store_index(directory)
    # Mark the index so its use is visible: same fingerprint, one label changed.
    document = json.loads((directory / INDEX_FILE).read_bytes())
    row = next(e for e in document["entities"] if e[1] == "pernicious_anemia")
    row[2] = "pernicious anemia (from the index)"
    (directory / INDEX_FILE).write_text(json.dumps(document))
    assert b12kg.load(directory).entities["pernicious_anemia"].label.endswith("(from the index)")
    assert b12kg.load(directory).entities["pernicious_anemia"].label.endswith("(from the index)")
    writable = ox.Store(str(directory))  # someone opens the store for writing and adds a triple
    writable.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.Literal("z")))
    writable.flush()
    del writable
    kg = b12kg.load(directory)
    assert kg.entities["pernicious_anemia"].label == "pernicious anemia"  # read the slow way
    assert len(kg.entities) == len(b12kg.load().entities)


def test_an_unreadable_index_is_read_the_slow_way(tmp_path) -> None:
    directory = tmp_path / "store"
    write_store(directory, ontology_file("b12kg.ttl"))
    for garbage in (b"", b"[1, 2]", b'{"format": 3}', b"\xff\xfe"):
        (directory / INDEX_FILE).write_bytes(garbage)
        assert b12kg.load(directory).entities == b12kg.load().entities


def _small_foreign() -> list[ox.Triple]:
    return [q.triple for q in foreign_quads(50)]


def _triples(directory: Path) -> tuple[int, set[str]]:
    """(triples, those without blank nodes): merged blank nodes are renamed at random."""
    store = ox.Store.read_only(str(directory))
    named = {
        str(q.triple)
        for q in store
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }
    return len(store), named


@pytest.mark.parametrize(
    ("name", "rdf_format"),
    [
        ("mondo-shaped.owl.gz", ox.RdfFormat.RDF_XML),  # as ChEBI ships its OWL release
        ("mondo-shaped.jsonld", ox.RdfFormat.JSON_LD),
        ("mondo-shaped.ttl.gz", ox.RdfFormat.TURTLE),
    ],
)
def test_gzipped_and_json_ld_files_merge_as_their_plain_rdf(tmp_path, name, rdf_format) -> None:
    import gzip

    data = ox.serialize(_small_foreign(), format=rdf_format)
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    plain = tmp_path / "plain.nt"
    plain.write_bytes(ox.serialize(_small_foreign(), format=ox.RdfFormat.N_TRIPLES))
    report = write_store(tmp_path / "store", ontology_file("b12kg.ttl"), [path])
    write_store(tmp_path / "reference", ontology_file("b12kg.ttl"), [plain])
    assert report.files[1]["triples"] == len(_small_foreign())
    assert _triples(tmp_path / "store") == _triples(tmp_path / "reference")


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("hp.obo", "an OBO flat file"),
        ("mondo.json", "OBO Graphs JSON"),
        ("chebi.owx", "OWL/XML"),
        ("GO.ofn.gz", "OWL functional syntax"),
    ],
)
def test_an_ontology_file_that_is_not_rdf_is_refused_with_what_to_do(tmp_path, name, what):
    path = tmp_path / name
    path.write_text("format-version: 1.2\n")
    with pytest.raises(UsageError) as refused:
        write_store(tmp_path / "store", ontology_file("b12kg.ttl"), [path])
    message = str(refused.value)
    assert what in message and f"robot convert --input {path} --output " in message
    assert f"--output {tmp_path / name.split('.')[0]}.owl" in message
    assert not (tmp_path / "store").exists() and not (tmp_path / "store.tmp").exists()


def test_a_corrupt_or_truncated_gzip_is_named_and_the_previous_store_kept(tmp_path) -> None:
    import gzip

    directory = tmp_path / "store"
    write_store(directory, ontology_file("b12kg.ttl"))
    corrupt = tmp_path / "chebi.owl.gz"
    corrupt.write_bytes(b"not gzip at all")
    with pytest.raises(UsageError, match=r"cannot read .*chebi\.owl\.gz"):
        write_store(directory, ontology_file("b12kg.ttl"), [corrupt])
    whole = gzip.compress(ox.serialize(foreign_quads(20_000), format=ox.RdfFormat.N_QUADS))
    damaged = tmp_path / "hp.nt.gz"  # a gzip header, then a deflate stream with a flipped byte
    damaged.write_bytes(whole[:20] + bytes([whole[20] ^ 0xFF]) + whole[21:])
    with pytest.raises(UsageError, match=r"cannot read .*hp\.nt\.gz"):
        write_store(directory, ontology_file("b12kg.ttl"), [damaged])
    truncated = tmp_path / "mondo.nt.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(UsageError, match=r"mondo\.nt\.gz"):
        write_store(directory, ontology_file("b12kg.ttl"), [truncated])
    assert not (tmp_path / "store.tmp").exists()
    assert len(b12kg.load(directory).entities) == len(b12kg.load().entities)
