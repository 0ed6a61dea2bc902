"""`b12kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the embedded graph.

Safe to expose on a workstation, by construction:

* **Read-only.** Queries run only through `Store.query()`, which cannot execute SPARQL Update,
  on a private in-memory copy of the graph held by each worker process. Every Update form
  (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD, WITH) is refused up front with
  403, so users get a clear message rather than a parse error.
* **No outbound requests.** `SERVICE` is refused with 400 before a query reaches the engine
  (pyoxigraph would otherwise call the remote endpoint). On Linux the workers also run in
  their own empty network namespace, so a query that slipped past the check still has no
  network. `FROM` / `FROM NAMED` are refused with 400 (the endpoint serves one graph;
  pyoxigraph never fetches them, but silently empty answers help nobody), and so are the
  protocol's `default-graph-uri` / `named-graph-uri` parameters.
* **Bounded.** A per-query time limit is enforced by killing the worker process that runs
  the query (pyoxigraph cannot cancel a query) and starting a fresh one (503). Results stop
  streaming after `max_rows` (413). Request bodies over `max_body` (413), URLs over 8 kB (414)
  and more than `max_connections` concurrent connections are refused or wait.

The check for Update, SERVICE and FROM is a small SPARQL lexer (`check_query`). It skips
comments, strings and IRIs exactly as the SPARQL grammar defines them and then errs on the
side of refusing: a forbidden keyword is found even inside a longer bare word or a prefix
name, because pyoxigraph reads `SERVICE:x {…}` and `SERVICESILENT<…>{…}` as SERVICE calls.

Protocol: `GET /sparql?query=…`, `POST /sparql` as `application/x-www-form-urlencoded` or
`application/sparql-query`. SELECT/ASK answer in SPARQL JSON (default), XML, CSV or TSV;
CONSTRUCT/DESCRIBE in Turtle (default), N-Triples, JSON-LD or RDF/XML, chosen by `Accept` or
by a `format=` parameter (`json`, `xml`, `csv`, `tsv`, `turtle`, `nt`, `jsonld`, `rdfxml` or
a media type). `GET /sparql` without a query returns the service description; `GET /` is a
query page for people; `GET /queries/<name>.rq` returns a library query.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import ipaddress
import json
import queue
import re
import socket
import sys
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

MAX_URL = 8 * 1024
_ROW_LIMIT_HINT = "add a LIMIT (and ORDER BY) to the query, or page with OFFSET"

# --- formats and content negotiation ----------------------------------------------------------

# key -> (media type sent, pyoxigraph format name)
RESULT_FORMATS = {
    "json": ("application/sparql-results+json", "JSON"),
    "xml": ("application/sparql-results+xml", "XML"),
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "tsv": ("text/tab-separated-values; charset=utf-8", "TSV"),
}
GRAPH_FORMATS = {
    "turtle": ("text/turtle; charset=utf-8", "TURTLE"),
    "ntriples": ("application/n-triples", "N_TRIPLES"),
    "jsonld": ("application/ld+json", "JSON_LD"),
    "rdfxml": ("application/rdf+xml", "RDF_XML"),
}
_RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",  # Turtle is a subset of N3
    "text/rdf+n3": "turtle",
    "application/n3": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
_FORMAT_NAMES = {
    "results": {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", **_RESULT_MEDIA},
    "graph": {
        "turtle": "turtle",
        "ttl": "turtle",
        "n3": "turtle",
        "nt": "ntriples",
        "ntriples": "ntriples",
        "n-triples": "ntriples",
        "jsonld": "jsonld",
        "json-ld": "jsonld",
        "json": "jsonld",
        "rdfxml": "rdfxml",
        "rdf+xml": "rdfxml",
        "rdf": "rdfxml",
        "xml": "rdfxml",
        **_GRAPH_MEDIA,
    },
}


class Refused(Exception):
    """A request the endpoint will not run; `status` and a message meant for the user."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _accept_ranges(accept: str) -> list[str]:
    """Media ranges of an Accept header, best first (stable for equal q); q=0 dropped."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        fields = part.strip().split(";")
        media = fields[0].strip().lower()
        if not media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, media))
    return [media for _, _, media in sorted(ranked)]


def negotiate(kind: str, accept: str | None, format_values: list[str]) -> str:
    """The format key for `kind` ("results" or "graph"); Refused(406) if nothing fits."""
    table = RESULT_FORMATS if kind == "results" else GRAPH_FORMATS
    if format_values:
        names = _FORMAT_NAMES[kind]
        for value in format_values:
            key = names.get(value.strip().lower())
            if key:
                return key
        raise Refused(
            406,
            f"format={format_values[0]!r} is not available for this query; "
            f"use one of: {', '.join(table)}",
        )
    if not accept or not accept.strip():
        return next(iter(table))
    media_table = _RESULT_MEDIA if kind == "results" else _GRAPH_MEDIA
    for media in _accept_ranges(accept):
        if media in media_table:
            return media_table[media]
        if media == "*/*":
            return next(iter(table))
        if media.endswith("/*"):
            for key, (sent, _) in table.items():
                if sent.startswith(media[:-1]):
                    return key
    offered = ", ".join(sent.split(";")[0] for sent, _ in table.values())
    raise Refused(406, f"cannot answer in any format of Accept: {accept}; available: {offered}")


# --- the query check: Update, SERVICE, FROM ---------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\[tbnrf\\"']))*'''
             |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\[tbnrf\\"']))*\"\"\"
             |'(?:[^'\\\r\n]|\\[tbnrf\\"'])*'
             |"(?:[^"\\\r\n]|\\[tbnrf\\"'])*")
  | (?P<var>[?$]\w+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<pname>[\w.-]*:(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>\w+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")
_UPDATE = re.compile("|".join((*UPDATE_KEYWORDS, "WITH")))
_FORM = {"SELECT": "results", "ASK": "results", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _bare_words(text: str) -> tuple[list[str], list[str], list[str]]:
    """(bare words, name parts, significant tokens), upper-cased, outside comments, strings,
    IRIs and variables.

    Name parts are the prefix of each prefixed name and each segment after a dot in its
    local part: pyoxigraph reads `SERVICE:x` as the keyword SERVICE then `:x`."""
    words: list[str] = []
    parts: list[str] = []
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        value = match.group()
        tokens.append(value.upper() if kind in ("word", "pname") else kind or "")
        if kind == "word":
            words.append(value.upper())
        elif kind == "pname":
            prefix, _, local = value.upper().partition(":")
            parts.append(prefix)
            parts.extend(local.split(".")[1:])
    return words, parts, tokens


def _unescape(text: str) -> str:
    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code < 0x110000 else match.group()

    return _CODEPOINT.sub(character, text)


class QueryCheck(NamedTuple):
    """What the check learnt: the result kind, and whether the answer may be cached."""

    kind: str  # "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE)
    deterministic: bool  # False when RAND(), NOW(), UUID() or STRUUID() may appear


_VOLATILE = ("RAND", "NOW", "UUID")


def check_query(text: str) -> QueryCheck:
    """Classify a query before it runs; raise Refused if it may not run.

    403 for any SPARQL Update, 400 for SERVICE or FROM. Unknown forms are left to the
    parser, which reports them with line and column."""
    return _check_cached(text) if len(text) <= 4096 else _check(text)


def _check(text: str) -> QueryCheck:
    # SPARQL allows \uXXXX escapes anywhere in a query; check the text as written and as
    # unescaped, whichever way the engine reads it.
    variants = [text, _unescape(text)] if _CODEPOINT.search(text) else [text]
    kind, deterministic = "results", True
    for index, variant in enumerate(variants):
        words, parts, tokens = _bare_words(variant)
        # Update keywords: bare words only. Store.query() cannot run an update at all, so
        # this check is for a clear 403; prefix names such as `address:` stay allowed.
        for word in words:
            found = _UPDATE.search(word)
            if found:
                raise Refused(
                    403,
                    f"this endpoint is read-only: SPARQL Update ({found.group()}) is refused. "
                    "Only SELECT, ASK, CONSTRUCT and DESCRIBE queries are answered.",
                )
        # SERVICE and FROM: anywhere in a bare word or name part (`trueSERVICE:x {…}` is
        # `true`, SERVICE, `:x` to pyoxigraph), erring on the side of refusing.
        if any("SERVICE" in word for word in words + parts):
            raise Refused(
                400,
                "SERVICE (federated query) is not allowed: this endpoint makes no "
                "outbound requests. Query the other endpoint yourself.",
            )
        if any("FROM" in word for word in words + parts):
            raise Refused(
                400,
                "FROM and FROM NAMED are not allowed: this endpoint serves one graph, "
                "the b12kg default graph. Remove the FROM clause.",
            )
        if index == 0:
            kind = _form(tokens)
            deterministic = not any(v in word for word in words for v in _VOLATILE)
    return QueryCheck(kind, deterministic)


_check_cached = lru_cache(maxsize=1024)(_check)


def _form(tokens: list[str]) -> str:
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token == "BASE":
            position += 2
        elif token == "PREFIX":
            position += 3
        else:
            return _FORM.get(token, "results")
    return "results"


# --- worker processes -------------------------------------------------------------------------


class _RowLimit(Exception):
    pass


class _CountingSink:
    """A write target for pyoxigraph that stops the query once it has written too many lines.

    TSV and N-Triples write exactly one line per solution or triple (newlines in literals
    are escaped), so counting newlines counts rows while the results stream."""

    def __init__(self, limit_lines: int):
        self.chunks: list[bytes] = []
        self.lines = 0
        self.limit_lines = limit_lines

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.lines > self.limit_lines:
            raise _RowLimit
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _isolate_network() -> bool:
    """Move this process into new, empty user and network namespaces (Linux only).

    Afterwards no socket can reach anything, so even a SERVICE call that escaped the check
    fails. Needs unprivileged user namespaces (or root); returns False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        clone_newuser, clone_newnet = 0x10000000, 0x40000000
        if libc.unshare(clone_newuser | clone_newnet) != 0:
            return libc.unshare(clone_newnet) == 0
        return True
    except (OSError, AttributeError):
        return False


