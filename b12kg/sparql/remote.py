"""SELECT on a SPARQL endpoint through SPARQLWrapper, giving the rows `run_local` gives.

Values come back as the plain Python values `b12kg.sparql.results.python_value` makes of pyoxigraph
terms, so a caller cannot tell which backend answered. What this module smooths over:

- Virtuoso's JSON results use the old `typed-literal` type and return booleans as 1/0;
- with no graph named Virtuoso queries every graph, its system graphs included, so the
  backend's graph is always sent as `default-graph-uri`; with none given, the graph `b12kg
  load` writes (`LOAD_GRAPH`) is used when the store holds it;
- Virtuoso silently cuts answers at `ResultSetMaxRows` (10,000 by default) with HTTP 200; the
  only sign is an `X-SPARQL-MaxRows` header. A truncated answer is an error here, never rows;
- bound terms are sent as constants in the WHERE group (`binding.substitute_terms`: the term
  as pyoxigraph serialises it, never user text), so the store's planner can start from them.
  Where that rewrite does not apply, a VALUES block goes at the end of the top-level WHERE
  group: Virtuoso 7.2 ignores or mis-joins a trailing `VALUES` block in many queries (those
  with OPTIONAL, UNION, BIND or an inner VALUES; it returned 35-1,059 rows where the bound
  query has 11-66), and that placement is also what binding before evaluation means;
- SPARQLWrapper guesses the query type from keywords (a SELECT mentioning ADD goes out as
  an update); the type is set explicitly instead;
- failures are b12kg errors (QuerySyntaxError for a query the endpoint cannot parse,
  EndpointError for everything else), never a raw traceback.
"""

from __future__ import annotations

import ast
import functools
import http.client
import json
import re
import socket
import time
import urllib.error
from typing import Any

import pyoxigraph as ox

from b12kg.errors import EndpointError, QuerySyntaxError, UsageError
from b12kg.sparql.binding import skip_opaque, substitute_terms, values_block
from b12kg.sparql.library import QueryFile
from b12kg.sparql.results import QueryResult, python_value

#: An answer larger than this is refused rather than held in memory (the library's largest is
#: a few MB; an endpoint that streams without end must not exhaust the machine).
MAX_ANSWER_BYTES = 256 * 1024 * 1024
# Virtuoso's default `[SPARQL] ResultSetMaxRows`: an answer of exactly this size is taken to be cut.
VIRTUOSO_ROW_CAP = 10_000
_XSD = "http://www.w3.org/2001/XMLSchema#"
_LINE = re.compile(r"\bline (\d+)(?:,? column (\d+))?", re.IGNORECASE)
_SYNTAX = re.compile(
    r"syntax error|parse error|lexical error|37000|SP030|encountered", re.IGNORECASE
)


