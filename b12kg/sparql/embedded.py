"""The embedded store: pyoxigraph in memory, read from a packaged or named RDF file.

This is the default everywhere (no server, no network). Parameters are bound before
evaluation: written into the WHERE group as constants serialised by pyoxigraph
(`binding.substitute_terms`), or through pyoxigraph's substitutions where the rewrite does not
apply.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from b12kg.errors import QuerySyntaxError, UsageError
from b12kg.inputs import MAX_GRAPH_BYTES, checked_file
from b12kg.sparql.binding import substitute_terms, values_block
from b12kg.sparql.library import QueryFile
from b12kg.sparql.results import QueryResult

_ERROR_POSITION = re.compile(r"error at (\d+):(\d+)")

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
        raise UsageError(f"cannot load {path.name[:80]}: expected .ttl, .nt, .owl or .rdf")
    checked_file(path, what="graph file", max_bytes=MAX_GRAPH_BYTES)
    if rdf_format == ox.RdfFormat.RDF_XML:
        refuse_entity_expansion(path)
    store = ox.Store()
    try:
        store.extend(ox.parse(path=str(path), format=rdf_format, rename_blank_nodes=False))
    except SyntaxError as error:
        raise UsageError(f"{path} is not valid RDF: {error}") from None
    return store


def refuse_entity_expansion(path: Path, head: bytes | None = None) -> None:
    """Refuse RDF/XML whose DOCTYPE defines entities in terms of other entities ("billion
    laughs": a few hundred bytes that expand to gigabytes in the parser). Plain prefix entities,
    as the OWL API writes them (`<!ENTITY obo "http://…">`), stay allowed. `head` is the
    file's first megabyte when the caller has it (a compressed file, decompressed)."""
    if head is None:
        with open(path, "rb") as stream:
            head = stream.read(1_000_000)
    doctype = re.search(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", head, flags=re.S)
    if doctype is None:
        return
    for value in re.findall(
        rb"<!ENTITY\s+%?\s*[\w.-]+\s+(?:SYSTEM\s+)?[\"']([^\"']*)[\"']", doctype.group(1)
    ):
        if b"&" in value or b"%" in value:
            raise UsageError(
                f"{path}: its DOCTYPE defines entities that expand other entities; refused "
                "(entity expansion can exhaust memory)"
            )
    if re.search(rb"<!ENTITY[^>]*\bSYSTEM\b", doctype.group(1)):
        raise UsageError(f"{path}: its DOCTYPE defines external entities; refused")


def syntax_error(error: SyntaxError, source: str) -> QuerySyntaxError:
    """Turn pyoxigraph's parser message into our error with line and column."""
    message = str(error)
    position = _ERROR_POSITION.search(message)
    line, column = (int(position.group(1)), int(position.group(2))) if position else (None, None)
    detail = message.split(": ", 1)[1] if ": " in message else message
    return QuerySyntaxError(detail, source=source, line=line, column=column)


def run_local(
    store: ox.Store,
    text: str,
    *,
    bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
    source: str = "query",
) -> QueryResult:
    """Run a SELECT on a pyoxigraph store, binding parameters before evaluation."""
    solutions = None
    if bindings:
        # Bound terms go into the text as constants (serialised by pyoxigraph, never user
        # text): pyoxigraph's planner does not use `substitutions` to choose where to start,
        # so a bound IRI would otherwise cost a scan of every triple with that shape (a query
        # about one condition took 240 ms on b12kg + 200k foreign triples, 2.7 ms inlined).
        constant = substitute_terms(text, bindings)
        if constant is not None:
            try:
                solutions = store.query(constant)
            except SyntaxError:  # a form the rewrite does not cover: bind as before
                solutions = None
            except (OSError, ValueError, RuntimeError) as error:
                raise UsageError(f"{source}: the query could not be evaluated: {error}") from None
    if solutions is None:
        substitutions = {ox.Variable(name): value for name, value in (bindings or {}).items()}
        try:
            solutions = store.query(text, substitutions=substitutions or None)
        except SyntaxError as error:
            raise syntax_error(error, source) from None
        except (OSError, ValueError, RuntimeError) as error:  # the engine refused to evaluate it
            # pyoxigraph 0.5 takes substitutions only for projected variables; a parameter
            # copied to its column (`BIND(?__x_iri AS ?x)`) is not one: a trailing VALUES
            # block binds it the way an endpoint would
            solutions = _late_bound(store, text, bindings) if bindings else None
            if solutions is None:
                raise UsageError(f"{source}: the query could not be evaluated: {error}") from None
    if isinstance(solutions, ox.QueryBoolean):
        return QueryResult([], [], [], boolean=bool(solutions))
    if not isinstance(solutions, ox.QuerySolutions):
        raise UsageError(f"{source}: only SELECT and ASK queries are supported here")
    columns = [v.value for v in solutions.variables]
    terms = [{c: solution[c] for c in columns} for solution in solutions]
    for name, value in (bindings or {}).items():
        if name in columns:
            for row in terms:
                row[name] = value
    return QueryResult.from_terms(columns, terms)


def _late_bound(
    store: ox.Store, text: str, bindings: dict[str, ox.NamedNode | ox.Literal]
) -> ox.QuerySolutions | ox.QueryBoolean | None:
    """`text` with `bindings` as a trailing VALUES block (SPARQL 1.1 §18.2.4), or None."""
    try:
        return store.query(text + values_block(bindings))  # type: ignore[return-value]
    except (SyntaxError, OSError, ValueError, RuntimeError):
        return None


def store_from_bytes(data: bytes, rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE) -> ox.Store:
    """An in-memory store of serialised RDF (the build's own bytes), blank-node labels kept."""
    store = ox.Store()
    store.extend(ox.parse(data, format=rdf_format, rename_blank_nodes=False))
    return store


class StoreBackend:
    """A pyoxigraph store already in hand (the build indexing the graph it just serialised);
    the file and on-disk backends are this, with the store opened for them."""

    def __init__(self, store: ox.Store, description: str = "in-memory store"):
        self.store = store
        self.description = description

    def select(
        self, query: QueryFile | str, bindings: dict[str, ox.NamedNode | ox.Literal], *, source: str
    ) -> QueryResult:
        text = query.text if isinstance(query, QueryFile) else query
        return run_local(self.store, text, bindings=bindings, source=source)


class LocalBackend(StoreBackend):
    """An in-memory pyoxigraph store loaded from a file."""

    def __init__(self, path: Path):
        super().__init__(read_store(path), str(path))
        self.path = path