def _worker_entry() -> None:
    """`python -c … FD STORE ISOLATE MEMORY_MB`: the command line of a worker process."""
    from multiprocessing.connection import Connection

    fd, store_path, isolate, memory_mb = sys.argv[1:5]
    _worker_main(Connection(int(fd)), store_path, isolate == "1", int(memory_mb) or None)


def _load_store(path: Path):
    """The graph, with the file's blank-node labels kept (not renamed at random).

    Every worker, and every replacement, then holds an identical store: the same rows in the
    same order and the same `_:b…` labels as the published file, so LIMIT/OFFSET paging
    gives the same answer whichever worker serves a page."""
    import pyoxigraph as ox

    from b12kg.errors import UsageError

    formats = {
        ".ttl": ox.RdfFormat.TURTLE,
        ".nt": ox.RdfFormat.N_TRIPLES,
        ".owl": ox.RdfFormat.RDF_XML,
        ".rdf": ox.RdfFormat.RDF_XML,
        ".xml": ox.RdfFormat.RDF_XML,
    }
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot serve {path.name}: expected .ttl, .nt, .owl or .rdf")
    store = ox.Store()
    try:
        store.extend(ox.parse(path=str(path), format=fmt, rename_blank_nodes=False))
    except SyntaxError as error:
        raise UsageError(f"{path} is not valid RDF: {error}") from None
    return store


