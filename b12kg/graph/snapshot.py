"""The index of the packaged graph, precomputed: `ontology/b12kg.index.json`.

`b12kg build` reads the `.ttl` it has just serialised through the same library queries a
load runs (`GraphIndex.from_backend`) and writes what they produced — entities, sources,
is-a parents, the grouped causal edges with their evidence, and the name index's normalised
tables — as one compact, deterministic JSON document. `b12kg.load()` of the packaged graph
reads that file instead of parsing Turtle and running the queries; the store is opened only
when a SPARQL query actually runs.

The document records the size and CRC-32 of the `.ttl` it was built from; a `.ttl` that no
longer matches (edited by hand, a partial checkout) is loaded the slow, always-correct way.
`tests/test_snapshot.py` checks that both ways give the same index.

`b12kg store DIR` writes the same document into the store directory (`dump_store_index`),
tied to the store's files (`ondisk.store_fingerprint`) instead of a `.ttl`'s bytes, so
`load(DIR)` of a store merged with millions of other triples reads b12kg's index in
milliseconds instead of running the index queries; a store opened for writing since is
read the slow way.
"""

from __future__ import annotations

import json
import zlib

from b12kg.graph.edges import Edge, EdgeIndex, Evidence
from b12kg.graph.entities import Entity, Source
from b12kg.graph.names import NameIndex

TYPE_CHECKING = False  # typing's own flag, without importing typing on the trace path
if TYPE_CHECKING:
    from pathlib import Path

FORMAT = 3
INDEX_FILE = "b12kg.index.json"


def fingerprint(ttl: bytes) -> dict[str, int]:
    """What ties an index to the exact `.ttl` bytes it was read from."""
    return {"bytes": len(ttl), "crc32": zlib.crc32(ttl)}


def dump_index(index, ttl: bytes) -> bytes:
    """The index document for `index` (a `GraphIndex`; not imported: it imports us), read from the `.ttl` bytes `ttl`: same bytes every run."""
    return _dump(index, {"ttl": fingerprint(ttl)})


def dump_store_index(index, directory: Path) -> bytes:
    """The index document for `index`, read from the on-disk store at `directory`."""
    from b12kg.sparql.ondisk import store_fingerprint

    return _dump(index, {"store": store_fingerprint(directory)})


def _origin(source: Path) -> dict[str, object]:
    """What the document must record for `source` (a `.ttl`, or a store directory) as it is."""
    import os

    if os.path.isdir(source):
        from b12kg.sparql.ondisk import store_fingerprint

        return {"store": store_fingerprint(source)}
    with open(source, "rb") as stream:
        return {"ttl": fingerprint(stream.read())}


def _dump(index, origin: dict[str, object]) -> bytes:
    entities = list(index.entities.values())
    edges = [edge for edges in index.edges.outgoing.values() for edge in edges]
    edges.sort(key=lambda e: (e.subject, e.relation, e.object, e.kind))
    document = {
        "format": FORMAT,
        **origin,
        "entities": [
            [
                e.iri,
                e.id,
                e.label,
                e.kind,
                e.definition,
                e.analyte,
                e.direction,
                list(e.synonyms),
                list(e.xrefs),
            ]
            for e in entities
        ],
        "sources": [
            [s.iri, s.id, s.title, s.citation, list(s.identifiers), s.seed_file]
            for s in index.sources.values()
        ],
        "parents": [[child, sorted(parents)] for child, parents in index.parents.items()],
        "edges": [
            [
                e.subject,
                e.relation,
                e.object,
                e.kind,
                list(e.evidence.sources),
                list(e.evidence.quotes),
                e.evidence.strength,
                list(e.evidence.notes),
                list(e.evidence.conditions),
            ]
            for e in edges
        ],
        "names": index.names.state(),
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def read_index(index, path: Path, ttl: Path) -> bool:
    """Fill `index` from the document at `path` if it was built from `ttl` (a `.ttl` file or
    a store directory) as it is now."""
    try:
        with open(path, "rb") as stream:
            document = json.loads(stream.read())
        (key, current), *_ = _origin(ttl).items()
    except (OSError, ValueError):
        return False
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return False
    if document.get(key) != current:
        return False
    entities = index.entities
    for iri, local, label, kind, definition, analyte, direction, syn, xrefs in document["entities"]:
        entities[local] = Entity(
            iri, local, label, kind, definition, analyte, direction, tuple(syn), tuple(xrefs)
        )
    for iri, local, title, citation, identifiers, seed_file in document["sources"]:
        index.sources[local] = Source(iri, local, title, citation, tuple(identifiers), seed_file)
    for child, parents in document["parents"]:
        index.parents[child] = set(parents)
    edges = EdgeIndex()
    for subject, relation, obj, kind, sources, quotes, strength, notes, conditions in document[
        "edges"
    ]:
        edge = Edge(
            subject,
            relation,
            obj,
            kind,
            Evidence(tuple(sources), tuple(quotes), strength, tuple(notes), tuple(conditions)),
        )
        edges.outgoing[subject].append(edge)
        edges.incoming[obj].append(edge)
    index._edges = edges
    index._names = NameIndex.from_state(entities, document["names"], caused_by=index._caused_by)
    return True
