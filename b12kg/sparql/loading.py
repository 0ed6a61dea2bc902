"""Put the graph into an existing SPARQL store, all or nothing.

`load_into_endpoint` sends the file with the SPARQL 1.1 Graph Store HTTP Protocol (or, for
stores without it, SPARQL 1.1 Update `INSERT {…} WHERE {}`) into a fresh staging graph, checks the
triple count, and only then replaces the target graph in one update request
(`DROP SILENT GRAPH target ; MOVE staging TO target`). A failure at any step drops the staging
graph and leaves the target as it was.

Why chunks: on Virtuoso a Graph Store upload above ~1 MB from a client that waits for the
digest-auth 401 got "connection reset", and a load is not atomic (a bad line keeps what came
before it). So the data goes as N-Triples in chunks under ~500 kB, after a body-less request
has fetched the digest challenge (every upload is pre-authenticated). Blank nodes are local to
one request, so the triples are grouped first: every blank node's triples, and those of every
blank node linked to it, land in the same chunk (connected components over blank nodes).

Store layouts (`store=`), from the base URL given as `endpoint`:

- `virtuoso` (default): `{base}/sparql-graph-crud-auth` (Graph Store, `?graph-uri=`) and
  `{base}/sparql-auth` (update and query), HTTP digest auth, usually user `dba`. `endpoint` may
  be the server root (`http://127.0.0.1:8890`) or its `/sparql` URL.
- `fuseki`: `{dataset}/data` (`?graph=`), `{dataset}/update`, `{dataset}/query`; `endpoint`
  is the dataset URL (`http://127.0.0.1:3030/b12kg`). Basic or digest auth, as configured.
- `oxigraph`: `{base}/store`, `{base}/update`, `{base}/query` (`oxigraph serve`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from b12kg.errors import EndpointError, UsageError

CHUNK_BYTES = 500_000
# Virtuoso compiles an update to SQL and refuses more than 10,000 lines of it (~150 kB of
# N-Triples); it also refuses blank nodes in INSERT DATA, hence INSERT {…} WHERE {}.
UPDATE_CHUNK_BYTES = 50_000
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".owl": ox.RdfFormat.RDF_XML,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class StoreLayout:
    """Where a store takes Graph Store requests, updates and queries."""

    graph_store: str
    graph_param: str
    update: str
    query: str


@dataclass(frozen=True)
class LoadReport:
    triples: int
    seconds: float
    chunks: int
    graph: str
    endpoint: str

    def __str__(self) -> str:
        return (
            f"loaded {self.triples} triples into <{self.graph}> at {self.endpoint} "
            f"in {self.seconds:.1f} s ({self.chunks} chunk(s))"
        )


def layout(endpoint: str, store: str = "virtuoso") -> StoreLayout:
    base = endpoint.rstrip("/")
    if store == "virtuoso":
        for suffix in ("/sparql-graph-crud-auth", "/sparql-auth", "/sparql"):
            base = base.removesuffix(suffix)
        return StoreLayout(
            f"{base}/sparql-graph-crud-auth",
            "graph-uri",
            f"{base}/sparql-auth",
            f"{base}/sparql-auth",
        )
    if store == "fuseki":
        return StoreLayout(f"{base}/data", "graph", f"{base}/update", f"{base}/query")
    if store == "oxigraph":
        return StoreLayout(f"{base}/store", "graph", f"{base}/update", f"{base}/query")
    raise UsageError(f"unknown store '{store}': expected virtuoso, fuseki or oxigraph")


def load_into_endpoint(
    file: Path,
    *,
    endpoint: str,
    graph: str,
    user: str | None = None,
    password: str | None = None,
    protocol: str = "graph-store",
    store: str = "virtuoso",
    chunk_bytes: int | None = None,
    timeout: float = 120,
) -> LoadReport:
    """Replace named graph `graph` on the store at `endpoint` with the triples of `file`.

    `protocol` is "graph-store" (SPARQL 1.1 Graph Store HTTP Protocol; chunks of
    `chunk_bytes`, default 500 kB) or "sparql-update" (`INSERT {…} WHERE {}` through the update
    endpoint; default 50 kB). Raises UsageError for a bad file or argument
    and EndpointError when the store fails; in both cases the target graph is unchanged.
    """
    if not re.match(r"^https?://[^/\s]+", endpoint):
        raise UsageError(f"--endpoint must be an http(s) URL, got {endpoint[:200]!r}")
    if protocol not in ("graph-store", "sparql-update"):
        raise UsageError(f"unknown protocol '{protocol}': expected graph-store or sparql-update")
    started = time.perf_counter()
    target = _iri(graph)
    staging = _iri(f"{graph}-staging-{secrets.token_hex(6)}")
    triples = read_triples(Path(file))
    if chunk_bytes is None:
        chunk_bytes = CHUNK_BYTES if protocol == "graph-store" else UPDATE_CHUNK_BYTES
    chunks = ntriples_chunks(triples, chunk_bytes)
    where = layout(endpoint, store)
    session = _Session(user, password, timeout)

    try:
        session.prime(where.update)
        for index, chunk in enumerate(chunks):
            if protocol == "graph-store":
                url = f"{where.graph_store}?{urllib.parse.urlencode({where.graph_param: staging.value})}"
                method = "PUT" if index == 0 else "POST"
                session.request(method, url, chunk, "application/n-triples")
            else:
                text = f"INSERT {{ GRAPH {staging} {{\n{chunk.decode('utf-8')}\n}} }} WHERE {{}}"
                _update(session, where, text)
        loaded = count_triples(session, where, staging)
        if loaded != len(triples):
            raise EndpointError(
                f"{endpoint} holds {loaded} triples in the staging graph, expected {len(triples)}; "
                f"<{graph}> was not changed"
            )
        _update(session, where, f"DROP SILENT GRAPH {target} ;\nMOVE {staging} TO {target}")
    except BaseException:
        with contextlib.suppress(Exception):  # the first error is the one to report
            _update(session, where, f"DROP SILENT GRAPH {staging}")
        raise
    _update(session, where, f"DROP SILENT GRAPH {staging}")
    final = count_triples(session, where, target)
    if final != len(triples):
        raise EndpointError(
            f"<{graph}> on {endpoint} holds {final} triples after the swap, expected {len(triples)}"
        )
    return LoadReport(len(triples), time.perf_counter() - started, len(chunks), graph, endpoint)


def read_triples(path: Path) -> list[ox.Triple]:
    """The distinct triples of an RDF file (blank-node labels as parsed, one scope per file)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"cannot load {path.name}: expected .ttl, .nt, .owl or .rdf")
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        quads = ox.parse(path=str(path), format=FORMATS[suffix])
        return list(dict.fromkeys(quad.triple for quad in quads))
    except SyntaxError as error:
        raise UsageError(f"{path} is not valid RDF: {error}") from None