def _worker_main(conn, store_path: str, isolate: bool, memory_mb: int | None) -> None:
    """A worker process: load the graph once, then answer jobs until the pipe closes."""
    isolated = _isolate_network() if isolate else False
    if memory_mb:
        with contextlib.suppress(ImportError, ValueError, OSError):
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        store = _load_store(Path(store_path))
    except Exception as error:  # report any load failure to the parent, then stop
        conn.send(("error", str(error), False))
        return
    conn.send(("ready", len(store), isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(_execute(store, *job))


def _execute(store, text: str, results_key: str, graph_key: str, max_rows: int):
    """Run one query; (status, content type, body bytes). Runs inside a worker."""
    import pyoxigraph as ox

    from b12kg.sparql import PREFIXES, syntax_error

    plain = "text/plain; charset=utf-8"
    try:
        result = store.query(text)
    except SyntaxError as error:
        return 400, plain, str(syntax_error(error, "the query")).encode()
    try:
        if isinstance(result, ox.QueryBoolean):
            media, name = RESULT_FORMATS[results_key]
            return 200, media, result.serialize(format=getattr(ox.QueryResultsFormat, name))
        if isinstance(result, ox.QuerySolutions):
            media, name = RESULT_FORMATS[results_key]
            sink = _CountingSink(max_rows + 1)  # the header line, then one line per row
            try:
                result.serialize(sink, format=ox.QueryResultsFormat.TSV)
            except _RowLimit:
                return 413, plain, _too_many(max_rows, "rows")
            data = b"".join(sink.chunks)
            if name != "TSV":
                parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
                data = parsed.serialize(format=getattr(ox.QueryResultsFormat, name))
            return 200, media, data
        media, name = GRAPH_FORMATS[graph_key]
        sink = _CountingSink(max_rows)
        try:
            result.serialize(sink, format=ox.RdfFormat.N_TRIPLES)
        except _RowLimit:
            return 413, plain, _too_many(max_rows, "triples")
        data = b"".join(sink.chunks)
        if name != "N_TRIPLES":
            triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
            fmt = getattr(ox.RdfFormat, name)
            prefixes = PREFIXES if name in ("TURTLE", "JSON_LD", "RDF_XML") else None
            data = ox.serialize(triples, format=fmt, prefixes=prefixes)
        return 200, media, data
    except MemoryError:
        return 503, plain, b"the query needed more memory than a worker may use"
    except Exception as error:  # evaluation errors surface while the results stream
        return 500, plain, f"query evaluation failed: {error}".encode()


def _too_many(max_rows: int, what: str) -> bytes:
    return (
        f"the result has more than {max_rows:,} {what}, this endpoint's limit; {_ROW_LIMIT_HINT}"
    ).encode()


_WORKER_COMMAND = "from b12kg.server import _worker_entry; _worker_entry()"


class _Worker:
    """One worker: a plain child interpreter (not multiprocessing's spawn, which re-imports
    the caller's __main__), talking pickled tuples over a socket pair."""

    def __init__(self, store_path: str, isolate: bool, memory_mb: int | None, quiet: bool):
        import os
        import subprocess
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p
        )
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _WORKER_COMMAND,
                    str(theirs.fileno()),
                    store_path,
                    "1" if isolate else "0",
                    str(memory_mb or 0),
                ],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                # a worker killed by its memory limit prints Rust's abort message; keep
                # that off the console unless the server is verbose
                stderr=subprocess.DEVNULL if quiet else None,
                env=env,
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.triples = 0
        self.isolated = False

    def wait_ready(self, timeout: float) -> None:
        try:
            ready = self.conn.poll(timeout)
            message = self.conn.recv() if ready else None
        except (EOFError, OSError):
            message = ("error", "the query worker exited while loading the graph", False)
        if message is None:
            self.kill()
            raise RuntimeError(f"a query worker did not start within {timeout:.0f} s")
        status, detail, isolated = message
        if status != "ready":
            self.kill()
            from b12kg.errors import UsageError

            raise UsageError(str(detail))
        self.triples, self.isolated = int(detail), bool(isolated)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """Worker processes, each with its own copy of the store; one query per worker at a time.

    pyoxigraph cannot cancel a query, so a query over its time limit is stopped by killing
    its process. A replacement starts in the background while the others keep serving."""

    def __init__(
        self,
        store_path: Path,
        *,
        workers: int,
        timeout_s: float,
        isolate: bool = True,
        memory_mb: int | None = 2048,
        verbose: bool = False,
        log=None,
    ):
        self.store_path = str(store_path)
        self.timeout_s = timeout_s
        self.isolate = isolate
        self.memory_mb = memory_mb
        self.verbose = verbose
        self.size = workers
        self._log = log or (lambda message: None)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.restarts = 0
        started = [self._start() for _ in range(workers)]
        try:
            for worker in started:
                worker.wait_ready(60)
        except BaseException:
            for worker in started:
                worker.kill()
            raise
        self.triples = started[0].triples
        self.isolated = all(w.isolated for w in started)
        for worker in started:
            self._idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker(self.store_path, self.isolate, self.memory_mb, not self.verbose)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker, reason: str) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if self._closed:
            return
        self.restarts += 1

        def restart() -> None:
            for attempt in range(5):
                if self._closed:
                    return
                fresh = self._start()
                try:
                    fresh.wait_ready(60)
                except Exception as error:
                    with self._lock:
                        self._all.discard(fresh)
                    sys.stderr.write(f"b12kg serve: cannot restart a query worker: {error}\n")
                    time.sleep(0.5 * 2**attempt)
                    continue
                if self._closed:
                    fresh.kill()
                    return
                self._idle.put(fresh)
                self._log(f"worker replaced ({reason})")
                return

        threading.Thread(target=restart, name="b12kg-worker-restart", daemon=True).start()

    def run(self, text: str, results_key: str, graph_key: str, max_rows: int):
        """(status, content type, body) for one query, within the time limit."""
        plain = "text/plain; charset=utf-8"
        try:
            worker = self._idle.get(timeout=self.timeout_s)
        except queue.Empty:
            return (
                503,
                plain,
                (
                    f"all {self.size} query workers stayed busy for {self.timeout_s:g} s; "
                    "try again shortly"
                ).encode(),
            )
        healthy = False
        try:
            worker.conn.send((text, results_key, graph_key, max_rows))
            if worker.conn.poll(self.timeout_s):
                reply = worker.conn.recv()
                healthy = True
                return reply
            self._replace(worker, "time limit")
            worker = None
            return (
                503,
                plain,
                (
                    f"the query ran longer than this endpoint's limit of {self.timeout_s:g} s "
                    "and was stopped; make it more selective or add a LIMIT"
                ).encode(),
            )
        except (EOFError, OSError):
            self._replace(worker, "crashed")
            worker = None
            return (
                503,
                plain,
                (
                    b"the query worker stopped (the query probably needed more memory than "
                    b"allowed); make the query more selective"
                ),
            )
        finally:
            if worker is not None:
                if healthy:
                    self._idle.put(worker)
                else:
                    self._replace(worker, "interrupted")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


