"""The facade: `load()` and `KnowledgeGraph`, the one object a notebook or the CLI holds.

It sits above the questions: a `KnowledgeGraph` is the loaded `GraphIndex` plus the questions
as methods, each handing itself down to `b12kg.questions`, which never import this module. A
request therefore moves down the stages — facade → questions → graph index → store — and does
not come back.

May import: `b12kg.questions`, `b12kg.graph`, `b12kg.sparql`, `b12kg.errors`.
"""

from __future__ import annotations

import os

from b12kg.graph.index import GraphIndex
from b12kg.sparql.backends import open_backend

TYPE_CHECKING = False  # typing's own flag, without importing typing on the trace path
if TYPE_CHECKING:
    from b12kg.graph.entities import Entity
    from b12kg.questions.assess import Assessment
    from b12kg.questions.cohort import CohortResult
    from b12kg.questions.differential import Differential
    from b12kg.questions.explain import Explanation
    from b12kg.questions.paths import CausalPath
    from b12kg.sparql.library import QueryFile
    from b12kg.sparql.results import QueryResult


class PathList(list):
    """A list of CausalPath that converts for notebooks: `.to_dataframe()`, `.records()`.

    Iterating gives the paths themselves; `pd.DataFrame(paths.records(flat=True))` or
    `paths.to_dataframe()` gives one flat row per path (`CausalPath.to_flat_record`).
    """

    def records(self, *, flat: bool = True) -> list[dict[str, object]]:
        return [p.to_flat_record() if flat else p.to_record() for p in self]

    def to_dataframe(self, *, flat: bool = True):  # -> pandas.DataFrame (imported only here)
        import pandas as pd

        return pd.DataFrame.from_records(self.records(flat=flat))


class KnowledgeGraph(GraphIndex):
    """The loaded graph and the questions asked of it.

    Build it with `b12kg.load()`. Every read works the same on a file and on an endpoint.
    """

    def paths(self, source: str | Entity, target: str | Entity | None = None) -> list[CausalPath]:
        """Every path from a condition or drug to a lab finding (serum total B12 by default)."""
        from b12kg.questions.paths import paths

        return PathList(paths(self, source, target))

    def status_paths(self, source: str | Entity) -> list[CausalPath]:
        """Paths to MMA, homocysteine, holoTC (or intracellular deficiency): the B12-status
        findings other than serum B12, for causes that do not reach serum B12 itself."""
        from b12kg.questions.paths import status_paths

        return PathList(status_paths(self, source))

    def causes_of(
        self, finding: str | Entity, *, via: str | Entity | None = None
    ) -> list[CausalPath]:
        """Every condition and drug that leads to `finding`, optionally through mechanism `via`."""
        from b12kg.questions.paths import causes_of

        return PathList(causes_of(self, finding, via=via))

    def rank_causes(
        self,
        findings: list[str | Entity],
        *,
        limit: int = 10,
        inputs: list[str | Entity] | tuple[str | Entity, ...] = (),
    ) -> Differential:
        """Causes ranked by how well their expected findings fit the given ones, in labelled
        sections; `inputs` (the patient's conditions and drugs) rank first in their section."""
        from b12kg.questions.differential import rank_causes
        from b12kg.vocabulary import CAUSE_KINDS

        own = [self.find(n, kinds=CAUSE_KINDS) for n in inputs]
        return rank_causes(self, findings, limit=limit, inputs=own)

    def assess(self, *items, limit: int = 10) -> Assessment:
        """One patient: lab values ('B12=150 pmol/L', 'MMA 0.6 umol/L', 'tHcy 18') classified
        against the sourced thresholds, then ranked with the conditions and drugs given."""
        from b12kg.questions.assess import assess

        return assess(self, list(items), limit=limit)

    def assess_cohort(self, rows, *, limit: int = 10, progress=None) -> CohortResult:
        """Many patients: a pandas DataFrame (patient_id, item, value, unit) or an iterable of
        (row number, patient_id, item, value, unit); one row per patient and candidate cause."""
        from b12kg.questions.cohort import assess_cohort, dataframe_rows

        if hasattr(rows, "columns"):
            rows = dataframe_rows(rows)
        return assess_cohort(self, rows, limit=limit, progress=progress)

    def explain(self, *names: str | Entity, finding: str | Entity | None = None) -> Explanation:
        """A clinician-readable account of how the inputs can explain a low (or high) B12."""
        from b12kg.questions.explain import explain

        return explain(self, list(names), finding=finding)

    def query(self, name: str, /, *, defaults: bool = True, **params: str) -> QueryResult:
        """Run queries/<name>.rq; parameter values are resolved and bound, never pasted."""
        from b12kg.sparql.library import get_query

        return self.run_query(get_query(name), params, defaults=defaults)

    def run_query(
        self, query: QueryFile, params: dict[str, str], *, defaults: bool = True
    ) -> QueryResult:
        """Run a parsed query file (a library query or the user's own) with bound parameters."""
        from b12kg.sparql.binding import bind_parameters

        bindings = bind_parameters(self, query, params, use_defaults=defaults)
        result = self.backend.select(query, bindings, source=str(query.path))
        return result.renamed_parameters(query)


def load(
    source: str | os.PathLike[str] | None = None,
    *,
    graph: str | None = None,
    timeout: float = 60.0,
) -> KnowledgeGraph:
    """Load the knowledge graph.

    `None` loads the packaged `b12kg.ttl` (no server, no network); a path loads that file;
    a directory opens the on-disk store `b12kg store` wrote there (read-only; b12kg, possibly
    merged with other ontologies); an `http(s)://` URL reads a SPARQL endpoint holding the
    graph (in named graph `graph`; by default the graph `b12kg load` writes,
    https://w3id.org/b12kg/, when the store holds it, else the store's default graph). All give
    the same API. `timeout` bounds each request to an
    endpoint (seconds, for the whole answer, however slowly it arrives).

    >>> kg = load()
    >>> kg.find("Addison-Biermer disease").id
    'pernicious_anemia'
    """
    if source is None:  # the packaged graph: its precomputed index, the store opened lazily
        from b12kg.graph.snapshot import INDEX_FILE
        from b12kg.resources import ontology_path
        from b12kg.sparql.backends import LazyLocalBackend

        ttl = ontology_path("b12kg.ttl")
        kg = KnowledgeGraph.from_snapshot(LazyLocalBackend(ttl), ontology_path(INDEX_FILE), ttl)
        if kg is not None:
            return kg
    backend = open_backend(source, graph=graph, timeout=timeout)
    if source is not None and os.path.isdir(source):  # an on-disk store: the index it carries
        from b12kg.graph.snapshot import INDEX_FILE

        kg = KnowledgeGraph.from_snapshot(backend, backend.path / INDEX_FILE, backend.path)
        if kg is not None:
            return kg
    return KnowledgeGraph.from_backend(backend)
