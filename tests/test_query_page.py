"""The query page and the entity pages, used the way people use them: in a real browser.

A real `b12kg serve` runs as its own process on 127.0.0.1; headless Chromium (Debian's
`chromium`, driven by Playwright — no browser is downloaded) opens the page, picks a library
query, presses Ctrl-Enter, sorts, pages, downloads, follows links. Answers are compared with
the same query text run in-process. Every request the browser makes is recorded: none may
leave this server (no CDN). Screenshots go to a temporary folder (B12KG_SCREENSHOTS to keep
them).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from b12kg.sparql.library import get_query

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Offline and quiet: no first-run, sync, component updates or background requests.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
B12 = "https://w3id.org/b12kg/"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"
)


def _wait_for_entity_pages(page: str) -> None:
    """Entity pages answer 503 while their graph loads in the background; wait it out."""
    import urllib.error
    import urllib.request

    for _ in range(600):
        try:
            with urllib.request.urlopen(page + "entity/pernicious_anemia", timeout=10):
                return
        except urllib.error.HTTPError as error:
            if error.code != 503 or error.headers.get("Retry-After") is None:
                raise
        time.sleep(0.1)
    raise AssertionError("entity pages still loading after 60 s")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`b12kg serve --port 0` as a separate process; yields the page URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "b12kg", "serve", "--port", "0", "--timeout", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("b12kg SPARQL endpoint: "), first + process.stderr.read()
        url = first.split()[3]
        page = url[: -len("sparql")]
        _wait_for_entity_pages(page)
        yield page
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture(scope="module")
def screenshots() -> Path:
    folder = Path(os.environ.get("B12KG_SCREENSHOTS") or tempfile.mkdtemp(prefix="b12kg-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, server):
    """A fresh tab; records every request and fails the test on any that leaves the server
    or on a script error."""
    tab = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on(  # a 4xx answer is logged by the browser itself; only script errors count
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.requests = requests
    yield tab
    tab.close()
    outside = [u for u in requests if not u.startswith((server, "blob:", "data:"))]
    assert outside == []
    assert errors == []


@pytest.fixture(scope="module")
def store():
    from b12kg.sparql.embedded import read_store
    from tests.conftest import ONTOLOGY

    return read_store(ONTOLOGY / "b12kg.ttl")


def local_rows(store, text: str) -> tuple[list[str], list[list[str]]]:
    """(variables, rows of plain values) of the query run in-process, in the engine's order."""
    result = store.query(text)
    variables = [v.value for v in result.variables]
    rows = [[s[v].value if s[v] is not None else "" for v in variables] for s in result]
    return variables, rows


def run_library_query(page, server: str, name: str) -> None:
    page.goto(server)
    page.select_option("#library", name)
    page.focus("#query")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#result-table tbody tr")


def column(page, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#result-table tbody tr td:nth-child({index})", "cells => cells.map(c => c.textContent)"
    )


# --- the query page -------------------------------------------------------------------------


def test_a_library_query_runs_with_ctrl_enter_and_shows_compact_clickable_iris(
    page, server, store, screenshots
):
    query = get_query("causes-of-low-b12")
    run_library_query(page, server, "causes-of-low-b12")
    variables, rows = local_rows(store, query.text)
    assert page.text_content("#status").startswith(f"{len(rows)} rows")
    assert page.eval_on_selector_all("#result-table th", "t => t.map(h => h.textContent)") == [
        f"?{v}" for v in variables
    ]
    description = page.text_content("#description")
    assert query.summary in description and query.description.split()[2] in description
    links = page.eval_on_selector_all(
        "#result-table tbody tr td:nth-child(1) a.iri",
        "as => as.map(a => [a.textContent, a.getAttribute('href'), a.title])",
    )
    assert len(links) == 25  # the first page
    for (text, href, title), row in zip(links, rows, strict=False):
        local = row[0][len(B12) :]
        assert title == row[0] and text == f"b12:{local}" and href == f"entity/{local}"
    sources = column(page, variables.index("source") + 1)
    assert any(s.startswith("src:") for s in sources)
    assert not any("https://w3id.org" in c for c in column(page, 1) + sources)
    page.screenshot(path=str(screenshots / "query-page.png"))


