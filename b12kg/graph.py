"""`load()`: one entry point for the packaged graph, another file, or a SPARQL endpoint.

Whatever the source, the graph is read through the same library queries (entities,
entity-names, entity-parents, causal-edges, sources) into the same in-memory index, so
`find`, `paths` and `causes_of` behave identically on the embedded store and on Virtuoso.
The embedded store is pyoxigraph; the remote one is reached through SPARQLWrapper.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from b12kg.errors import UnknownEntity, UsageError
from b12kg.sparql import QueryFile, QueryResult, get_query, run_local, values_block
from b12kg.vocabulary import local_name as _local

if TYPE_CHECKING:
    from b12kg.explain import Explanation
    from b12kg.paths import CausalPath, Differential, EdgeIndex


@dataclass(frozen=True)
class Entity:
    """A curated entity. `id` is the local name (`pernicious_anemia`), `iri` the full IRI."""

    iri: str
    id: str
    label: str
    kind: str
    definition: str = ""
    analyte: str = ""
    direction: str = ""
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()

    def ref(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label}

    def to_record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "iri": self.iri,
            "definition": self.definition,
            "analyte": self.analyte or None,
            "direction": self.direction or None,
            "synonyms": list(self.synonyms),
            "xrefs": list(self.xrefs),
        }


@dataclass(frozen=True)
class Source:
    """A cited document: a seed or a publication (identifiers only where verified)."""

    iri: str
    id: str
    title: str
    citation: str = ""
    identifiers: tuple[str, ...] = ()
    seed_file: str = ""

    def to_record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "citation": self.citation or None,
            "identifiers": list(self.identifiers),
            "seed_file": self.seed_file or None,
        }


class Backend(Protocol):
    """Where SPARQL runs: the embedded store or an endpoint. Both bind parameters the same way."""

    description: str

    def select(
        self, query: QueryFile | str, bindings: dict[str, ox.NamedNode | ox.Literal], *, source: str
    ) -> QueryResult: ...


RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".owl": ox.RdfFormat.RDF_XML,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


def read_store(path: Path) -> ox.Store:
    """An in-memory store of the file at `path`, keeping the file's blank-node labels.

    Not renaming blank nodes at random means every process that reads the same file holds an
    identical store — same rows, same order, same `_:b…` labels — so an endpoint's workers
    page through LIMIT/OFFSET consistently, whichever one answers.
    """
    path = Path(path)
    rdf_format = RDF_FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        raise UsageError(f"cannot load {path.name}: expected .ttl, .nt, .owl or .rdf")
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    store = ox.Store()
    try:
        store.extend(ox.parse(path=str(path), format=rdf_format, rename_blank_nodes=False))
    except SyntaxError as error:
        raise UsageError(f"{path} is not valid RDF: {error}") from None
    return store


class LocalBackend:
    """An in-memory pyoxigraph store loaded from a file."""

    def __init__(self, path: Path):
        self.path = path
        self.description = str(path)
        self.store = read_store(path)

    def select(
        self, query: QueryFile | str, bindings: dict[str, ox.NamedNode | ox.Literal], *, source: str
    ) -> QueryResult:
        text = query.text if isinstance(query, QueryFile) else query
        return run_local(self.store, text, bindings=bindings, source=source)


class RemoteBackend:
    """A SPARQL 1.1 endpoint, read with SPARQLWrapper.

    Parameters are serialised by pyoxigraph into a VALUES block, which `b12kg.remote` places
    at the end of the top-level WHERE group (Virtuoso 7.2 mis-joins a trailing one).
    """

    def __init__(self, url: str, *, graph: str | None = None, timeout: int = 60):
        self.url = url
        self.graph = graph
        self.timeout = timeout
        self.description = url + (f" (graph {graph})" if graph else "")

    def select(
        self, query: QueryFile | str, bindings: dict[str, ox.NamedNode | ox.Literal], *, source: str
    ) -> QueryResult:
        from b12kg.remote import remote_select

        text = query.text if isinstance(query, QueryFile) else query
        return remote_select(
            self,
            text + values_block(bindings),
            source=source,
            bound={k: v for k, v in bindings.items()},
        )


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Gräsbeck' ~ 'grasbeck', "Crohn's" ~ 'crohns'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = stripped.casefold().replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9:.]+", " ", lowered).strip()


@dataclass
class KnowledgeGraph:
    """The loaded graph: entity index, name lookup and the causal edge index.

    Build it with `b12kg.load()`. Every read works the same on a file and on an endpoint.
    """

    backend: Backend
    entities: dict[str, Entity] = field(default_factory=dict)  # by id
    sources: dict[str, Source] = field(default_factory=dict)  # by id
    parents: dict[str, set[str]] = field(default_factory=dict)  # child id -> parent ids
    _names: dict[str, set[str]] = field(default_factory=dict)  # normalised name -> ids
    _edges: EdgeIndex | None = None

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def from_backend(cls, backend: Backend) -> KnowledgeGraph:
        kg = cls(backend=backend)
        kg._read_index()
        return kg

    def _select(self, name: str) -> QueryResult:
        query = get_query(name)
        return self.backend.select(query, {}, source=f"queries/{name}.rq").renamed_parameters(query)

    def _read_index(self) -> None:
        names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in self._select("entity-names").rows:
            names[_local(str(row["entity"]))].append((str(row["type"]), str(row["name"])))
        for row in self._select("entities").rows:
            local = _local(str(row["entity"]))
            entity_names = names.get(local, [])
            self.entities[local] = Entity(
                iri=str(row["entity"]),
                id=local,
                label=str(row["label"]),
                kind=str(row["kind"]),
                definition=str(row["definition"] or ""),
                analyte=str(row.get("analyte") or ""),
                direction=str(row.get("direction") or ""),
                synonyms=tuple(sorted(n for t, n in entity_names if t == "synonym")),
                xrefs=tuple(sorted(n for t, n in entity_names if t == "xref")),
            )
        for row in self._select("entity-parents").rows:
            self.parents.setdefault(_local(str(row["child"])), set()).add(
                _local(str(row["parent"]))
            )
        identifiers: dict[str, list[str]] = defaultdict(list)
        details: dict[str, dict[str, object]] = {}
        for row in self._select("sources").rows:
            local = str(row["source"]).rsplit("/", 1)[-1]
            details[local] = row
            if row.get("identifier"):
                identifiers[local].append(str(row["identifier"]))
        for local, row in details.items():
            self.sources[local] = Source(
                iri=str(row["source"]),
                id=local,
                title=str(row["title"]),
                citation=str(row.get("citation") or ""),
                identifiers=tuple(sorted(set(identifiers[local]))),
                seed_file=str(row.get("seed_file") or ""),
            )
        for entity in self.entities.values():
            for name in (entity.id, entity.iri, entity.label, *entity.synonyms, *entity.xrefs):
                self._names.setdefault(normalise(name), set()).add(entity.id)
            self._names.setdefault(normalise(entity.id.replace("_", " ")), set()).add(entity.id)

    @property
    def edges(self) -> EdgeIndex:
        """The causal edge index, read once from queries/causal-edges.rq."""
        if self._edges is None:
            from b12kg.paths import EdgeIndex

            self._edges = EdgeIndex.from_rows(self, self._select("causal-edges").rows)
        return self._edges

    # --- finding entities ------------------------------------------------------------------

    def find(self, name: str | Entity) -> Entity:
        """An entity by label, synonym, cross-reference (DOID:…, ATC code), id or IRI.

        Case-, accent- and punctuation-insensitive. Raises UnknownEntity with the closest
        names when nothing matches, or when a name is shared by several entities.

        >>> kg = load()
        >>> kg.find("Addison-Biermer disease").id
        'pernicious_anemia'
        """
        if isinstance(name, Entity):
            return name
        text = name.strip()
        exact = _local(text)  # an id or our IRI names one entity, whatever synonyms collide
        if exact in self.entities:
            return self.entities[exact]
        key = normalise(text)
        ids = self._names.get(key, set())
        if len(ids) > 1:  # a label outranks a colliding synonym ("macro-vitamin B12")
            ids = {i for i in ids if normalise(self.entities[i].label) == key} or ids
        if len(ids) == 1:
            return self.entities[next(iter(ids))]
        if ids:
            raise UnknownEntity(name, sorted(self.entities[i].label for i in ids))
        return self._fail(name)

    def _fail(self, name: str) -> Entity:
        key = normalise(name)
        candidates = difflib.get_close_matches(key, list(self._names), n=8, cutoff=0.6)
        labels: list[str] = []
        for candidate in candidates + [n for n in self._names if key and key in n]:
            for entity_id in sorted(self._names[candidate]):
                label = self.entities[entity_id].label
                if label not in labels:
                    labels.append(label)
        raise UnknownEntity(name, labels[:5])

    def search(self, text: str, *, limit: int = 10) -> list[Entity]:
        """Entities whose names contain `text`, best first.

        Ranking: exact name, then name starting with the text, then a word starting with it,
        then anywhere; a match on the label beats one on a synonym; shorter names first.
        Close misspellings (similarity >= 0.75) come last.
        """
        key = normalise(text)
        if not key:
            return []
        best: dict[str, tuple[float, int, int]] = {}
        for entity in self.entities.values():
            label_key = normalise(entity.label)
            for name in {label_key, *(normalise(n) for n in (*entity.synonyms, *entity.xrefs))}:
                if name == key:
                    tier = 4.0
                elif name.startswith(key):
                    tier = 3.0
                elif f" {key}" in f" {name}":
                    tier = 2.0
                elif key in name:
                    tier = 1.0
                else:
                    ratio = difflib.SequenceMatcher(None, key, name).ratio()
                    tier = ratio - 1.0 if ratio >= 0.75 else -9.0
                if tier < -1.0:
                    continue
                score = (tier, 1 if name == label_key else 0, -len(name))
                if score > best.get(entity.id, (-9.0, 0, 0)):
                    best[entity.id] = score
        ranked = sorted(best, key=lambda i: (tuple(-x for x in best[i]), self.entities[i].label))
        return [self.entities[i] for i in ranked[:limit]]

    def ancestors(self, entity_id: str) -> list[str]:
        """Curated ancestors (is-a), nearest first."""
        seen: list[str] = []
        frontier = sorted(self.parents.get(entity_id, ()))
        while frontier:
            nxt: list[str] = []
            for parent in frontier:
                if parent not in seen:
                    seen.append(parent)
                    nxt.extend(sorted(self.parents.get(parent, ())))
            frontier = nxt
        return seen

    def descendants(self, entity_id: str) -> list[str]:
        children: dict[str, set[str]] = defaultdict(set)
        for child, parents in self.parents.items():
            for parent in parents:
                children[parent].add(child)
        seen: list[str] = []
        frontier = sorted(children.get(entity_id, ()))
        while frontier:
            nxt: list[str] = []
            for child in frontier:
                if child not in seen:
                    seen.append(child)
                    nxt.extend(sorted(children.get(child, ())))
            frontier = nxt
        return seen

    # --- the questions (implemented in b12kg.paths / b12kg.explain) ---------------------------

    def paths(self, source: str | Entity, target: str | Entity | None = None) -> list[CausalPath]:
        """Every path from a condition or drug to a lab finding (serum total B12 by default)."""
        from b12kg.paths import paths

        return paths(self, source, target)

    def causes_of(
        self, finding: str | Entity, *, via: str | Entity | None = None
    ) -> list[CausalPath]:
        """Every condition and drug that leads to `finding`, optionally through mechanism `via`."""
        from b12kg.paths import causes_of

        return causes_of(self, finding, via=via)

    def rank_causes(self, findings: list[str | Entity], *, limit: int = 10) -> Differential:
        """Causes ranked by how well their expected findings fit the given ones."""
        from b12kg.paths import rank_causes

        return rank_causes(self, findings, limit=limit)

    def explain(self, *names: str | Entity, finding: str | Entity | None = None) -> Explanation:
        """A clinician-readable account of how the inputs can explain a low (or high) B12."""
        from b12kg.explain import explain

        return explain(self, list(names), finding=finding)

    def query(self, name: str, /, *, defaults: bool = True, **params: str) -> QueryResult:
        """Run queries/<name>.rq; parameter values are resolved and bound, never pasted."""
        query = get_query(name)
        return self.run_query(query, params, defaults=defaults)

    def run_query(
        self, query: QueryFile, params: dict[str, str], *, defaults: bool = True
    ) -> QueryResult:
        from b12kg.sparql import bind_parameters

        bindings = bind_parameters(self, query, params, use_defaults=defaults)
        result = self.backend.select(query, bindings, source=str(query.path))
        return result.renamed_parameters(query)


def load(
    source: str | os.PathLike[str] | None = None, *, graph: str | None = None
) -> KnowledgeGraph:
    """Load the knowledge graph.

    `None` loads the packaged `b12kg.ttl` (no server, no network); a path loads that file;
    an `http(s)://` URL reads a SPARQL endpoint holding the graph (optionally in named graph
    `graph`). All three give the same API.
    """
    if source is None:
        from b12kg.resources import ontology_file

        return KnowledgeGraph.from_backend(LocalBackend(ontology_file("b12kg.ttl")))
    text = os.fspath(source)
    if re.match(r"^https?://", text):
        return KnowledgeGraph.from_backend(RemoteBackend(text, graph=graph))
    return KnowledgeGraph.from_backend(LocalBackend(Path(text)))
