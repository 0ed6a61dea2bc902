"""The QC queries of queries/checks/: each row a built graph returns is a violation.

Every check returns the same columns (?entity ?property ?value, Mondo's convention), so all of
them feed one list of Problems, named after the check.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from b12kg.errors import Problem
from b12kg.sparql.embedded import run_local
from b12kg.sparql.library import checks
from b12kg.vocabulary import BASE


def store_from_graph(graph: Graph) -> ox.Store:
    """Copy an rdflib graph into an in-memory pyoxigraph store (via N-Triples, the fast path)."""
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _short(value: object) -> str:
    text = str(value)
    return text.rsplit("/", 1)[-1] if text.startswith(BASE) else text


def graph_problems(graph: Graph | ox.Store) -> list[Problem]:
    """Run every QC query; each row becomes a Problem named after its check."""
    store = graph if isinstance(graph, ox.Store) else store_from_graph(graph)
    problems: list[Problem] = []
    for name, query in checks().items():
        result = run_local(store, query.text, source=f"queries/checks/{name}.rq")
        for row in result.rows:
            problems.append(
                Problem(
                    file=f"check:{name}",
                    line=None,
                    field=_short(row.get("entity")),
                    message=f"{query.summary} ({_short(row.get('property'))} {_short(row.get('value'))})",
                )
            )
    return problems