def ntriples_chunks(triples: Iterable[ox.Triple], limit: int = CHUNK_BYTES) -> list[bytes]:
    """N-Triples payloads of at most ~`limit` bytes; a blank node never spans two payloads."""
    groups = list(_groups(list(triples)))
    chunks: list[bytes] = []
    current: list[ox.Triple] = []
    size = 0
    for group in groups:
        group_size = sum(len(str(t).encode("utf-8")) + 3 for t in group)
        if current and size + group_size > limit:
            chunks.append(_serialise(current))
            current, size = [], 0
        current.extend(group)
        size += group_size
    if current:
        chunks.append(_serialise(current))
    return chunks


def _groups(triples: list[ox.Triple]) -> Iterator[list[ox.Triple]]:
    """Triples without blank nodes one by one; the rest by connected blank-node component."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def find(node: ox.BlankNode) -> ox.BlankNode:
        root = parent.setdefault(node, node)
        while root != parent[root]:
            root = parent[root]
        while node != root:
            parent[node], node = root, parent[node]
        return root

    for triple in triples:
        nodes = [t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        for node in nodes:
            find(node)
        if len(nodes) == 2:
            parent[find(nodes[0])] = find(nodes[1])
    components: dict[ox.BlankNode, list[ox.Triple]] = {}
    for triple in triples:
        node = next(
            (t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)), None
        )
        if node is None:
            yield [triple]
        else:
            components.setdefault(find(node), []).append(triple)
    yield from components.values()


def _serialise(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _iri(text: str) -> ox.NamedNode:
    try:
        node = ox.NamedNode(text)
    except ValueError as error:
        raise UsageError(f"not a valid graph IRI: {text!r} ({error})") from None
    if not text.startswith(("http://", "https://", "urn:")):
        raise UsageError(f"the graph name must be an absolute IRI, got {text!r}")
    return node


def count_triples(session: _Session, where: StoreLayout, graph: ox.NamedNode) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    body = urllib.parse.urlencode({"query": query}).encode()
    answer = session.request(
        "POST",
        where.query,
        body,
        "application/x-www-form-urlencoded",
        accept="application/sparql-results+json",
    )
    try:
        bindings = json.loads(answer)["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError, TypeError):
        raise EndpointError(
            f"{where.query} did not answer a COUNT query with SPARQL JSON"
        ) from None


def _update(session: _Session, where: StoreLayout, text: str) -> bytes:
    body = urllib.parse.urlencode({"update": text}).encode()
    return session.request("POST", where.update, body, "application/x-www-form-urlencoded")


class _Session:
    """urllib with pre-emptive HTTP digest (or basic) auth and a timeout on every request.

    The digest challenge is fetched once with a body-less request; later requests carry the
    Authorization header from the start, so no upload is ever answered by a 401 half-way.
    """

    def __init__(self, user: str | None, password: str | None, timeout: float):
        self.user = user
        self.password = password
        self.timeout = timeout
        self.challenge: dict[str, str] | None = None
        self.scheme: str | None = None
        self.count = 0

    def prime(self, url: str) -> None:
        if self.user is None:
            return
        try:
            self._open("GET", url, None, {})
        except urllib.error.HTTPError as error:
            if error.code == 401:
                self._learn(error.headers.get_all("WWW-Authenticate") or [])

    def request(
        self, method: str, url: str, body: bytes | None, content_type: str, *, accept: str = "*/*"
    ) -> bytes:
        headers = {"Content-Type": content_type, "Accept": accept}
        for attempt in range(2):
            auth = self._authorization(method, url)
            if auth:
                headers["Authorization"] = auth
            try:
                return self._open(method, url, body, headers)
            except urllib.error.HTTPError as error:
                detail = _detail(error)
                if error.code == 401 and attempt == 0 and self.user is not None:
                    self._learn(error.headers.get_all("WWW-Authenticate") or [])
                    continue
                if error.code == 401:
                    who = f"user {self.user}" if self.user else "no user given"
                    raise EndpointError(f"{url} refused the login ({who}): HTTP 401") from None
                raise EndpointError(
                    f"{method} {url} failed (HTTP {error.code}): {detail}"
                ) from None
            except urllib.error.URLError as error:
                raise EndpointError(f"cannot reach {url}: {error.reason}") from None
            except TimeoutError:
                raise EndpointError(f"{url} did not answer within {self.timeout} s") from None
            except OSError as error:  # connection reset and the like
                raise EndpointError(f"{method} {url} failed: {error}") from None
        raise EndpointError(f"{url} refused the login (user {self.user})")

    def _open(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return response.read()

    def _learn(self, offers: list[str]) -> None:
        for offer in offers:
            scheme, _, rest = offer.partition(" ")
            if scheme.lower() == "digest":
                items = urllib.request.parse_http_list(rest)
                self.challenge = urllib.request.parse_keqv_list(items)
                self.scheme, self.count = "digest", 0
                return
            if scheme.lower() == "basic":
                self.scheme = "basic"
        if self.scheme is None:
            raise EndpointError(f"unsupported authentication scheme: {offers}")

    def _authorization(self, method: str, url: str) -> str | None:
        if self.user is None or self.scheme is None:
            return None
        password = self.password or ""
        if self.scheme == "basic":
            import base64

            token = base64.b64encode(f"{self.user}:{password}".encode()).decode()
            return f"Basic {token}"
        assert self.challenge is not None
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        realm, nonce = self.challenge.get("realm", ""), self.challenge.get("nonce", "")
        self.count += 1
        nc = f"{self.count:08x}"
        cnonce = secrets.token_hex(8)

        def md5(text: str) -> str:
            return hashlib.md5(text.encode("utf-8")).hexdigest()

        ha1 = md5(f"{self.user}:{realm}:{password}")
        ha2 = md5(f"{method}:{uri}")
        qop = "auth" if "auth" in self.challenge.get("qop", "").split(",") else None
        if qop:
            response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
        else:
            response = md5(f"{ha1}:{nonce}:{ha2}")
        fields = [
            f'username="{self.user}"',
            f'realm="{realm}"',
            f'nonce="{nonce}"',
            f'uri="{uri}"',
            f'response="{response}"',
            "algorithm=MD5",
        ]
        if qop:
            fields += [f"qop={qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        if "opaque" in self.challenge:
            fields.append(f'opaque="{self.challenge["opaque"]}"')
        return "Digest " + ", ".join(fields)


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read().decode("utf-8", "replace")
    except OSError:
        text = ""
    text = text.split("\n\nSPARQL query:", 1)[0]
    return " ".join(text.split())[:400] or error.reason or ""