# --- pages: service description, HTML ---------------------------------------------------------


def service_description(endpoint: str, triples: int, *, timeout_s: float, max_rows: int) -> str:
    """The SPARQL 1.1 Service Description of this endpoint, as Turtle."""
    formats = (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    )
    listed = ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in formats)
    note = (
        f"Read-only SPARQL 1.1 endpoint over the b12kg knowledge graph (why serum vitamin B12 "
        f"is low or high). Queries are limited to {timeout_s:g} s and {max_rows} result rows; "
        f"SPARQL Update, SERVICE and FROM are refused."
    )
    return f"""\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}#service> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat {listed} ;
    sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
    dcterms:title "b12kg SPARQL endpoint" ;
    dcterms:description {json.dumps(note)} ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ; void:triples {triples} ]
    ] .
"""


_PAGE_SCRIPT = """
const queries = JSON.parse(document.getElementById("library-data").textContent);
const editor = document.getElementById("query");
const out = document.getElementById("out");
const status = document.getElementById("status");
document.querySelectorAll("#library a").forEach((link) => {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    editor.value = queries[link.dataset.name];
    editor.focus();
  });
});
function cell(term) {
  const td = document.createElement("td");
  if (term === undefined) return td;
  let text = term.value;
  if (term.type === "uri") text = "<" + text + ">";
  else if (term.type === "bnode") text = "_:" + text;
  else if (term["xml:lang"]) text = JSON.stringify(text) + "@" + term["xml:lang"];
  td.textContent = text;
  return td;
}
function table(data) {
  const t = document.createElement("table");
  const head = t.insertRow();
  data.head.vars.forEach((v) => {
    const th = document.createElement("th");
    th.textContent = "?" + v;
    head.appendChild(th);
  });
  data.results.bindings.forEach((row) => {
    const tr = t.insertRow();
    data.head.vars.forEach((v) => tr.appendChild(cell(row[v])));
  });
  return t;
}
document.getElementById("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  status.textContent = "running…";
  out.replaceChildren();
  const started = performance.now();
  try {
    const response = await fetch("sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: editor.value,
    });
    const type = response.headers.get("Content-Type") || "";
    const ms = Math.round(performance.now() - started);
    if (!response.ok) {
      status.textContent = response.status + " " + response.statusText + " (" + ms + " ms)";
      const pre = document.createElement("pre");
      pre.className = "error";
      pre.textContent = await response.text();
      out.appendChild(pre);
    } else if (type.startsWith("application/sparql-results+json")) {
      const data = await response.json();
      if ("boolean" in data) {
        status.textContent = "ASK: " + data.boolean + " (" + ms + " ms)";
      } else {
        const n = data.results.bindings.length;
        status.textContent = n + " row" + (n === 1 ? "" : "s") + " (" + ms + " ms)";
        out.appendChild(table(data));
      }
    } else {
      status.textContent = type.split(";")[0] + " (" + ms + " ms)";
      const pre = document.createElement("pre");
      pre.textContent = await response.text();
      out.appendChild(pre);
    }
  } catch (error) {
    status.textContent = "request failed: " + error;
  }
});
"""