def test_a_typed_query_is_highlighted_and_runs(page, server, store):
    page.goto(server)
    text = (
        f"PREFIX b12: <{B12}>\n"
        "# drugs, by label\n"
        'SELECT ?drug ?label WHERE { ?drug b12:kind "drug" ; '
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label LIMIT 7"
    )
    page.fill("#query", "")
    page.type("#query", text.replace("\n", " ")[:20])  # typed keys go through the highlighter
    page.fill("#query", text)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#result-table tbody tr")
    spans = page.eval_on_selector_all(
        "#highlight span", "s => s.map(x => [x.className, x.textContent])"
    )
    assert ["tok-keyword", "SELECT"] in spans and ["tok-var", "?drug"] in spans
    assert ["tok-iri", f"<{B12}>"] in spans and ["tok-pname", "b12:kind"] in spans
    assert ["tok-string", '"drug"'] in spans and ["tok-comment", "# drugs, by label"] in spans
    assert page.eval_on_selector("#highlight", "e => e.textContent") == text + "\n"
    labels = [s["label"] for s in store.query(text)]
    shown = [f"{x.value}@{x.language}" if x.language else x.value for x in labels]
    assert column(page, 2) == shown and len(shown) == 7


def test_errors_are_shown_with_line_and_column(page, server):
    page.goto(server)
    page.fill("#query", "SELECT * WHERE { ?s ?p }")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("pre.error")
    assert page.text_content("#status").startswith("400")
    assert "line 1" in page.text_content("pre.error")


def test_sorting_a_column_orders_every_row_not_just_the_page(page, server, store):
    query = get_query("finding-cause-counts")
    run_library_query(page, server, "finding-cause-counts")
    variables, rows = local_rows(store, query.text)
    index = variables.index("causes")
    counts = [int(r[index]) for r in rows]
    header = "#result-table th[data-var='causes']"
    page.click(header)
    assert page.get_attribute(header, "aria-sort") == "ascending"
    shown = [int(c) for c in column(page, index + 1)]
    assert shown == sorted(counts)[: len(shown)]
    page.click(header)
    assert page.get_attribute(header, "aria-sort") == "descending"
    shown = [int(c) for c in column(page, index + 1)]
    assert shown == sorted(counts, reverse=True)[: len(shown)]
    assert shown[0] == max(counts) and shown[0] > 10  # numbers, not "9" > "10"


def test_paging_walks_through_every_row(page, server, store):
    query = get_query("causes-of-low-b12")
    run_library_query(page, server, "causes-of-low-b12")
    _, rows = local_rows(store, query.text)
    assert page.is_disabled("#previous-page")
    seen: list[str] = []
    while True:
        seen += page.eval_on_selector_all(
            "#result-table tbody tr td:nth-child(1) a", "as => as.map(a => a.title)"
        )
        if page.is_disabled("#next-page"):
            break
        page.click("#next-page")
    assert seen == [r[0] for r in rows]
    assert page.text_content("#page-info").startswith(f"rows {len(rows) - len(rows) % 25 + 1}")
    page.select_option("#page-size", "100")
    assert page.text_content("#page-info").startswith(f"rows 1–100 of {len(rows)}")
    assert len(column(page, 1)) == 100


def test_csv_and_json_downloads_hold_every_row(page, server, store):
    query = get_query("causes-of-low-b12")
    run_library_query(page, server, "causes-of-low-b12")
    variables, rows = local_rows(store, query.text)
    with page.expect_download() as csv_download:
        page.click("#download-csv")
    download = csv_download.value
    assert download.suggested_filename.endswith(".csv")
    table = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert table[0] == variables and table[1:] == rows
    with page.expect_download() as json_download:
        page.click("#download-json")
    data = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert data["head"]["vars"] == variables
    assert [
        [b[v]["value"] if v in b else "" for v in variables] for b in data["results"]["bindings"]
    ] == rows
    first = data["results"]["bindings"][0]
    assert first[variables[0]]["type"] == "uri"  # SPARQL JSON, not a lossy table


def test_the_permalink_reopens_and_reruns_the_query(page, browser, server):
    query = get_query("finding-cause-counts")
    run_library_query(page, server, "finding-cause-counts")
    href = page.eval_on_selector("#permalink", "a => a.href")
    assert parse_qs(urlsplit(href).fragment)["query"] == [query.text]  # never sent: no 8 kB limit
    assert page.url == href  # the address bar is the permalink after a run
    status = page.text_content("#status").split(" (")[0]
    other = browser.new_page()
    try:
        other.goto(href)
        other.wait_for_selector("#result-table tbody tr")
        assert other.input_value("#query") == query.text
        assert other.input_value("#library") == "finding-cause-counts"
        assert other.text_content("#status").split(" (")[0] == status
    finally:
        other.close()


def test_a_link_with_the_query_in_its_search_part_runs_too(page, server):
    """`/?query=…` (what other tools link to) opens and runs like the fragment form."""
    from urllib.parse import quote

    text = "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"
    page.goto(server + "?query=" + quote(text))
    page.wait_for_selector("#result-table tbody tr")
    assert page.input_value("#query") == text
    assert column(page, 1) == ["1", "2", "3"]


