"""The read-only SPARQL endpoint, exercised with real clients over real HTTP.

Each server runs in-process on a free 127.0.0.1 port with its worker processes, and is
always shut down. Answers are compared with the same queries run in-process.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

from b12kg.endpoint import Refused, SparqlServer, check_query, make_server, negotiate
from b12kg.sparql.binding import bind_parameters, values_block
from b12kg.sparql.library import checks, get_query, library

B12 = "https://w3id.org/b12kg/"
ENTITY_LABELS = f"""PREFIX b12: <{B12}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label WHERE {{ ?entity b12:kind "drug" ; rdfs:label ?label }} ORDER BY ?entity
"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def _start(**options) -> tuple[SparqlServer, threading.Thread]:
    server = make_server(port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.knowledge_graph()  # entity pages load in the background on first use (tested below)
    return server, thread


@pytest.fixture(scope="module")
def endpoint() -> Iterator[SparqlServer]:
    server, thread = _start(timeout_s=1.0)
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def small_endpoint() -> Iterator[SparqlServer]:
    """Tight limits: 100 rows, 1 kB bodies, one worker, no answer cache."""
    server, thread = _start(timeout_s=1.0, max_rows=100, max_body=1024, workers=1, cache_mb=0)
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    from b12kg.sparql.embedded import read_store
    from tests.conftest import ONTOLOGY

    return read_store(ONTOLOGY / "b12kg.ttl")


def client(server: SparqlServer, query: str, fmt: str = JSON, method: str = "GET", **kw):
    wrapper = SPARQLWrapper(server.url)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    wrapper.setMethod(method)
    for name, value in kw.items():
        getattr(wrapper, name)(value)
    return wrapper.queryAndConvert()


def request(
    server: SparqlServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def get(server: SparqlServer, query: str, accept: str | None = None, **params: str):
    path = "/sparql?" + urlencode({"query": query, **params})
    return request(server, "GET", path, headers={"Accept": accept} if accept else {})


def rows_of(result: dict) -> list[tuple[tuple[str, str], ...]]:
    return sorted(
        tuple(sorted((k, v["value"]) for k, v in binding.items()))
        for binding in result["results"]["bindings"]
    )


# --- answers equal the in-process ones --------------------------------------------------------


def test_causal_edges_over_http_equal_the_local_query(endpoint, kg):
    query = get_query("causal-edges")
    text = query.text + values_block(bind_parameters(kg, query, {}))
    remote = client(endpoint, text)
    local = kg.query("causal-edges")
    remote_rows = rows_of(remote)
    local_rows = sorted(
        tuple(sorted((k, str(v)) for k, v in row.items() if v is not None)) for row in local.rows
    )
    assert len(local_rows) > 100
    assert remote_rows == local_rows


def test_every_triple_is_served(endpoint, store):
    result = client(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(result["results"]["bindings"][0]["n"]["value"]) == len(store)


def test_select_as_json_xml_and_csv_give_the_same_rows(endpoint, store):
    expected = sorted((s["entity"].value, s["label"].value) for s in store.query(ENTITY_LABELS))
    as_json = client(endpoint, ENTITY_LABELS, JSON)
    assert sorted((r[0][1], r[1][1]) for r in rows_of(as_json)) == expected

    as_xml = client(endpoint, ENTITY_LABELS, XML)  # a minidom document
    xml_rows = []
    for result in as_xml.getElementsByTagName("result"):
        cells = {
            b.getAttribute("name"): b.firstChild.firstChild.data
            for b in result.getElementsByTagName("binding")
        }
        xml_rows.append((cells["entity"], cells["label"]))
    assert sorted(xml_rows) == expected

    as_csv = client(endpoint, ENTITY_LABELS, CSV).decode()
    lines = as_csv.strip().splitlines()
    assert lines[0] == "entity,label"
    assert len(lines) - 1 == len(expected)


def test_ask(endpoint):
    assert client(endpoint, f"ASK {{ <{B12}pernicious_anemia> ?p ?o }}")["boolean"] is True
    assert client(endpoint, f"ASK {{ <{B12}no_such_thing> ?p ?o }}")["boolean"] is False


def test_construct_as_turtle(endpoint, store):
    query = (
        f"CONSTRUCT {{ <{B12}pernicious_anemia> ?p ?o }} WHERE {{ <{B12}pernicious_anemia> ?p ?o }}"
    )
    turtle = client(endpoint, query, TURTLE)  # SPARQLWrapper hands Turtle back as bytes
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert len(graph) == len(list(store.query(query))) > 3


def test_post_form_and_post_direct_and_get_agree(endpoint):
    by_get = client(endpoint, ENTITY_LABELS)
    by_form = client(endpoint, ENTITY_LABELS, method=POST, setRequestMethod=URLENCODED)
    by_body = client(endpoint, ENTITY_LABELS, method=POST, setRequestMethod=POSTDIRECTLY)
    assert rows_of(by_get) == rows_of(by_form) == rows_of(by_body)
    assert rows_of(by_get)


def test_construct_formats_by_accept_and_format_parameter(endpoint):
    query = f"DESCRIBE <{B12}pernicious_anemia>"
    status, headers, body = get(endpoint, query)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    status, headers, body = get(endpoint, query, "application/n-triples")
    assert status == 200 and headers["Content-Type"] == "application/n-triples"
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) > 3
    status, headers, body = get(endpoint, query, format="json-ld")
    assert status == 200 and headers["Content-Type"] == "application/ld+json"
    assert len(rdflib.Graph().parse(data=body, format="json-ld")) > 3


def test_select_formats_by_accept_and_format_parameter(endpoint):
    status, headers, body = get(endpoint, ENTITY_LABELS, "text/tab-separated-values")
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    assert body.startswith(b"?entity\t?label\n")
    status, headers, _ = get(endpoint, ENTITY_LABELS, "text/html;q=0.9, text/csv;q=0.5")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, headers, _ = get(endpoint, ENTITY_LABELS, "image/png", format="xml")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"


def test_unsupported_accept_gives_406(endpoint):
    status, _, body = get(endpoint, ENTITY_LABELS, "image/png")
    assert status == 406
    assert b"application/sparql-results+json" in body
    status, _, body = get(endpoint, f"CONSTRUCT WHERE {{ <{B12}x> ?p ?o }}", "image/png, text/html")
    assert status == 406 and b"text/turtle" in body


DESCRIBE_PA = f"DESCRIBE <{B12}pernicious_anemia>"


@pytest.mark.parametrize(
    ("accept", "sent", "syntax"),
    [
        ("application/sparql-results+json", "application/ld+json", "json-ld"),
        ("application/sparql-results+xml", "application/rdf+xml", "xml"),
        ("text/csv", "text/turtle", "turtle"),
        (
            "text/tab-separated-values;q=0.5, application/sparql-results+json;q=0.9",
            "application/ld+json",
            "json-ld",
        ),
    ],
)
def test_graph_answers_fall_back_from_a_results_only_accept(endpoint, store, accept, sent, syntax):
    """A CONSTRUCT/DESCRIBE asked for in a results format gets the nearest graph format,
    labelled as what it is, with every triple of the description."""
    status, headers, body = get(endpoint, DESCRIBE_PA, accept)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == sent
    graph = rdflib.Graph().parse(data=body, format=syntax)
    expected = rdflib.Graph().parse(
        data=store.query(DESCRIBE_PA).serialize(format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    assert len(graph) == len(expected) > 5
    assert rdflib.compare.isomorphic(graph, expected)


def test_own_kind_wins_over_a_fallback_whatever_the_q(endpoint):
    status, headers, _ = get(
        endpoint, DESCRIBE_PA, "application/sparql-results+json, application/n-triples;q=0.1"
    )
    assert status == 200 and headers["Content-Type"] == "application/n-triples"


@pytest.mark.parametrize(
    ("accept", "sent"),
    [
        ("text/turtle", "application/sparql-results+json"),
        ("application/ld+json", "application/sparql-results+json"),
        ("application/rdf+xml", "application/sparql-results+xml"),
    ],
)
def test_select_falls_back_from_a_graph_only_accept(endpoint, accept, sent):
    status, headers, body = get(endpoint, ENTITY_LABELS, accept)
    assert status == 200 and headers["Content-Type"] == sent
    if sent.endswith("json"):
        import json

        assert len(json.loads(body)["results"]["bindings"]) > 10


def test_rdflib_sparqlstore_reads_a_construct_asked_as_sparql_json(endpoint, store):
    """rdflib's SPARQLStore with returnFormat=json sends only the results media type; the
    CONSTRUCT it runs must come back as a graph rdflib can read, not a 406."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = SPARQLStore(endpoint.url, returnFormat="json")
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{B12}pernicious_anemia> AS ?s) ?s ?p ?o }}"
    got = rdflib.Graph()
    for triple in remote.query(query):
        got.add(triple)
    expected = rdflib.Graph().parse(
        data=store.query(query).serialize(format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    assert len(got) == len(expected) > 5
    assert rdflib.compare.isomorphic(got, expected)
    remote.close()


def test_jsonld_is_compact_with_the_shipped_context(endpoint, store):
    """Short names under the shipped @context, and the same triples as the engine's own
    (expanded) answer once a JSON-LD processor expands it again."""
    import json

    from b12kg.resources import ontology_path

    status, headers, body = get(endpoint, DESCRIBE_PA, "application/ld+json")
    assert status == 200 and headers["Content-Type"] == "application/ld+json"
    document = json.loads(body)
    with open(ontology_path("b12kg.context.jsonld"), encoding="utf-8") as handle:
        assert document["@context"] == json.load(handle)["@context"]
    node = next(n for n in document["@graph"] if n["@id"] == "b12:pernicious_anemia")
    assert node["b12:kind"] == "disease"  # a plain string, not {"@value": …, "@type": …}
    assert node["@type"] == "owl:Class" or "owl:Class" in node["@type"]
    assert {"@id": "b12:intrinsic_factor_antibodies"} in node["b12:hasMechanism"]
    assert not any(k.startswith("http") for n in document["@graph"] for k in n)
    text = body.decode()
    assert f'"{B12}pernicious_anemia"' not in text
    graph = rdflib.Graph().parse(data=body, format="json-ld")
    expected = rdflib.Graph().parse(
        data=store.query(DESCRIBE_PA).serialize(format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    assert rdflib.compare.isomorphic(graph, expected)


# --- CORS: a page on another origin may read this endpoint -------------------------------------


def test_preflight_allows_any_origin_to_post_a_query(endpoint):
    status, headers, body = request(
        endpoint,
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert status == 204 and body == b""
    assert headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in headers["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "POST", "OPTIONS"}
    allowed = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept"} <= allowed
    assert "Access-Control-Allow-Credentials" not in headers  # nothing to share but data


def test_every_answer_carries_cors_headers(endpoint):
    origin = {"Origin": "https://yasgui.example"}
    answers = [
        get(endpoint, ENTITY_LABELS),
        request(endpoint, "GET", "/sparql", headers=origin),
        request(endpoint, "GET", "/nope", headers=origin),
        request(
            endpoint,
            "POST",
            "/sparql",
            b"update=DROP+ALL",
            {"Content-Type": "application/x-www-form-urlencoded", **origin},
        ),
    ]
    assert [a[0] for a in answers] == [200, 200, 404, 403]
    for _, headers, _ in answers:
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert "Content-Type" in headers["Access-Control-Expose-Headers"]


def test_preflight_still_obeys_the_loopback_host_guard(endpoint):
    status, headers, _ = request(endpoint, "OPTIONS", "/sparql", headers={"Host": "evil.example"})
    assert status == 403 and "Access-Control-Allow-Methods" not in headers


# --- the query form comes from the parse, never from keywords ----------------------------------

WORDY = f"""# Only identifiers seen in a named source may be added.
# Another comment line to add to the confusion.
PREFIX b12: <{B12}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label WHERE {{
  ?entity rdfs:label ?label .
  FILTER(?label != "ADD DROP INSERT" && ?entity != <{B12}add/delete>)
}} ORDER BY ?label LIMIT 5
"""


def test_a_select_with_update_words_runs_as_a_query(endpoint, store):
    expected = [str(s["label"].value) for s in store.query(WORDY)]
    status, _, body = get(endpoint, WORDY)
    assert status == 200
    import json

    assert [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]] == expected


def test_sparqlwrapper_sending_a_query_as_an_update_gets_the_answer(endpoint, store):
    """SPARQLWrapper picks the operation from keywords and sends this SELECT as `update=`;
    the endpoint parses the text, sees a query, and answers it."""
    wrapper = SPARQLWrapper(endpoint.url)
    wrapper.setQuery(WORDY)
    assert wrapper.isSparqlUpdateRequest()  # the client's guess: an update
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    response = wrapper.query().response
    import json

    data = json.loads(response.read())
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == [
        str(s["label"].value) for s in store.query(WORDY)
    ]


def test_a_real_update_sent_as_update_is_still_refused(endpoint, store):
    before = len(store)
    status, _, body = request(
        endpoint,
        "POST",
        "/sparql",
        f"update=INSERT+DATA+{{<{B12}a>+<{B12}b>+<{B12}c>}}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403 and b"read-only" in body
    assert len(store) == before
    assert get(endpoint, f"ASK {{ <{B12}a> <{B12}b> <{B12}c> }}")[2].find(b"false") >= 0


# --- refused: updates, FROM, SERVICE ----------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        f"INSERT DATA {{ <{B12}a> <{B12}b> <{B12}c> }}",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <file:///etc/passwd>",
        "DROP ALL",
        "PREFIX ex: <http://example.org/> # SELECT * {}\nCLEAR DEFAULT",
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } ; drop all",
        "\\u0044ROP ALL",
    ],
)
def test_updates_are_refused_with_403(endpoint, store, update):
    before = len(store)
    for method in ("GET", "POST"):
        if method == "GET":
            status, _, body = get(endpoint, update)
        else:
            status, _, body = request(
                endpoint,
                "POST",
                "/sparql",
                update.encode(),
                {"Content-Type": "application/sparql-query"},
            )
        assert status == 403, body
        assert b"read-only" in body
    assert client(endpoint, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")["results"]["bindings"][0]["n"][
        "value"
    ] == str(before)


def test_update_protocol_is_refused(endpoint):
    body = urlencode({"update": "DROP ALL"}).encode()
    status, _, message = request(
        endpoint, "POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 403 and b"read-only" in message
    status, _, _ = request(
        endpoint, "POST", "/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"}
    )
    assert status == 403


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "PREFIX : <http://example.org/> SELECT * FROM:g WHERE { ?s ?p ?o }",
    ],
)
def test_from_is_refused_with_400(endpoint, query):
    status, _, body = get(endpoint, query)
    assert status == 400
    assert b"FROM" in body


def test_dataset_parameters_are_refused(endpoint):
    status, _, body = get(endpoint, ENTITY_LABELS, **{"default-graph-uri": "file:///etc/passwd"})
    assert status == 400 and b"default-graph-uri" in body


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local TCP port that records any connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = sock.accept()
            except OSError:
                continue
            seen.append(b"connected")
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], seen
    stop.set()
    thread.join(2)
    sock.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "PREFIX : <http://127.0.0.1:{port}/x> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICESILENT<http://127.0.0.1:{port}/>{{ ?a ?b ?c }} }}",
        "PREFIX e: <http://e/> SELECT * WHERE {{ ?s ?p e:a\\#b . SERVICE <http://127.0.0.1:{port}/> {{ ?a ?b ?c }} }}",
        "PREFIX : <http://127.0.0.1:{port}/x> SELECT * WHERE {{ ?s ?p trueSERVICE:x {{ ?a ?b ?c }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_nothing_is_contacted(endpoint, listener, template):
    port, seen = listener
    status, _, body = get(endpoint, template.format(port=port))
    assert status == 400, body
    # SERVICESILENT<…> is read as SERVICE SILENT by pyoxigraph, as an error by the check's
    # grammar: refused either way, with a message that says why
    assert b"SERVICE" in body or b"read this query differently" in body
    time.sleep(0.1)
    assert seen == []


def test_workers_have_no_network_even_if_a_service_call_got_through(endpoint, listener):
    if not endpoint.pool.isolated:
        pytest.skip("network namespaces are not available here")
    port, seen = listener
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
    status, _, body = endpoint.pool.run(query, "json", "turtle", 100)  # bypasses the check
    assert status == 500, body
    time.sleep(0.1)
    assert seen == []


# --- limits -----------------------------------------------------------------------------------


def test_a_runaway_query_is_stopped_and_others_are_served_meanwhile(endpoint):
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.perf_counter()
        outcome["status"], _, outcome["body"] = get(endpoint, RUNAWAY)
        outcome["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    started = time.perf_counter()
    status, _, _ = get(endpoint, f"ASK {{ <{B12}pernicious_anemia> ?p ?o }}")
    assert status == 200
    assert time.perf_counter() - started < 0.5  # the other worker answered
    thread.join(10)
    assert outcome["status"] == 503
    assert b"1 s" in outcome["body"]
    assert outcome["seconds"] < 3.0
    started = time.perf_counter()
    status, _, _ = get(endpoint, ENTITY_LABELS + " # right afterwards")
    assert status == 200
    assert time.perf_counter() - started < 1.0


def test_too_many_rows_gives_413_with_the_limit(small_endpoint):
    status, _, body = get(small_endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413
    assert b"100 rows" in body and b"LIMIT" in body
    status, _, body = get(small_endpoint, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert status == 413 and b"100 triples" in body
    status, _, body = get(small_endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 100")
    assert status == 200
    assert body.count(b'"s":') == 100


def test_row_limit_stops_a_huge_result_without_killing_the_worker(small_endpoint):
    """Streaming stops at row 101: the worker answers 413 and lives (the 1 s timeout would
    have killed it had the ~10^10-row result run on); no wall-clock bound (shared machine)."""
    before = small_endpoint.pool.health()
    status, _, body = get(small_endpoint, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    assert status == 413 and b"100" in body
    after = small_endpoint.pool.health()
    assert after["restarts"] == before["restarts"] and after["replaced"] == before["replaced"]


def test_oversize_body_gives_413(small_endpoint):
    body = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 2000).encode()
    status, _, message = request(
        small_endpoint, "POST", "/sparql", body, {"Content-Type": "application/sparql-query"}
    )
    assert status == 413 and b"1,024" in message


def test_overlong_url_gives_414(endpoint):
    status, _, _ = get(endpoint, "SELECT * WHERE { ?s ?p ?o } #" + "x" * 9000)
    assert status == 414


def test_malformed_query_gives_400_with_line_and_column(endpoint):
    for _ in range(2):  # the second answer comes from the remembered verdict, same message
        status, _, body = get(endpoint, "SELECT ?s\nWHERE { ?s ?p }")
        assert status == 400
        assert b"line 2, column" in body


def test_other_hosts_are_refused_on_loopback(endpoint):
    status, _, _ = request(endpoint, "GET", "/", headers={"Host": "evil.example"})
    assert status == 403
    status, _, _ = request(endpoint, "GET", "/", headers={"Host": "localhost:8000"})
    assert status == 200


# --- the service description and the pages ----------------------------------------------------


def test_service_description_is_turtle_naming_this_endpoint(endpoint):
    status, headers, body = request(endpoint, "GET", "/sparql")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoints = {str(o) for o in graph.objects(None, sd.endpoint)}
    assert endpoints == {endpoint.url}
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph


def test_query_page_lists_the_library(endpoint):
    status, headers, body = request(endpoint, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    page = body.decode()
    for name, query in library().items():
        assert f'data-name="{name}"' in page
        assert query.summary.split("(")[0].strip()[:30] in page.replace("&#x27;", "'")
    assert "<textarea" in page
    assert '<script src="static/query.js"></script>' in page


def test_page_assets_are_served_from_the_package_and_nothing_else(endpoint):
    from b12kg.endpoint.assets import STATIC_DIR

    for name, media in (("query.js", "text/javascript"), ("page.css", "text/css")):
        status, headers, body = request(endpoint, "GET", f"/static/{name}")
        assert status == 200 and headers["Content-Type"].startswith(media)
        assert body == (STATIC_DIR / name).read_bytes()
        assert b"http://" not in body.replace(b"http://www.w3.org/", b"") or name == "page.css"
        assert b"https://" not in body.replace(b"https://w3id.org/b12kg/", b"")
    for path in ("/static/../http.py", "/static/%2e%2e/http.py", "/static/nope.js", "/static/"):
        assert request(endpoint, "GET", path)[0] == 404


def test_library_files_are_served(endpoint):
    status, headers, body = request(endpoint, "GET", "/queries/causal-edges.rq")
    assert status == 200 and body.decode() == get_query("causal-edges").text
    assert headers["Content-Type"].startswith("application/sparql-query")
    assert request(endpoint, "GET", "/queries/../pyproject.rq")[0] == 404
    assert request(endpoint, "GET", "/queries/nope.rq")[0] == 404


@pytest.mark.parametrize(
    "name", ["omeprazole", "b12:omeprazole", "https%3A%2F%2Fw3id.org%2Fb12kg%2Fomeprazole", "Losec"]
)
def test_entity_page_by_local_name_curie_iri_or_synonym(endpoint, kg, name):
    status, headers, body = request(endpoint, "GET", f"/entity/{name}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    page = body.decode()
    assert "<h1>omeprazole</h1>" in page and '<svg xmlns="http://www.w3.org/2000/svg"' in page
    for path in kg.paths("omeprazole"):
        assert path.describe() in page.replace("&#x27;", "'")


def test_entity_page_of_a_finding_shows_what_leads_to_it(endpoint, kg):
    status, _, body = request(endpoint, "GET", "/entity/hypochlorhydria")
    page = body.decode()
    assert status == 200 and "What leads to hypochlorhydria" in page
    assert 'data-id="omeprazole"' in page
    assert page.count("<tr><td") == len(kg.causes_of("hypochlorhydria"))


def test_entity_page_says_when_nothing_drawn_is_a_supported_cause(endpoint):
    page = request(endpoint, "GET", "/entity/ascorbic_acid")[2].decode()
    assert "None of these paths is a supported cause" in page and "disputed" in page
    page = request(endpoint, "GET", "/entity/omeprazole")[2].decode()
    assert "None of these paths is a supported cause" not in page


def test_entity_page_names_a_binding_protein_change_as_such(endpoint):
    page = request(endpoint, "GET", "/entity/combined_oral_contraceptive")[2].decode()
    assert "(they are: binding-protein change)" in page
    assert "they are: physiological" not in page, "pregnancy's section, not the pill's"
    page = request(endpoint, "GET", "/entity/cobalamin")[2].decode()
    assert "(they are: exogenous cobalamin)" in page


def test_entity_page_of_a_site_lists_what_is_located_there(endpoint, kg):
    status, _, body = request(endpoint, "GET", "/entity/stomach")
    page = body.decode()
    assert status == 200 and "stomach is not a cause, mechanism or finding" in page
    assert "<svg" not in page
    located = {e.subject for e in kg.edges.incoming["stomach"] if e.relation == "locatedIn"}
    assert located and all(f'<a href="{name}">' in page for name in located)


def test_a_misspelt_entity_page_says_what_it_took_and_the_server_keeps_no_notice(endpoint):
    first = request(endpoint, "GET", "/entity/pernicous%20anemia")
    assert first[0] == 200
    page = first[2].decode().replace("&#x27;", "'")
    assert "<h1>pernicious anemia</h1>" in page
    assert "Taking 'pernicious anemia' for 'pernicous anemia'." in page
    request(endpoint, "GET", "/entity/pernicous%20anemia")
    assert endpoint.knowledge_graph().notices == []  # a long-running server collects nothing
    exact = request(endpoint, "GET", "/entity/pernicious_anemia")[2].decode()
    assert "Taking" not in exact


def test_unknown_entity_is_a_404_page_that_names_it_safely(endpoint):
    status, headers, body = request(endpoint, "GET", "/entity/%3Cscript%3Ex")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert b"<script>x" not in body and b"&lt;script&gt;x" in body


def test_url_is_loopback_by_default(endpoint):
    assert urlsplit(endpoint.url).hostname == "127.0.0.1"


# --- the query check and content negotiation, without HTTP -------------------------------------


def test_every_library_and_check_query_passes_the_check():
    for query in [*library().values(), *checks().values()]:
        assert check_query(query.text).kind == "results", query.name


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x WHERE { ?x <http://e/p> "insert data; drop all; service; from" }',
        "SELECT ?x WHERE { ?x <http://e/p> '''FROM\n<file:///etc/passwd>''' }",
        "# DROP ALL\nSELECT * WHERE { ?s <http://example.org/service#from> ?o }",
        "PREFIX address: <http://e/> SELECT ?from ?service WHERE { ?from ?service ?o }",
        'SELECT * WHERE { ?s ?p "x"@en }',
    ],
)
def test_words_in_strings_iris_comments_and_variables_are_not_keywords(query):
    check_query(query)  # does not raise


def test_query_kinds():
    assert check_query("PREFIX a: <http://a/> BASE <http://b/> ASK {}").kind == "results"
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }").kind == "graph"
    assert check_query("describe <http://a>").kind == "graph"
    assert not check_query("SELECT (RAND() AS ?r) {}").deterministic


def test_negotiation():
    assert negotiate("results", None, []) == "json"
    assert negotiate("results", "*/*", []) == "json"
    assert negotiate("results", "text/csv;q=0.2, application/sparql-results+xml", []) == "xml"
    assert negotiate("graph", "application/*", []) == "ntriples"
    assert negotiate("graph", "text/turtle;q=0, */*;q=0.1", []) == "turtle"
    assert negotiate("graph", None, ["turtle", "text/turtle"]) == "turtle"
    assert negotiate("results", "text/turtle", []) == "json"  # falls back: nearest of its kind
    assert negotiate("graph", "application/sparql-results+json", []) == "jsonld"
    assert negotiate("graph", "text/csv, application/sparql-results+xml;q=0.5", []) == "turtle"
    with pytest.raises(Refused) as refused:
        negotiate("results", "image/png, text/html", [])
    assert refused.value.status == 406


def test_jsonld_compaction_keeps_every_triple_and_uses_only_safe_prefixes():
    """Prefixes ending in `_` (CHEBI_, HP_) are not JSON-LD 1.1 prefixes: those IRIs go
    through `obo:`. Typed and language literals keep their type and tag."""
    import json

    from b12kg.endpoint.jsonld import compact, shipped_context

    turtle = f"""
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <{B12}a> a <http://www.w3.org/2002/07/owl#Class> ;
        <http://www.w3.org/2000/01/rdf-schema#label> "a"@en, "plain" ;
        <{B12}count> 3 ;
        <http://www.geneontology.org/formats/oboInOwl#hasDbXref> <http://purl.obolibrary.org/obo/CHEBI_7772> ;
        <http://example.org/other#p> <http://example.org/x> ;
        <{B12}rel> [ <{B12}kind> "x" ] .
    """
    triples = list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))
    body = compact(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    document = json.loads(body)
    assert document["@context"] == shipped_context()
    node = next(n for n in document["@graph"] if n["@id"] == "b12:a")
    assert node["@type"] == "owl:Class"
    assert node["oboInOwl:hasDbXref"] == {"@id": "obo:CHEBI_7772"}
    assert node["b12:count"] == {"@value": "3", "@type": "xsd:integer"}
    assert {"@value": "a", "@language": "en"} in node["rdfs:label"] and "plain" in node[
        "rdfs:label"
    ]
    assert node["http://example.org/other#p"] == {"@id": "http://example.org/x"}
    back = rdflib.Graph().parse(data=body, format="json-ld")
    expected = rdflib.Graph().parse(data=turtle, format="turtle")
    assert rdflib.compare.isomorphic(back, expected)
    assert compact(b"not json") == b"not json"


def test_entity_pages_load_in_the_background_and_say_so_until_ready(tmp_path):
    """A big file is a full parse for the entity pages' graph: it runs on its own thread,
    the entity pages answer 503 "loading" with Retry-After meanwhile, SPARQL is not held up."""
    big = tmp_path / "big.nt"
    with big.open("w") as out:
        for i in range(300_000):
            out.write(
                f'<{B12}thing{i}> <http://www.w3.org/2000/01/rdf-schema#label> "thing {i}" .\n'
            )
    server = make_server(big, port=0, workers=1, timeout_s=10.0, cache_mb=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status, headers, body = request(server, "GET", "/entity/thing7")
        assert status == 503 and headers["Retry-After"] == "2"
        assert "Entity pages are loading, retry in a moment" in body.decode()
        assert not server.entity_graph_ready.is_set()  # answered while loading, not after
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        status, _, body = get(server, count, "application/sparql-results+json")
        assert (
            status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "300000"
        )
        assert server.entity_graph_ready.wait(120)
        status, headers, body = request(server, "GET", "/entity/nothing_here")
        assert status == 404 and "Retry-After" not in headers and "No such entity" in body.decode()
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        server.pool.close()


def test_entity_pages_that_cannot_load_say_why(endpoint, tmp_path):
    missing = tmp_path / "gone.ttl"
    endpoint.load_entity_graph(str(missing)).join(60)
    try:
        status, headers, body = request(endpoint, "GET", "/entity/omeprazole")
        page = body.decode()
        assert status == 503 and "Retry-After" not in headers  # a failure, not a wait
        assert "Entity pages are unavailable" in page and "gone.ttl" in page
        assert request(endpoint, "GET", "/health")[0] == 200  # the endpoint itself is fine
    finally:
        endpoint.load_entity_graph(endpoint.pool.store_path).join(60)
    assert request(endpoint, "GET", "/entity/omeprazole")[0] == 200


# -- a library query bound by a trailing VALUES row: judged by its library text's verdict

_FINDINGS = library()["findings-of-cause"].text
_ROW = "\nVALUES ?__cause_iri { <https://w3id.org/b12kg/pernicious_anemia> }\n"


def test_a_bound_library_query_is_judged_by_its_library_text_not_parsed_again(
    monkeypatch,
) -> None:
    from b12kg.endpoint import workers
    from b12kg.endpoint.guard import check_query

    parsed: list[str] = []

    def counting(text: str):
        parsed.append(text)
        return check_query(text)

    workers._checked_library_text.cache_clear()
    monkeypatch.setattr(workers, "check_query", counting)
    rows = [_ROW.replace("pernicious_anemia", name) for name in ("crohns_disease", "x", "y")]
    verdicts = [workers._library_verdict(_FINDINGS + row) for row in rows]
    assert verdicts == [check_query(_FINDINGS + row) for row in rows]
    assert parsed == [_FINDINGS]  # the library text once, none of the texts as sent
    assert workers._library_verdict("SELECT ?s WHERE { ?s ?p ?__cause_iri }" + _ROW) is None
    workers._checked_library_text.cache_clear()


def test_a_bound_library_query_the_rewrite_cannot_run_is_answered_as_sent(endpoint, store):
    # a literal where the query wants an IRI: the constant cannot stand in subject position
    sent = _FINDINGS + '\nVALUES ?__cause_iri { "pernicious anemia" }\n'
    served = client(endpoint, sent)
    wanted = json.loads(store.query(sent).serialize(format=ox.QueryResultsFormat.JSON))
    assert served["results"]["bindings"] == wanted["results"]["bindings"] == []


@pytest.mark.parametrize(
    "tail",
    [
        " ; DROP ALL",
        "\nSERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
        " } ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "\n# a comment\n; CLEAR DEFAULT",
    ],
)
def test_a_bound_library_query_with_anything_after_its_row_is_checked_in_full(
    endpoint, store, tail
) -> None:
    from b12kg.endpoint.workers import _library_verdict

    text = _FINDINGS + _ROW + tail
    assert _library_verdict(text) is None
    status, _, body = get(endpoint, text)
    assert status in (400, 403), body
    assert b"finding" not in body  # refused, not answered


def test_a_bound_library_query_gets_the_answer_of_its_text_as_sent(endpoint, store) -> None:
    sent = _FINDINGS + _ROW
    served = client(endpoint, sent)
    wanted = json.loads(store.query(sent).serialize(format=ox.QueryResultsFormat.JSON))
    assert served["results"]["bindings"] == wanted["results"]["bindings"]
    assert wanted["results"]["bindings"]
