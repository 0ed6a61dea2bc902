"""Which store answers: the embedded one or an endpoint, chosen from the `source` a user gives.

Both backends take a query and bound terms and return the same `QueryResult`, so everything
above this stage works the same on the packaged file and on Virtuoso. SPARQLWrapper is
imported only when a URL is given.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing's own flag, without importing typing on the trace path
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Protocol

    import pyoxigraph as ox

    from b12kg.sparql.library import QueryFile
    from b12kg.sparql.results import QueryResult

    class Backend(Protocol):
        """Where SPARQL runs: the embedded store or an endpoint; both bind parameters alike.

        A protocol for type checkers only: the two backends (`embedded.LocalBackend` and its
        lazy variant, `remote.RemoteBackend`) share the shape, not a base class.
        """

        description: str

        def select(
            self,
            query: QueryFile | str,
            bindings: dict[str, ox.NamedNode | ox.Literal],
            *,
            source: str,
        ) -> QueryResult: ...


def open_backend(
    source: str | os.PathLike[str] | None, *, graph: str | None = None, timeout: float = 60.0
) -> Backend:
    """`None` → the packaged b12kg.ttl; an http(s) URL → that endpoint; a directory → the
    on-disk store there (`b12kg store`, read-only); else an RDF file."""
    if source is None:
        from b12kg.resources import ontology_file
        from b12kg.sparql.embedded import LocalBackend

        return LocalBackend(ontology_file("b12kg.ttl"))
    text = os.fspath(source)
    if text.startswith(("http://", "https://")):
        from b12kg.sparql.remote import RemoteBackend

        return RemoteBackend(text, graph=graph, timeout=timeout)
    from pathlib import Path

    if os.path.isdir(text):  # an on-disk store written by `b12kg store`, opened read-only
        from b12kg.sparql.ondisk import OnDiskBackend

        return OnDiskBackend(Path(text))
    from b12kg.sparql.embedded import LocalBackend

    return LocalBackend(Path(text))


class LazyLocalBackend:
    """The embedded store of `path`, parsed only when a query first runs.

    A graph read from its precomputed index (`b12kg.graph.snapshot`) needs no store for the
    path walk or name lookup; `query`, `store` and the endpoint open it on first use, so a
    trace never pays for pyoxigraph or the Turtle parse.
    """

    def __init__(self, path: Path):
        self.path = path
        self.description = str(path)
        self._backend = None

    def _opened(self):
        if self._backend is None:
            from b12kg.sparql.embedded import LocalBackend

            self._backend = LocalBackend(self.path)
        return self._backend

    @property
    def store(self) -> ox.Store:
        return self._opened().store

    def select(
        self, query: QueryFile | str, bindings: dict[str, ox.NamedNode | ox.Literal], *, source: str
    ) -> QueryResult:
        return self._opened().select(query, bindings, source=source)