def test_wide_tables_stay_inside_the_page(page, server, screenshots):
    page.set_viewport_size({"width": 900, "height": 800})
    run_library_query(page, server, "causes-of-low-b12")
    assert len(page.query_selector_all("#result-table th")) >= 8
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.evaluate("() => window.innerWidth")
    box = page.eval_on_selector(".results", "e => e.getBoundingClientRect().right")
    assert box <= 900
    page.eval_on_selector("#result-table", "t => t.scrollIntoView()")
    page.screenshot(path=str(screenshots / "query-page-narrow.png"))


def test_clicking_an_entity_iri_opens_its_entity_page(page, server):
    run_library_query(page, server, "causes-of-low-b12")
    first = page.query_selector("#result-table tbody tr td:nth-child(1) a")
    target = first.get_attribute("title")
    first.click()
    page.wait_for_selector("svg.paths")
    assert page.url == server + "entity/" + target[len(B12) :]
    ids = page.eval_on_selector_all("svg.paths a.node", "as => as.map(a => a.dataset.id)")
    assert target[len(B12) :] in ids


# --- the entity page --------------------------------------------------------------------------


def drawn_nodes(page) -> dict[str, str]:
    return dict(
        page.eval_on_selector_all(
            "svg.paths a.node", "as => as.map(a => [a.dataset.id, a.getAttribute('class')])"
        )
    )


def dash(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).strokeDasharray")


def test_entity_page_draws_the_paths_with_honest_styles(page, server, kg, screenshots):
    page.goto(server + "entity/omeprazole")
    paths = kg.paths("omeprazole")
    nodes = drawn_nodes(page)
    assert set(nodes) == {p.source.id for p in paths} | {
        s.object.id for p in paths for s in p.steps
    }
    assert "metformin" not in nodes and "serum_b12_increased" not in nodes
    assert "depletion" in nodes["cobalamin_depletion"]
    supported = "svg.paths path.link.supported[data-from='hypochlorhydria']"
    assert dash(page, supported) == "none"
    assert page.text_content("h1") == "omeprazole"
    assert len(page.query_selector_all("#paths tbody tr")) == len(paths)
    box = page.eval_on_selector("svg.paths", "e => e.getBoundingClientRect().width")
    assert 0 < box <= 1280
    page.screenshot(path=str(screenshots / "entity-omeprazole.png"), full_page=True)
    page.click("svg.paths a.node[data-id='hypochlorhydria']")
    page.wait_for_selector("h1")
    assert page.url == server + "entity/hypochlorhydria"
    assert "omeprazole" in drawn_nodes(page)  # what leads to hypochlorhydria


def test_a_disputed_artefact_and_an_association_look_like_what_they_are(page, server, screenshots):
    page.goto(server + "entity/ascorbic_acid")
    nodes = drawn_nodes(page)
    assert "cobalamin_depletion" not in nodes and any("artefact" in c for c in nodes.values())
    disputed = "svg.paths path.link[data-from='ascorbic_acid']"
    assert "disputed" in page.get_attribute(disputed, "class")
    assert dash(page, disputed) not in ("none", "")
    page.screenshot(path=str(screenshots / "entity-ascorbic-acid.png"), full_page=True)
    page.goto(server + "entity/b12:rheumatoid_arthritis")
    association = "svg.paths path.link[data-from='rheumatoid_arthritis']"
    assert "association" in page.get_attribute(association, "class")
    assert dash(page, association) not in ("none", "")
    assert "supported" not in page.get_attribute(association, "class")


def test_an_unknown_entity_says_so(page, server):
    response = page.goto(server + "entity/no_such_thing_at_all")
    assert response.status == 404
    assert "no entity named" in page.text_content("p.error")


# --- CORS from a page on another origin --------------------------------------------------------


@pytest.fixture
def other_origin() -> Iterator[str]:
    """A second real web server on loopback: a page there is another origin, as YASGUI's is."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Blank(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>another origin</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Blank)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_page_on_another_origin_can_post_a_query(browser, server, other_origin):
    """What YASGUI does: a page served elsewhere POSTs application/sparql-query (a preflight
    first) and reads the JSON."""
    other = browser.new_page()
    try:
        other.goto(other_origin)
        result = other.evaluate(
            """async (url) => {
                const r = await fetch(url, {method: "POST", body: "ASK { ?s ?p ?o }",
                  headers: {"Content-Type": "application/sparql-query",
                            "Accept": "application/sparql-results+json"}});
                return [r.status, r.headers.get("Content-Type"), await r.json()];
            }""",
            server + "sparql",
        )
    finally:
        other.close()
    assert urlsplit(other_origin).port != urlsplit(server).port
    assert result == [200, "application/sparql-results+json", {"head": {}, "boolean": True}]
