"""HTTP: the SPARQL 1.1 Protocol handler, the server in front of the worker pool, and its
answer cache; `make_server` and `serve` build and run it.

Its own module because it is the only part that speaks HTTP: routing, request limits, the
DNS rebinding guard and response writing. It asks `guard` whether a query may run,
`negotiation` for the format, and a `WorkerPool` for the answer.

Protocol: `GET /sparql?query=…`, `POST /sparql` as `application/x-www-form-urlencoded` or
`application/sparql-query`. SELECT/ASK answer in SPARQL JSON (default), XML, CSV or TSV;
CONSTRUCT/DESCRIBE in Turtle (default), N-Triples, JSON-LD or RDF/XML, chosen by `Accept` or
by a `format=` parameter (`json`, `xml`, `csv`, `tsv`, `turtle`, `nt`, `jsonld`, `rdfxml` or
a media type); an Accept naming only the other kind's formats gets the nearest one of the
right kind (`negotiation`). JSON-LD is compacted with the shipped context (`jsonld`).
`GET /sparql` without a query returns the service description; `GET /` is a query page for
people, `GET /entity/<name>` an entity's page with its paths drawn, `GET /static/<file>` their
script and style, `GET /queries/<name>.rq` a library query.

CORS: the endpoint is read-only and needs no credentials, so every answer carries
`Access-Control-Allow-Origin: *` and `OPTIONS` answers a preflight (204): a YASGUI page or
a notebook on another origin can query it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
import sys
import threading
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from b12kg.endpoint.assets import StaticFiles
from b12kg.endpoint.front import BufferedRequestMixin, FrontServer
from b12kg.endpoint.guard import QueryCheck, Refused
from b12kg.endpoint.jsonld import compact
from b12kg.endpoint.negotiation import GRAPH_FORMATS, negotiate
from b12kg.endpoint.pages import PAGE_CSP, html_page, service_description
from b12kg.endpoint.pool import WorkerPool
from b12kg.endpoint.settings import validate

MAX_URL = 8 * 1024
#: Sent with every answer: any origin may read this read-only, credential-free endpoint.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Type, Content-Length, Retry-After, Vary",
}
#: A preflight's answer: the methods and request headers SPARQL clients send.
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Accept, Accept-Language, Content-Language, Content-Type, Cache-Control, X-Requested-With"
    ),
    "Access-Control-Max-Age": "86400",
    "Allow": "GET, HEAD, POST, OPTIONS",
}
JSON_LD = "application/ld+json"


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


_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Verdicts:
    """The check's verdict (a QueryCheck, or the Refused) per query text, bounded LRU.

    The check runs in a worker; remembering its verdict lets a repeated refusal be answered
    without a worker, and a repeated query be negotiated and looked up in the answer cache."""

    def __init__(self, size: int = 4096):
        self._size = size
        self._entries: OrderedDict[str, QueryCheck | Refused] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> QueryCheck | Refused | None:
        with self._lock:
            verdict = self._entries.get(text)
            if verdict is not None:
                self._entries.move_to_end(text)
            return verdict

    def put(self, text: str, verdict: QueryCheck | Refused | None) -> None:
        if verdict is None or len(text) > 16 * 1024:
            return
        with self._lock:
            self._entries[text] = verdict
            self._entries.move_to_end(text)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class SparqlHandler(BufferedRequestMixin, BaseHTTPRequestHandler):
    """One request, already read by the front end; HTTP/1.1 keep-alive. Every response is
    written in one piece."""

    protocol_version = "HTTP/1.1"
    server_version = "b12kg"
    sys_version = ""
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
            *(f"{name}: {value}" for name, value in CORS_HEADERS.items()),
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

    def do_OPTIONS(self) -> None:
        """A CORS preflight (or a plain OPTIONS): which methods and headers may be sent."""
        if not self._host_allowed():
            self._refuse(Refused(403, "this endpoint answers only requests addressed to localhost"))
            return
        self._send(204, b"", headers=PREFLIGHT_HEADERS)

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
            elif path == "/health":
                self._health()
            elif path in ("/", "/index.html"):
                if self.server.pool.live == 0:
                    raise Refused(503, _down_message(self.server.pool.health()))
                self._send(
                    200,
                    self.server.page,
                    "text/html; charset=utf-8",
                    {"Content-Security-Policy": PAGE_CSP},
                )
            elif path.startswith("/static/"):
                found = self.server.static.get(path[len("/static/") :])
                if found is None:
                    raise Refused(404, f"no such file: {path}")
                media, data = found
                self._send(200, data, media, {"Cache-Control": "public, max-age=3600"})
            elif path.startswith("/entity/"):
                from b12kg.endpoint.entity_page import entity_page

                status, body = entity_page(self.server, unquote(path[len("/entity/") :]))
                headers = {"Content-Security-Policy": PAGE_CSP}
                if status == 503 and not self.server.entity_graph_ready.is_set():
                    headers["Retry-After"] = "2"  # still loading: a moment, not a failure
                self._send(status, body, "text/html; charset=utf-8", headers)
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
            if error.status == 503:
                self._send(503, error.message, headers={"Retry-After": "1"})
            else:
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
        if "update" in params and "query" not in params:
            # Some clients pick the operation from keywords (SPARQLWrapper sends a SELECT
            # whose comments say "added" as an update). The parse decides here: text that
            # is a query is answered as one, an update is refused by the check (403).
            params["query"] = params.pop("update")
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
        accept, formats = self.headers.get("Accept"), params.get("format", [])
        verdict = self.server.verdicts.get(text)
        if isinstance(verdict, Refused):
            raise Refused(verdict.status, verdict.message)
        answer = None
        if verdict is not None:
            key = negotiate(verdict.kind, accept, formats)
            cache = self.server.cache if verdict.deterministic else None
            answer = cache.get((text, key)) if cache else None
        if answer is None:
            status, content_type, body, verdict, key = self.server.pool.answer(
                text, accept, formats, self.server.max_rows, verdict
            )
            self.server.verdicts.put(text, verdict)
            if status == 200 and content_type == JSON_LD:
                body = compact(body)  # once, before caching: a hit is sent as it is
            answer = (status, content_type, body)
            cache = self.server.cache
            if cache and status == 200 and key and getattr(verdict, "deterministic", False):
                cache.put((text, key), answer)
        status, content_type, body = answer
        headers = {"Vary": "Accept"}
        if status == 503:
            headers["Retry-After"] = "1"
        self._send(status, body, content_type, headers)

    def _health(self) -> None:
        """200 when every worker is alive, 503 (with the reason) when none is; JSON."""
        health = self.server.pool.health()
        status = 503 if health["alive"] == 0 else 200
        if status == 503:
            health["reason"] = _down_message(health)
        self._send(status, json.dumps(health, indent=1) + "\n", "application/json")

    def _service_description(self, format_values: list[str]) -> None:
        key = negotiate("graph", self.headers.get("Accept"), format_values)
        media, name = GRAPH_FORMATS[key]
        data = self.server.describe(self.headers.get("Host"), name)
        self._send(200, compact(data) if media == JSON_LD else data, media)


def _down_message(health: dict) -> str:
    reason = f" (last error: {health['last_error']})" if health.get("last_error") else ""
    return (
        f"no query worker is running{reason}; they are being restarted "
        f"({health['restarts']} restarts so far). Try again shortly."
    )


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


class SparqlServer(FrontServer):
    """The HTTP server: the front end (`front.py`) and its handler threads in front of a
    WorkerPool."""

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
        self.pool = pool
        self.max_rows = max_rows
        self.timeout_s = timeout_s
        self.verbose = verbose
        self.cache = ResponseCache(cache_mb * 1024 * 1024) if cache_mb > 0 else None
        self.verdicts = Verdicts()
        self.loopback_only = _is_loopback(host)
        self._describe_cache: dict[tuple[str, str], bytes] = {}
        library = _library()
        queries = library()
        self.library_texts = {name: q.text for name, q in queries.items()}
        self.page = html_page(queries, timeout_s=timeout_s, max_rows=max_rows)
        self.static = StaticFiles()
        self.entity_graph = None  # the KnowledgeGraph behind /entity/, loaded in the background
        self.entity_graph_error: str | None = None
        self.entity_graph_ready = threading.Event()
        self._entity_graph_loader: threading.Thread | None = None
        self._entity_graph_start = threading.Lock()
        super().__init__(
            address,
            SparqlHandler,
            max_body=max_body,
            handlers=max_connections,
            max_open=max(8 * max_connections, 64),
            max_per_client=max(4 * max_connections, 32),
        )

    def load_entity_graph(self, path: str) -> threading.Thread:
        """Start loading the KnowledgeGraph of `path` for the entity pages on a thread of its
        own: for a big file (or a store whose index is stale) that is a full parse, and no
        request may wait on it holding a lock. Until it is ready entity pages answer 503
        "loading" (with Retry-After); if it fails they answer 503 with the reason. The SPARQL
        endpoint and the query page never wait for it. Started by the first entity page, not
        at start-up, so a server nobody asks for entity pages never holds that second copy."""
        self.entity_graph, self.entity_graph_error = None, None
        self.entity_graph_ready.clear()

        def run() -> None:
            from b12kg.knowledge import load
            from b12kg.resources import ontology_path

            try:
                packaged = Path(path).resolve() == Path(ontology_path("b12kg.ttl")).resolve()
                self.entity_graph = load(None if packaged else path)
            except Exception as error:  # any failure is the page's answer, never a dead thread
                self.entity_graph_error = str(error) or type(error).__name__
            finally:
                self.entity_graph_ready.set()

        thread = threading.Thread(target=run, name="b12kg-entity-graph", daemon=True)
        self._entity_graph_loader = thread
        thread.start()
        return thread

    def knowledge_graph(self, *, wait: bool = True):
        """The KnowledgeGraph behind the entity pages, its loading started on first use.
        `wait=False`: None while it is still loading. Raises ComponentUnavailable with the
        reason when loading failed."""
        from b12kg.errors import ComponentUnavailable

        with self._entity_graph_start:
            if self._entity_graph_loader is None:
                self.load_entity_graph(self.pool.store_path)
        if wait:
            self.entity_graph_ready.wait()
        elif not self.entity_graph_ready.is_set():
            return None
        if self.entity_graph is None:
            raise ComponentUnavailable(
                f"the graph behind the entity pages could not be loaded: {self.entity_graph_error}"
            )
        return self.entity_graph

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

    def handle_error(self, address, error: BaseException) -> None:
        """Clients that hang up are not worth a traceback; real bugs get one line (or the
        traceback when verbose)."""
        if self.verbose:
            import traceback

            traceback.print_exception(error)
        elif not isinstance(error, (ConnectionError, TimeoutError)):
            sys.stderr.write(f"b12kg serve: {type(error).__name__}: {error}\n")

    def shutdown(self) -> None:
        """Stop serving, close the socket and stop the worker processes."""
        super().shutdown()
        self.server_close()
        self.pool.close()

    def __enter__(self) -> SparqlServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()


def _library():
    """The query library's entry point, named in one place (it moves)."""
    from b12kg.sparql.library import library

    return library


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
    memory_mb: int | None = None,
    isolate_network: bool = True,
    verbose: bool = False,
) -> SparqlServer:
    """A ready (bound, workers loaded) but not yet serving endpoint; call `.serve_forever()`.

    `store_path` is an RDF file (.ttl, .nt, .owl, .rdf), each worker holding a private copy,
    or an on-disk store directory (`b12kg store`), opened read-only by every worker; None
    serves the packaged b12kg.ttl.
    `port=0` picks a free port (see `.server_address`). Call `.shutdown()` from another
    thread, or use the server as a context manager, to stop it and its workers.

    Limits: `timeout_s` per query (the worker running it is killed: 503), `max_rows` result
    rows or triples (413), `max_body` bytes of POST body (413), `max_connections` requests
    answered at once (open connections: 8 times that, slow ones evicted first), `memory_mb`
    address space per worker (None: sized from the store; 0: no limit). `workers` processes run queries;
    `cache_mb` of answers are kept (0: none). `isolate_network` puts the workers in an
    empty network namespace where Linux allows it (a seccomp socket filter applies either
    way). `verbose` logs each request to stderr."""
    from b12kg.errors import ComponentUnavailable, UsageError
    from b12kg.resources import ontology_file

    if sys.platform == "win32":
        raise ComponentUnavailable("b12kg serve runs its query workers on Linux and macOS only")
    validate(
        host=host,
        port=port,
        timeout_s=timeout_s,
        max_rows=max_rows,
        max_body=max_body,
        workers=workers,
        max_connections=max_connections,
        cache_mb=cache_mb,
        memory_mb=memory_mb,
    )
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
    memory_mb: int | None = None,
    verbose: bool = False,
) -> None:
    """Run the endpoint until Ctrl-C, printing its URL first. Settings are checked before
    anything starts (UsageError, by `make_server`)."""
    server = make_server(
        store_path,
        host=host,
        port=port,
        timeout_s=timeout_s,
        max_rows=max_rows,
        max_body=max_body,
        workers=workers,
        cache_mb=cache_mb,
        memory_mb=memory_mb,
        verbose=verbose,
    )
    page = server.url[: -len("sparql")]
    sandbox = [name for name, on in server.pool.sandbox.items() if on]
    isolation = ", ".join(sandbox) if sandbox else "off (not available here)"
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
