"""A graph of a handful of made-up causes and findings, built in memory, for tests where one
ranking rule alone must decide: each test gives two causes that differ in one respect only."""

from __future__ import annotations

from b12kg.graph.edges import EdgeIndex
from b12kg.graph.entities import Entity
from b12kg.graph.index import GraphIndex
from b12kg.vocabulary import BASE

FINDINGS = {
    # id: (analyte, direction)
    "serum_b12_decreased": ("serum B12", "decreased"),
    "serum_b12_increased": ("serum B12", "increased"),
    "mma_increased": ("MMA", "increased"),
    "mma_decreased": ("MMA", "decreased"),
    "hcy_increased": ("homocysteine", "increased"),
}


def tiny_graph(causes: dict[str, list[tuple[str, str, str]]]) -> GraphIndex:
    """`causes`: cause id -> [(first relation, finding id, strength)], each a one-mechanism chain.

    `("hasMechanism", "mma_increased", "probable")` draws cause —has mechanism→ m —leads to→
    finding, both links of that strength; `associatedWith` draws an association instead.
    """
    entities: dict[str, Entity] = {}

    def add(entity_id: str, kind: str, **extra: str) -> None:
        entities[entity_id] = Entity(
            iri=BASE + entity_id,
            id=entity_id,
            label=entity_id.replace("_", " "),
            kind=kind,
            **extra,
        )

    for finding, (analyte, direction) in FINDINGS.items():
        add(finding, "lab_finding", analyte=analyte, direction=direction)
    rows: list[dict[str, object]] = []

    def edge(subject: str, relation: str, obj: str, strength: str) -> None:
        rows.append(
            {
                "subject": BASE + subject,
                "relation": BASE + relation,
                "object": BASE + obj,
                "edge_kind": "causal",
                "source": BASE + "source/test",
                "strength": strength,
            }
        )

    for cause, chains in causes.items():
        add(cause, "disease")
        for number, (relation, finding, strength) in enumerate(chains):
            if relation == "associatedWith":
                edge(cause, "associatedWith", finding, strength)
                continue
            mechanism = f"{cause}_mechanism_{number}"
            add(mechanism, "mechanism")
            edge(cause, relation, mechanism, strength)
            edge(mechanism, "leadsTo", finding, strength)
    graph = GraphIndex(backend=None)  # type: ignore[arg-type]  # everything is in memory
    graph.entities.update(entities)
    graph._edges = EdgeIndex.from_rows(entities, rows)
    return graph
