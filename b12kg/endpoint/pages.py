"""Pages: the SPARQL 1.1 Service Description, the query page at `/` and the entity page.

Its own module because these are documents, not protocol: templates that change for reasons
of presentation. The query page's behaviour and both pages' look live in `static/query.js`
and `static/page.css` (shipped in the package, served from this origin: no CDN, and a
Content-Security-Policy that allows nothing else); the HTML carries only data. The entity
page needs no script: its picture is drawn on the server (`diagram.py`).
"""

from __future__ import annotations

import html
import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from b12kg.sparql.library import QueryFile

#: Scripts and styles only from this origin; fetches only to it.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


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


_DEFAULT_QUERY = """\
PREFIX b12: <https://w3id.org/b12kg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label ?kind
WHERE { ?entity b12:kind ?kind ; rdfs:label ?label }
ORDER BY ?kind ?label
LIMIT 200
"""


def _data_script(element_id: str, data: object) -> str:
    """JSON for the page's script, safe inside <script> (no `</script>` can close it)."""
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _head(title: str, static: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{static}page.css">
</head>
"""


def html_page(queries: dict[str, QueryFile], *, timeout_s: float, max_rows: int) -> str:
    """The page at `/`: an editor with highlighting that posts to /sparql, a results table
    (compact clickable IRIs, paging, sorting, CSV/JSON download), a permalink, and the query
    library with each query's summary and description."""
    from b12kg.endpoint.jsonld import shipped_context

    options = "\n".join(
        f'<option value="{html.escape(name)}" data-name="{html.escape(name)}">'
        f"{html.escape(name)} — {html.escape(q.summary)}</option>"
        for name, q in sorted(queries.items())
    )
    library = {
        name: {"summary": q.summary, "description": q.description.strip(), "text": q.text}
        for name, q in queries.items()
    }
    return (
        _head("b12kg SPARQL endpoint", "static/")
        + f"""<body class="query-page">
<header>
<h1>b12kg SPARQL endpoint</h1>
<p>Why is serum vitamin B12 low — or high? Query the b12kg knowledge graph with SPARQL 1.1.
The endpoint is <code>sparql</code> (GET or POST, SPARQL 1.1 Protocol, CORS open). It is
read-only: queries stop after {timeout_s:g} s or {max_rows:,} rows; updates, SERVICE and FROM
are refused. Click an entity in the results to see its paths drawn.</p>
</header>
<main>
<section class="library">
<label for="library">Library query</label>
<select id="library">
<option value="">— choose one of {len(queries)} queries —</option>
{options}
</select>
<div id="description" class="description"></div>
</section>
<form id="form">
<div class="editor" id="editor">
<pre id="highlight" aria-hidden="true"></pre>
<textarea id="query" name="query" spellcheck="false" autocapitalize="off"
 aria-label="SPARQL query">{html.escape(_DEFAULT_QUERY)}</textarea>
</div>
<div class="actions">
<button type="submit" id="run" title="Ctrl-Enter">Run query</button>
<a id="permalink" href="./" title="a link that opens this query">Permalink</a>
<button type="button" id="download-csv" disabled>Download CSV</button>
<button type="button" id="download-json" disabled>Download JSON</button>
<span id="status" role="status"></span>
</div>
</form>
<section id="results" class="results"></section>
</main>
{_data_script("library-data", library)}
{_data_script("prefix-data", shipped_context())}
<script src="static/query.js"></script>
</body>
</html>
"""
    )


def entity_html(
    entity_record: dict[str, object],
    heading: str,
    svg: str,
    rows: list[dict[str, object]],
    *,
    note: str = "",
    related: list[tuple[str, str, str]] | None = None,
) -> str:
    """An entity's page: what it is, its paths drawn (server-side SVG), the same paths listed
    with kind, nature, strength and sources; every other entity named links to its page."""
    label = str(entity_record["label"])
    facts = [("id", f"b12:{entity_record['id']}"), ("kind", str(entity_record["kind"]))]
    if entity_record.get("definition"):
        facts.append(("definition", str(entity_record["definition"])))
    if entity_record.get("synonyms"):
        facts.append(("synonyms", "; ".join(entity_record["synonyms"])))
    if entity_record.get("xrefs"):
        facts.append(("cross-references", ", ".join(entity_record["xrefs"])))
    facts.append(("IRI", str(entity_record["iri"])))
    listed = "\n".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in facts)
    table_rows = "\n".join(
        "<tr>"
        + "".join(
            f'<td class="{html.escape(key)}">{html.escape(str(row[key]))}</td>'
            for key in ("path", "kind", "nature", "strength", "sources")
        )
        + "</tr>"
        for row in rows
    )
    table = (
        '<div class="results"><table id="paths"><thead><tr><th>path</th><th>kind</th>'
        "<th>nature</th><th>strength</th><th>sources</th></tr></thead>"
        f"<tbody>{table_rows}</tbody></table></div>"
        if rows
        else ""
    )
    return (
        _head(f"{label} — b12kg", "../static/")
        + f"""<body class="entity-page">
<header>
<p><a href="../">← query page</a></p>
<h1>{html.escape(label)}</h1>
<dl class="facts">{listed}</dl>
</header>
<main>
<h2>{html.escape(heading)}</h2>
{f'<p class="note">{html.escape(note)}</p>' if note else ""}
<figure class="diagram">{svg}</figure>
{table}
{_related_list(related)}
</main>
</body>
</html>
"""
    )


def _related_list(related: list[tuple[str, str, str]] | None) -> str:
    """Every curated link of the entity, each other end a link to its page."""
    if not related:
        return ""
    items = "\n".join(
        f'<li>{html.escape(relation)}: <a href="{html.escape(other)}">{html.escape(label)}</a></li>'
        for relation, other, label in related
    )
    return f'<h2>Curated links</h2>\n<ul class="related">{items}</ul>'