def remote_select(backend: Any, text: str, *, source: str, bound: dict[str, Any]) -> QueryResult:
    """Run the SELECT `text` on `backend.url` (POST, SPARQL JSON results).

    `backend.graph`, when set, is sent as `default-graph-uri`; `backend.timeout` bounds the
    request (seconds). `bound` holds the bound terms (`bound_text` puts them into the query):
    projected bound variables carry the bound value, as on the embedded store.
    """
    from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    if bound:
        text = bound_text(text, bound)
    url = backend.url
    timeout = getattr(backend, "timeout", 60) or 60
    graph = getattr(backend, "graph", None)

    wrapper = SPARQLWrapper(url, agent="b12kg (SPARQLWrapper)")
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    # Accept header only: a `format=json` parameter makes Virtuoso prepend a line to the query,
    # which shifts the line numbers of its syntax errors.
    wrapper.setOnlyConneg(True)
    wrapper.setTimeout(max(1, int(timeout)))
    if graph:
        wrapper.addParameter("default-graph-uri", graph)
    wrapper.setQuery(text)
    # SPARQLWrapper guesses the query form with a regex that skips only every other comment
    # line, so a word such as "describe" or "added" in a `#+` header made it send a SELECT as
    # DESCRIBE (XML back) or as an update. This function runs SELECTs only.
    wrapper.queryType = SELECT

    try:
        started = time.monotonic()
        result = wrapper.query()
        headers = {k.lower(): v for k, v in result.response.getheaders()}
        body = _read_bounded(
            result.response,
            deadline=started + timeout,
            max_bytes=getattr(backend, "max_bytes", MAX_ANSWER_BYTES),
            url=url,
            source=source,
        )
    except SPARQLWrapperException as error:
        raise _wrapper_error(error, url, source) from None
    except urllib.error.HTTPError as error:
        raise _http_error(error.code, _read(error), url, source) from None
    except urllib.error.URLError as error:
        raise EndpointError(
            f"cannot reach the SPARQL endpoint {url}: {_reason(error.reason)}"
        ) from None
    except TimeoutError:
        raise EndpointError(
            f"the SPARQL endpoint {url} did not answer within {timeout} s ({source})"
        ) from None
    except (OSError, ValueError, http.client.HTTPException) as error:  # reset, bad URL, garbage
        raise EndpointError(f"cannot query the SPARQL endpoint {url}: {error}") from None

    try:
        document = json.loads(body.decode("utf-8"))
        if isinstance(document.get("boolean"), bool):  # an ASK
            return QueryResult([], [], [], boolean=document["boolean"])
        columns = [str(v) for v in document["head"].get("vars", [])]
        bindings = document["results"]["bindings"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        start = body[:200].decode("utf-8", "replace").strip()
        raise EndpointError(
            f"{url} did not answer {source} with SPARQL JSON results; it sent: {start!r}"
        ) from None

    cap = headers.get("x-sparql-maxrows")
    if cap is not None or len(bindings) == VIRTUOSO_ROW_CAP:
        limit = cap or str(VIRTUOSO_ROW_CAP)
        raise EndpointError(
            f"{url} truncated the answer to {source} at {limit} rows (Virtuoso's ResultSetMaxRows); "
            "the result would be incomplete: raise ResultSetMaxRows in the [SPARQL] section of "
            "virtuoso.ini, or use a query returning fewer rows"
        )

    rows = [{c: _value(binding.get(c)) for c in columns} for binding in bindings]
    terms = [{c: _term(binding.get(c)) for c in columns} for binding in bindings]
    for name, term in bound.items():
        if name in columns:
            value = python_value(term)
            for row, row_terms in zip(rows, terms, strict=True):
                row[name] = value
                row_terms[name] = term
    return QueryResult(columns, rows, terms)


def _read_bounded(
    response: Any, *, deadline: float, max_bytes: int, url: str, source: str
) -> bytes:
    """The answer's bytes, refused when it outgrows `max_bytes` or arrives after `deadline`.

    The socket timeout bounds each wait, not the whole answer: an endpoint trickling a byte a
    second would never trip it, so the deadline is checked between reads (`read1` returns
    whatever has arrived rather than waiting for a full buffer).
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise EndpointError(
                f"{url} sent more than {max_bytes:,} bytes for {source}; refused (an answer that "
                "large is not one of ours)"
            )
        if time.monotonic() > deadline:
            raise EndpointError(
                f"{url} did not finish answering {source} within the time limit "
                f"({size:,} bytes so far)"
            )
        chunks.append(chunk)


def _value(term: dict[str, str] | None) -> object:
    """A SPARQL JSON term as `python_value` would give the equivalent pyoxigraph term."""
    if term is None:
        return None
    kind = term.get("type")
    value = term.get("value", "")
    if kind == "uri":
        return value
    if kind == "bnode":
        return "_:" + value.removeprefix("nodeID://")
    datatype = term.get("datatype")
    if kind in ("literal", "typed-literal") and datatype and not term.get("xml:lang"):
        if datatype == _XSD + "boolean":
            return value.strip() in ("true", "1")
        try:
            return python_value(ox.Literal(value, datatype=ox.NamedNode(datatype)))
        except ValueError:  # an invalid datatype IRI or lexical form: keep the text
            return value
    return value


def _term(term: dict[str, str] | None) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """A SPARQL JSON term as the pyoxigraph term it names (Virtuoso's `typed-literal` and
    1/0 booleans read as the standard form); text pyoxigraph refuses stays a plain literal."""
    if term is None:
        return None
    kind = term.get("type")
    value = str(term.get("value", ""))
    datatype = term.get("datatype")
    try:
        if kind == "uri":
            return ox.NamedNode(value)
        if kind == "bnode":
            return ox.BlankNode(value.removeprefix("nodeID://"))
        if term.get("xml:lang"):
            return ox.Literal(value, language=str(term["xml:lang"]))
        if datatype == _XSD + "boolean" and value.strip() in ("1", "0"):
            value = "true" if value.strip() == "1" else "false"
        if datatype:
            return ox.Literal(value, datatype=ox.NamedNode(datatype))
    except ValueError:
        pass
    return ox.Literal(value)


def _read(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read() or b""
    except OSError:
        return b""


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason})"
    return str(reason)


def _wrapper_error(error: Exception, url: str, source: str) -> Exception:
    """SPARQLWrapper keeps the status only in the class and the body only in the message."""
    name = type(error).__name__
    status = {
        "QueryBadFormed": 400,
        "Unauthorized": 401,
        "EndPointNotFound": 404,
        "URITooLong": 414,
        "EndPointInternalError": 500,
    }.get(name)
    message = str(error)
    body = b""
    if "Response:\n" in message:
        shown = message.split("Response:\n", 1)[1].strip()
        try:
            parsed = ast.literal_eval(shown)
            body = parsed if isinstance(parsed, bytes) else str(parsed).encode()
        except (ValueError, SyntaxError):
            body = shown.encode()
    if status is None:
        return EndpointError(f"the SPARQL endpoint {url} failed on {source}: {message}")
    return _http_error(status, body, url, source)


def _http_error(status: int, body: bytes, url: str, source: str) -> Exception:
    text = body.decode("utf-8", "replace").strip()
    # Virtuoso echoes the query after its message: keep only the message.
    message = text.split("\n\nSPARQL query:", 1)[0].strip() or f"HTTP {status}"
    message = re.sub(r"\s+", " ", message)[:500]
    if status == 400 and _SYNTAX.search(message):
        position = _LINE.search(message)
        error = QuerySyntaxError(message, source=source, line=None, column=None)
        if position:  # Virtuoso names the line but no column; the message already says it
            error.line = int(position.group(1))
            error.column = int(position.group(2)) if position.group(2) else None
        return error
    if status == 400:
        return EndpointError(f"{url} rejected {source} (HTTP 400): {message}")
    if status in (401, 403):
        return EndpointError(f"{url} refused {source} (HTTP {status}, not authorised): {message}")
    if status == 404:
        return EndpointError(f"no SPARQL endpoint at {url} (HTTP 404)")
    return EndpointError(f"the SPARQL endpoint {url} failed on {source} (HTTP {status}): {message}")


def inline_values(text: str, block: str) -> str:
    """Move a trailing VALUES `block` to the end of the query's top-level WHERE group.

    The query is scanned with strings, IRIs and comments skipped; if the block is not at the end
    of `text` or the WHERE group cannot be found, `text` is returned unchanged.
    """
    if not block or not text.endswith(block):
        return text
    body = text[: -len(block)]
    close = _where_end(body)
    if close is None:
        return text
    return body[:close] + "\n  " + block.strip() + "\n" + body[close:]


def _where_end(text: str) -> int | None:
    """Index of the `}` closing the first top-level `{ … }` group, or None."""
    depth = 0
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        skipped = skip_opaque(text, i)
        if skipped is not None:
            i = skipped
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
            if depth < 0:
                return None
        i += 1
    return None


#: the named graph `b12kg load` writes by default, and what `--source URL` reads unless told
LOAD_GRAPH = "https://w3id.org/b12kg/"


class RemoteBackend:
    """A SPARQL 1.1 endpoint, read with SPARQLWrapper.

    Bound terms go in as constants (`bound_text`). With no `graph` named, the first query asks
    whether the store holds `LOAD_GRAPH` (where `b12kg load` writes) and, if it does, reads
    that graph alone: a store's default graph is often the union of every graph it holds
    (Virtuoso's includes its system graphs, and whatever else was loaded beside b12kg). A store
    without that graph (`b12kg serve`, b12kg in a default graph) is read as it is.
    `graph=""` asks for the store's default graph explicitly.
    """

    def __init__(
        self,
        url: str,
        *,
        graph: str | None = None,
        timeout: float = 60.0,
        max_bytes: int = MAX_ANSWER_BYTES,
    ):
        if not (isinstance(timeout, (int, float)) and 0 < timeout < 86_400):  # nan fails too
            raise UsageError(f"timeout must be between 0 and 86400 seconds, got {timeout!r}")
        self.url = url
        self.graph = graph or None
        self.timeout = float(timeout)
        self.max_bytes = max_bytes
        self._graph_known = graph is not None
        self.description = url + (f" (graph {graph})" if graph else "")

    def select(
        self, query: QueryFile | str, bindings: dict[str, ox.NamedNode | ox.Literal], *, source: str
    ) -> QueryResult:
        if not self._graph_known:
            self._choose_graph()
        text = query.text if isinstance(query, QueryFile) else query
        return remote_select(self, text, source=source, bound=dict(bindings))

    def _choose_graph(self) -> None:
        probe = f"SELECT ?s WHERE {{ GRAPH <{LOAD_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1"
        try:
            held = bool(remote_select(self, probe, source="graph probe", bound={}).rows)
        except (EndpointError, QuerySyntaxError):  # refused (e.g. no GRAPH): the real query says
            held = False
        self._graph_known = True
        if held:
            self.graph = LOAD_GRAPH
            self.description = f"{self.url} (graph {LOAD_GRAPH})"


@functools.lru_cache(maxsize=256)
def _parses(text: str) -> bool:
    try:
        ox.Store().query(text)  # an empty store: this checks the syntax, it evaluates nothing
    except SyntaxError:
        return False
    return True


def bound_text(text: str, bound: dict[str, Any]) -> str:
    """`text` with `bound` terms as constants in its WHERE group (`substitute_terms`), if the
    result is SPARQL pyoxigraph parses; else with a VALUES block at the end of the WHERE group.
    """
    constant = substitute_terms(text, bound)
    if constant is not None and _parses(constant):
        return constant
    return inline_values(text + values_block(bound), values_block(bound))