_DEFAULT_QUERY = """\
PREFIX b12: <https://w3id.org/b12kg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label ?kind
WHERE { ?entity b12:kind ?kind ; rdfs:label ?label }
ORDER BY ?kind ?label
LIMIT 25
"""


def html_page(queries: dict[str, tuple[str, str]], *, timeout_s: float, max_rows: int) -> str:
    """The page at `/`: an editor that posts to /sparql, and the query library.

    `queries` maps a name to (summary, text). No external assets."""
    items = "\n".join(
        f'<li><a href="queries/{html.escape(name)}.rq" data-name="{html.escape(name)}">'
        f"{html.escape(name)}</a> — {html.escape(summary)}</li>"
        for name, (summary, _) in sorted(queries.items())
    )
    data = json.dumps({name: text for name, (_, text) in queries.items()}).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>b12kg SPARQL endpoint</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 75em; padding: 0 1em; }}
textarea {{ width: 100%; height: 16em; font: 13px/1.35 ui-monospace, monospace; }}
table {{ border-collapse: collapse; font-size: 13px; margin-top: .5em; }}
th, td {{ border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
pre {{ background: #f7f7f7; padding: .5em; overflow: auto; }}
pre.error {{ background: #fdecea; }}
#status {{ margin-left: 1em; color: #555; }}
</style>
</head>
<body>
<h1>b12kg SPARQL endpoint</h1>
<p>Why is serum vitamin B12 low — or high? Query the b12kg knowledge graph with SPARQL 1.1.
The endpoint is <code>sparql</code> (GET or POST, SPARQL 1.1 Protocol). It is read-only:
queries stop after {timeout_s:g} s or {max_rows:,} rows; updates, SERVICE and FROM are refused.</p>
<form id="form">
<textarea id="query" name="query" spellcheck="false">{html.escape(_DEFAULT_QUERY)}</textarea>
<button type="submit">Run query</button><span id="status"></span>
</form>
<div id="out"></div>
<h2>Library queries</h2>
<p>Click a name to load it into the editor. Parameters (<code>?_name_iri</code>) left unbound
return the unfiltered answer.</p>
<ul id="library">
{items}
</ul>
<script type="application/json" id="library-data">{data}</script>
<script>{_PAGE_SCRIPT}</script>
</body>
</html>
"""


class ResponseCache:
    """Answers by (query text, format), least recently used out first, bounded in bytes.

    Sound because the graph cannot change while the server runs; queries that call RAND(),
    NOW(), UUID() or STRUUID() are never cached. One answer may use at most 1/8 of it."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple[str, str], tuple[int, str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[int, str, bytes] | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: tuple[str, str], answer: tuple[int, str, bytes]) -> None:
        cost = len(answer[2]) + len(key[0]) + 200
        if cost > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = answer
            self.size += cost
            while self.size > self.max_bytes:
                old_key, old = self._entries.popitem(last=False)
                self.size -= len(old[2]) + len(old_key[0]) + 200


# --- HTTP -------------------------------------------------------------------------------------

_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SparqlHandler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive. Every response is written in one piece."""

    protocol_version = "HTTP/1.1"
    server_version = "b12kg"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 30  # idle keep-alive connections are closed after this many seconds
    server: SparqlServer

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # -- plumbing

    def _send(
        self,
        status: int,
        body: bytes | str,
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        if status >= 400 and not body.endswith(b"\n"):
            body += b"\n"
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        self.log_request(status, len(body))
        lines = [
            f"HTTP/1.1 {status} {phrase}",
            f"Server: {self.server_version}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
            "X-Content-Type-Options: nosniff",
        ]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (b"" if self.command == "HEAD" else body))

    def _refuse(self, error: Refused) -> None:
        self._send(error.status, error.message)

    def _host_allowed(self) -> bool:
        """When bound to loopback, accept only loopback Host names (DNS rebinding guard)."""
        if not self.server.loopback_only:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            name = host[: host.find("]") + 1] if "]" in host else host
        else:
            name = host.rsplit(":", 1)[0] if ":" in host else host
        return name in _LOOPBACK_NAMES or name.endswith(".localhost") or _is_loopback(name)

    # -- routing

    def do_GET(self) -> None:
        self._route()

    def do_HEAD(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        try:
            if len(self.path) > MAX_URL:
                self.close_connection = True
                raise Refused(
                    414,
                    f"the URL is longer than {MAX_URL:,} bytes; send long queries with POST",
                )
            if not self._host_allowed():
                raise Refused(403, "this endpoint answers only requests addressed to localhost")
            url = urlsplit(self.path)
            path = url.path
            if path in ("/sparql", "/sparql/"):
                self._sparql(url.query)
            elif self.command == "POST":
                raise Refused(405, "POST is accepted only at /sparql")
            elif path in ("/", "/index.html"):
                self._send(
                    200,
                    self.server.page,
                    "text/html; charset=utf-8",
                    {"Content-Security-Policy": self.server.page_csp},
                )
            elif path.startswith("/queries/") and path.endswith(".rq"):
                name = path[len("/queries/") : -len(".rq")]
                text = self.server.library_texts.get(name)
                if text is None:
                    raise Refused(404, f"no library query named {name!r}")
                self._send(200, text, "application/sparql-query; charset=utf-8")
            elif path == "/favicon.ico":
                self._send(204, b"", headers={})
            else:
                raise Refused(404, "not found; the SPARQL endpoint is /sparql, the query page /")
        except Refused as error:
            self._refuse(error)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:  # a bug: answer 500 rather than drop the connection
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._send(500, f"internal error: {type(error).__name__}: {error}")
            if self.server.verbose:
                raise

    # -- the SPARQL protocol

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise Refused(411, "send the request body with a Content-Length header")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self.close_connection = True
            raise Refused(411, "a POST needs a Content-Length header")
        try:
            length = int(length_text)
        except ValueError:
            self.close_connection = True
            raise Refused(400, "Content-Length is not a number") from None
        if length < 0:
            self.close_connection = True
            raise Refused(400, "Content-Length is negative")
        if length > self.server.max_body:
            self.close_connection = True  # the body stays unread; the connection cannot be reused
            raise Refused(
                413,
                f"the request body is {length:,} bytes; this endpoint accepts at most "
                f"{self.server.max_body:,}",
            )
        return self.rfile.read(length)

    def _sparql(self, raw_query: str) -> None:
        params = _parse_params(raw_query)
        if self.command == "POST":
            body = self._read_body()
            media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if media == "application/x-www-form-urlencoded":
                for name, values in _parse_params(_decode(body)).items():
                    params.setdefault(name, []).extend(values)
            elif media == "application/sparql-query":
                params.setdefault("query", []).append(_decode(body))
            elif media == "application/sparql-update":
                raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
            else:
                raise Refused(
                    415,
                    "POST a query as application/sparql-query or as "
                    "application/x-www-form-urlencoded with query=…",
                )
        if "update" in params:
            raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
        for name in ("default-graph-uri", "named-graph-uri"):
            if name in params:
                raise Refused(
                    400,
                    f"{name} is not supported: this endpoint serves one graph, the b12kg "
                    "default graph; leave the parameter out",
                )
        queries = params.get("query", [])
        if not queries:
            if self.command == "POST":
                raise Refused(400, "no query: send query=… or an application/sparql-query body")
            self._service_description(params.get("format", []))
            return
        if len(queries) > 1:
            raise Refused(400, "give exactly one query parameter")
        text = queries[0]
        if not text.strip():
            raise Refused(400, "the query is empty")
        check = check_query(text)
        key = negotiate(check.kind, self.headers.get("Accept"), params.get("format", []))
        cache = self.server.cache if check.deterministic else None
        answer = cache.get((text, key)) if cache else None
        if answer is None:
            results_key, graph_key = (key, "turtle") if check.kind == "results" else ("json", key)
            answer = self.server.pool.run(text, results_key, graph_key, self.server.max_rows)
            if cache and answer[0] == 200:
                cache.put((text, key), answer)
        status, content_type, body = answer
        headers = {"Vary": "Accept"}
        if status == 503:
            headers["Retry-After"] = "1"
        self._send(status, body, content_type, headers)

    def _service_description(self, format_values: list[str]) -> None:
        key = negotiate("graph", self.headers.get("Accept"), format_values)
        media, name = GRAPH_FORMATS[key]
        self._send(200, self.server.describe(self.headers.get("Host"), name), media)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(400, f"the request is not valid UTF-8: {error}") from None


def _parse_params(text: str) -> dict[str, list[str]]:
    if not text:
        return {}
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=64, errors="strict")
    except UnicodeDecodeError as error:
        raise Refused(400, f"the request is not valid UTF-8: {error}") from None
    except ValueError as error:
        raise Refused(400, f"cannot read the request parameters: {error}") from None


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server: a bounded number of connection threads in front of a WorkerPool."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        pool: WorkerPool,
        *,
        max_rows: int,
        max_body: int,
        max_connections: int,
        timeout_s: float,
        cache_mb: int = 32,
        verbose: bool = False,
    ):
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.pool = pool
        self.max_rows = max_rows
        self.max_body = max_body
        self.timeout_s = timeout_s
        self.verbose = verbose
        self.cache = ResponseCache(cache_mb * 1024 * 1024) if cache_mb > 0 else None
        self.loopback_only = _is_loopback(host)
        self._slots = threading.BoundedSemaphore(max_connections)
        self._serving = False
        self._describe_cache: dict[tuple[str, str], bytes] = {}
        from b12kg.sparql import library

        queries = library()
        self.library_texts = {name: q.text for name, q in queries.items()}
        self.page = html_page(
            {name: (q.summary, q.text) for name, q in queries.items()},
            timeout_s=timeout_s,
            max_rows=max_rows,
        )
        digest = base64.b64encode(hashlib.sha256(_PAGE_SCRIPT.encode()).digest()).decode()
        self.page_csp = (
            f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
        super().__init__(address, SparqlHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/sparql"

    def describe(self, host_header: str | None, format_name: str) -> bytes:
        """The service description for the URL the client used (when it is a sane host)."""
        host, port = self.server_address[:2]
        authority = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
        if host_header and re.fullmatch(
            r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?", host_header
        ):
            authority = host_header
        key = (authority, format_name)
        if key not in self._describe_cache:
            turtle = service_description(
                f"http://{authority}/sparql",
                self.pool.triples,
                timeout_s=self.timeout_s,
                max_rows=self.max_rows,
            )
            if format_name == "TURTLE":
                data = turtle.encode()
            else:
                import pyoxigraph as ox

                triples = list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))
                data = ox.serialize(triples, format=getattr(ox.RdfFormat, format_name))
            if len(self._describe_cache) < 64:
                self._describe_cache[key] = data
            return data
        return self._describe_cache[key]

    def handle_error(self, request, client_address) -> None:
        """Clients that hang up are not worth a traceback; real bugs get one line (or the
        traceback when verbose)."""
        error = sys.exc_info()[1]
        if self.verbose:
            super().handle_error(request, client_address)
        elif not isinstance(error, (ConnectionError, TimeoutError)):
            sys.stderr.write(f"b12kg serve: {type(error).__name__}: {error}\n")

    # bounded concurrency: the accept loop waits for a free slot (then the listen backlog fills)
    def process_request(self, request, client_address) -> None:
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def shutdown(self) -> None:
        """Stop serving, close the socket and stop the worker processes."""
        if self._serving:
            super().shutdown()
        self.server_close()
        self.pool.close()

    def __enter__(self) -> SparqlServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()


def make_server(
    store_path: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout_s: float = 5.0,
    max_rows: int = 10_000,
    max_body: int = 64 * 1024,
    workers: int = 2,
    max_connections: int = 64,
    cache_mb: int = 32,
    memory_mb: int | None = 2048,
    isolate_network: bool = True,
    verbose: bool = False,
) -> SparqlServer:
    """A ready (bound, workers loaded) but not yet serving endpoint; call `.serve_forever()`.

    `store_path` is an RDF file (.ttl, .nt, .owl, .rdf); None serves the packaged b12kg.ttl.
    `port=0` picks a free port (see `.server_address`). Call `.shutdown()` from another
    thread, or use the server as a context manager, to stop it and its workers.

    Limits: `timeout_s` per query (the worker running it is killed: 503), `max_rows` result
    rows or triples (413), `max_body` bytes of POST body (413), `max_connections` open
    connections, `memory_mb` address space per worker. `workers` processes run queries;
    `cache_mb` of answers are kept (0: none). `isolate_network` puts the workers in an
    empty network namespace where Linux allows it. `verbose` logs each request to stderr."""
    from b12kg.errors import ComponentUnavailable, UsageError
    from b12kg.resources import ontology_file

    if sys.platform == "win32":
        raise ComponentUnavailable("b12kg serve runs its query workers on Linux and macOS only")
    if timeout_s <= 0 or max_rows < 1 or max_body < 1 or workers < 1 or max_connections < 1:
        raise UsageError("timeout, max rows, max body, workers and connections must be positive")
    path = Path(store_path) if store_path is not None else ontology_file("b12kg.ttl")
    if not path.exists():
        raise UsageError(f"no such file: {path}")

    def log(message: str) -> None:
        if verbose:
            sys.stderr.write(f"b12kg serve: {message}\n")

    pool = WorkerPool(
        path,
        workers=workers,
        timeout_s=timeout_s,
        isolate=isolate_network,
        memory_mb=memory_mb,
        verbose=verbose,
        log=log,
    )
    try:
        return SparqlServer(
            (host, port),
            pool,
            max_rows=max_rows,
            max_body=max_body,
            max_connections=max_connections,
            timeout_s=timeout_s,
            cache_mb=cache_mb,
            verbose=verbose,
        )
    except OSError as error:
        pool.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def serve(
    store_path: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout_s: float = 5.0,
    max_rows: int = 10_000,
    max_body: int = 64 * 1024,
    workers: int = 2,
    cache_mb: int = 32,
    verbose: bool = False,
) -> None:
    """Run the endpoint until Ctrl-C, printing its URL first."""
    server = make_server(
        store_path,
        host=host,
        port=port,
        timeout_s=timeout_s,
        max_rows=max_rows,
        max_body=max_body,
        workers=workers,
        cache_mb=cache_mb,
        verbose=verbose,
    )
    page = server.url[: -len("sparql")]
    isolation = "on" if server.pool.isolated else "off (not available here)"
    print(
        f"b12kg SPARQL endpoint: {server.url}  (query page: {page})\n"
        f"{server.pool.triples:,} triples, {workers} workers; limits {timeout_s:g} s, "
        f"{max_rows:,} rows; network isolation of workers: {isolation}. Ctrl-C to stop.",
        flush=True,
    )
    if not server.loopback_only:
        print(
            f"note: listening on {host}, reachable from other machines; the endpoint is "
            "read-only and has no authentication",
            flush=True,
        )
    import signal

    def stop(signum, frame):  # SIGTERM (systemd, docker stop) ends the server like Ctrl-C
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.pool.close()
