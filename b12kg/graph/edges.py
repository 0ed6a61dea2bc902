"""The causal edges of the graph, indexed by subject and by object, each with its evidence.

Built once from the rows of `queries/causal-edges.rq`, so the walk and SPARQL cannot disagree
silently: a remote store feeds the same index through the same query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from b12kg.frozen import frozen
from b12kg.graph.entities import Source
from b12kg.vocabulary import local_name as _local

STRENGTH_ORDER = {"established": 3, "probable": 2, "limited": 1, "disputed": 0}


@frozen
class Evidence:
    """Why a step is believed: sources (ids), verbatim seed quotes, strength, curator notes, and
    the conditions under which the sources say it holds."""

    sources: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    strength: str = ""
    notes: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()

    def to_record(self, sources: Mapping[str, Source] | None = None) -> dict[str, object]:
        cited: list[dict[str, object]] = []
        for source_id in self.sources:
            source = sources.get(source_id) if sources else None
            cited.append(
                {
                    "id": source_id,
                    "title": source.title if source else None,
                    "citation": (source.citation or None) if source else None,
                    "identifiers": list(source.identifiers) if source else [],
                }
            )
        return {
            "sources": cited,
            "quotes": list(self.quotes),
            "strength": self.strength or None,
            "notes": list(self.notes),
            "conditions": list(self.conditions),
        }


@frozen
class Edge:
    subject: str
    relation: str  # local name: hasMechanism, leadsTo, …
    object: str
    kind: str  # causal | association | consequence | structural
    evidence: Evidence


class EdgeIndex:
    """Edges by subject and by object, built once from the causal-edges query rows."""

    def __init__(self) -> None:
        self.outgoing: dict[str, list[Edge]] = defaultdict(list)
        self.incoming: dict[str, list[Edge]] = defaultdict(list)

    @classmethod
    def from_rows(cls, entities: Mapping[str, object], rows: list[dict[str, object]]) -> EdgeIndex:
        grouped: dict[tuple[str, str, str, str], dict[str, set[str]]] = {}
        for row in rows:
            key = (
                _local(row["subject"]),
                _local(row["relation"]),
                _local(row["object"]),
                str(row["edge_kind"]),
            )
            bucket = grouped.setdefault(
                key,
                {
                    "sources": set(),
                    "quotes": set(),
                    "strength": set(),
                    "notes": set(),
                    "conditions": set(),
                },
            )
            if row.get("source"):
                bucket["sources"].add(str(row["source"]).rsplit("/", 1)[-1])
            for column, name in (
                ("quote", "quotes"),
                ("strength", "strength"),
                ("note", "notes"),
                ("condition", "conditions"),
            ):
                if row.get(column):
                    bucket[name].add(str(row[column]))
        index = cls()
        for (subject, relation, obj, kind), bucket in sorted(grouped.items()):
            if subject not in entities or obj not in entities:
                continue
            evidence = Evidence(
                sources=tuple(sorted(bucket["sources"])),
                quotes=tuple(sorted(bucket["quotes"])),
                strength=min(
                    bucket["strength"], key=lambda s: STRENGTH_ORDER.get(s, -1), default=""
                ),
                notes=tuple(sorted(bucket["notes"])),
                conditions=tuple(sorted(bucket["conditions"])),
            )
            edge = Edge(subject, relation, obj, kind, evidence)
            index.outgoing[subject].append(edge)
            index.incoming[obj].append(edge)
        return index
