"""Pages: the SPARQL 1.1 Service Description and the HTML query page at `/`.

Its own module because these are documents, not protocol: long templates (Turtle, HTML and
the page's script) that change for reasons of presentation and are built once per server.
"""

from __future__ import annotations

import html
import json


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
