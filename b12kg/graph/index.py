"""The loaded graph as an in-memory index: entities, sources, is-a parents, names, edges.

Whatever the store, the index is read through the same library queries (entities,
entity-names, entity-parents, causal-edges, sources), so name lookup and the path walk behave
identically on the embedded store and on Virtuoso. The questions (`b12kg.questions`) read only
this index; they never run SPARQL themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection

from b12kg.graph.edges import EdgeIndex
from b12kg.graph.entities import Entity, Source
from b12kg.graph.names import NameIndex
from b12kg.vocabulary import local_name as _local

TYPE_CHECKING = False  # typing's own flag, without importing typing on the trace path
if TYPE_CHECKING:
    from pathlib import Path

    from b12kg.graph.tables import DecisionTables
    from b12kg.sparql.backends import Backend
    from b12kg.sparql.results import QueryResult


class GraphIndex:
    """Entities by id, their names, is-a parents, cited sources, and the causal edge index."""

    def __init__(
        self,
        backend: Backend,
        entities: dict[str, Entity] | None = None,  # by id
        sources: dict[str, Source] | None = None,  # by id
        parents: dict[str, set[str]] | None = None,  # child id -> parent ids
        _names: NameIndex | None = None,
        _edges: EdgeIndex | None = None,
        *,
        on_notice: Callable[[str], None] | None = None,
    ):
        self.backend = backend
        self.entities = {} if entities is None else entities
        self.sources = {} if sources is None else sources
        self.parents = {} if parents is None else parents
        self._names = _names
        self._edges = _edges
        self._tables: DecisionTables | None = None
        #: notices from name lookup ("taking 'X' for 'Y'"), newest last; `on_notice` sees each
        self.notices: list[str] = []
        self.on_notice = on_notice

    def __repr__(self) -> str:
        where = str(getattr(self.backend, "description", type(self.backend).__name__))
        if "://" not in where:
            where = where.replace("\\", "/").rsplit("/", 1)[-1]  # the file name, not its folder
        return (
            f"<{type(self).__name__} {len(self.entities)} entities, {self.edge_count} edges "
            f"from {where}>"
        )

    @property
    def edge_count(self) -> int:
        return sum(len(out) for out in self.edges.outgoing.values())

    @classmethod
    def from_backend(cls, backend: Backend) -> GraphIndex:
        index = cls(backend=backend)
        index._read()
        return index

    @classmethod
    def from_snapshot(cls, backend: Backend, index_file: Path, ttl: Path) -> GraphIndex | None:
        """The index precomputed by the build (`b12kg.graph.snapshot`) for the `.ttl` file
        `ttl` that `backend` holds; None when the file is missing or was built from other bytes.
        """
        from b12kg.graph.snapshot import read_index

        index = cls(backend=backend)
        return index if read_index(index, index_file, ttl) else None

    def select(self, name: str) -> QueryResult:
        """Run library query `name` unbound (the index queries take no parameters)."""
        from b12kg.sparql.library import get_query

        query = get_query(name)
        return self.backend.select(query, {}, source=f"queries/{name}.rq").renamed_parameters(query)

    def _read(self) -> None:
        names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in self.select("entity-names").rows:
            names[_local(str(row["entity"]))].append((str(row["type"]), str(row["name"])))
        for row in self.select("entities").rows:
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
        for row in self.select("entity-parents").rows:
            self.parents.setdefault(_local(str(row["child"])), set()).add(
                _local(str(row["parent"]))
            )
        identifiers: dict[str, list[str]] = defaultdict(list)
        details: dict[str, dict[str, object]] = {}
        for row in self.select("sources").rows:
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

    @property
    def names(self) -> NameIndex:
        """Name lookup, built on first use (a trace by id never pays for it)."""
        if self._names is None:
            self._names = NameIndex(self.entities, caused_by=self._caused_by)
        return self._names

    def _caused_by(self, organism_id: str) -> list[str]:
        return [
            e.subject
            for e in self.edges.incoming.get(organism_id, ())
            if e.relation == "hasCausalAgent"
        ]

    @property
    def edges(self) -> EdgeIndex:
        """The causal edge index, read once from queries/causal-edges.rq."""
        if self._edges is None:
            self._edges = EdgeIndex.from_rows(self.entities, self.select("causal-edges").rows)
        return self._edges

    @property
    def tables(self) -> DecisionTables:
        """The decision tables (thresholds, frequencies) the build wrote beside the graph."""
        if self._tables is None:
            from b12kg.graph.tables import TABLES_FILE, DecisionTables
            from b12kg.resources import ontology_file

            self._tables = DecisionTables.read(ontology_file(TABLES_FILE))
        return self._tables

    # --- finding entities ------------------------------------------------------------------

    def find(self, name: str | Entity, *, kinds: Collection[str] | None = None) -> Entity:
        """An entity by label, synonym, cross-reference (DOID:…, D51.0, ATC code), id or IRI.

        Case-, accent- and punctuation-insensitive; a unique whole word or phrase, or one
        clear misspelling, is accepted with a notice (see `b12kg.graph.names`). `kinds`
        limits the answer to those kinds (an organism then stands for the infection it
        causes). Raises UnknownEntity with the closest names of those kinds when nothing
        matches, AmbiguousName when a name fits several entities.

        >>> import b12kg
        >>> b12kg.load().find("Addison-Biermer disease").id
        'pernicious_anemia'
        """
        if isinstance(name, Entity):
            return name
        match = self.names.resolve(name, kinds=kinds)
        if match.notice:
            self.notices.append(match.notice)
            if self.on_notice is not None:
                self.on_notice(match.notice)
        return match.entity

    def search(self, text: str, *, limit: int = 10) -> list[Entity]:
        """Entities whose names contain `text`, best first (see `NameIndex.search`)."""
        return self.names.search(text, limit=limit)

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
        """Curated descendants (inverse is-a), nearest first."""
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
