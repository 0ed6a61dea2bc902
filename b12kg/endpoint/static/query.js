// b12kg query page: a highlighted SPARQL editor, the query library, and a results table with
// compact clickable IRIs, paging, sorting, CSV/JSON download and a permalink. No libraries,
// no network but this endpoint.
"use strict";
(function () {
  const B12 = "https://w3id.org/b12kg/";
  const library = JSON.parse(document.getElementById("library-data").textContent);
  const shipped = JSON.parse(document.getElementById("prefix-data").textContent);
  const editor = document.getElementById("query");
  const highlight = document.getElementById("highlight");
  const chooser = document.getElementById("library");
  const description = document.getElementById("description");
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const permalink = document.getElementById("permalink");
  const csvButton = document.getElementById("download-csv");
  const jsonButton = document.getElementById("download-json");
  const state = { data: null, rows: [], vars: [], sort: null, page: 0, size: 25, prefixes: [] };

  // --- syntax highlighting -------------------------------------------------------------------
  const KEYWORDS = new Set((
    "BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED ORDER BY ASC DESC LIMIT OFFSET " +
    "DISTINCT REDUCED OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND VALUES AS GROUP " +
    "HAVING UNDEF NOT EXISTS IN A TRUE FALSE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR " +
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN " +
    "UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY " +
    "HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE " +
    "IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE"
  ).split(" "));
  const TOKEN = new RegExp([
    "(#[^\\n]*)",                                                   // 1 comment
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                      // 3 IRI
    "([?$][\\w\\u00B7-\\uFFFF]+)",                                    // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:(?:[\\w%:-]|\\.(?=[\\w%:-]))*)",          // 5 prefixed name
    "(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",                          // 6 number
    "([A-Za-z_]\\w*)",                                              // 7 word
  ].join("|"), "g");

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  function highlighted(text) {
    let out = "";
    let last = 0;
    for (const m of text.matchAll(TOKEN)) {
      out += escapeHtml(text.slice(last, m.index));
      let css = "";
      if (m[1]) css = "comment";
      else if (m[2]) css = "string";
      else if (m[3]) css = "iri";
      else if (m[4]) css = "var";
      else if (m[5]) css = "pname";
      else if (m[6]) css = "number";
      else if (m[7] && KEYWORDS.has(m[7].toUpperCase())) css = "keyword";
      out += css ? '<span class="tok-' + css + '">' + escapeHtml(m[0]) + "</span>" : escapeHtml(m[0]);
      last = m.index + m[0].length;
    }
    return out + escapeHtml(text.slice(last)) + "\n";
  }

  function refresh() {
    highlight.innerHTML = highlighted(editor.value);
    syncScroll();
    permalink.href = linkTo(editor.value);
  }
  // The query rides in the fragment: never sent to the server, so no URL limit applies.
  function linkTo(text) {
    return location.pathname + "#query=" + encodeURIComponent(text);
  }
  function syncScroll() {
    highlight.scrollTop = editor.scrollTop;
    highlight.scrollLeft = editor.scrollLeft;
  }
  editor.addEventListener("input", refresh);
  editor.addEventListener("scroll", syncScroll);
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      refresh();
    }
  });

  // --- the library ---------------------------------------------------------------------------
  function showDescription(name) {
    const entry = library[name];
    description.textContent = entry ? entry.summary + (entry.description ? "\n" + entry.description : "") : "";
  }
  chooser.addEventListener("change", () => {
    const entry = library[chooser.value];
    if (!entry) return;
    editor.value = entry.text;
    showDescription(chooser.value);
    refresh();
    editor.focus();
    editor.setSelectionRange(0, 0);  // the query's start in view, not its end
    editor.scrollTop = 0;
    syncScroll();
  });

  // --- IRIs: compact with the query's own prefixes first, then the shipped context --------------
  function prefixesOf(text) {
    const own = [];
    for (const m of text.matchAll(/PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>/gi)) {
      own.push([m[1] || "", m[2]]);
    }
    const all = own.concat(Object.entries(shipped));
    const seen = new Set();
    return all.filter(([p, ns]) => !seen.has(p) && seen.add(p) && ns)
      .sort((a, b) => b[1].length - a[1].length);
  }
  function compact(iri) {
    for (const [prefix, ns] of state.prefixes) {
      if (iri.startsWith(ns)) {
        const local = iri.slice(ns.length);
        if (/^[\w-]*(\.[\w-]+)*$/.test(local)) return prefix + ":" + local;
      }
    }
    return "<" + iri + ">";
  }
  function entityName(iri) {
    if (!iri.startsWith(B12)) return null;
    const local = iri.slice(B12.length);
    return /^[\w.-]+$/.test(local) ? local : null;
  }

  // --- results -------------------------------------------------------------------------------
  function displayText(term) {
    if (!term) return "";
    if (term.type === "uri") return compact(term.value);
    if (term.type === "bnode") return "_:" + term.value;
    return term.value;
  }
  // IRIs wrap after "_", "/" or "#" (a <wbr> there), never in the middle of a word
  function breakable(element, text) {
    for (const part of text.split(/(?<=[_/#])/)) {
      element.append(part, document.createElement("wbr"));
    }
  }
  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.className = "iri";
      breakable(a, compact(term.value));
      a.title = term.value;
      const name = entityName(term.value);
      if (name) {
        a.href = "entity/" + encodeURIComponent(name);
      } else {
        a.href = term.value;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
      }
      td.appendChild(a);
      return td;
    }
    td.textContent = displayText(term);
    if (term["xml:lang"]) {
      const lang = document.createElement("span");
      lang.className = "lang";
      lang.textContent = "@" + term["xml:lang"];
      td.appendChild(lang);
    } else if (term.datatype && !term.datatype.endsWith("#string")) {
      td.title = compact(term.datatype);
    }
    return td;
  }
  const NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger)$/;
  function sortKey(term) {
    if (!term) return null;
    if (term.type === "literal" && term.datatype && NUMERIC.test(term.datatype)) return Number(term.value);
    return displayText(term).toLocaleLowerCase();
  }
  function sortRows() {
    const rows = state.data.results.bindings.map((row, index) => ({ row, index }));
    if (state.sort) {
      const { name, direction } = state.sort;
      rows.sort((a, b) => {
        const x = sortKey(a.row[name]);
        const y = sortKey(b.row[name]);
        if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
        let order = 0;
        if (typeof x === "number" && typeof y === "number") order = x - y;
        else order = String(x).localeCompare(String(y));
        return (order * direction) || a.index - b.index;
      });
    }
    state.rows = rows.map((r) => r.row);
  }
  function render() {
    const total = state.rows.length;
    const pages = Math.max(1, Math.ceil(total / state.size));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * state.size;
    const shown = state.rows.slice(start, start + state.size);
    const table = document.createElement("table");
    table.id = "result-table";
    const head = table.createTHead().insertRow();
    for (const name of state.vars) {
      const th = document.createElement("th");
      th.textContent = "?" + name;
      th.className = "sortable";
      th.dataset.var = name;
      th.tabIndex = 0;
      if (state.sort && state.sort.name === name) {
        th.setAttribute("aria-sort", state.sort.direction > 0 ? "ascending" : "descending");
      }
      th.addEventListener("click", () => sortBy(name));
      th.addEventListener("keydown", (e) => { if (e.key === "Enter") sortBy(name); });
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of shown) {
      const tr = body.insertRow();
      for (const name of state.vars) tr.appendChild(cell(row[name]));
    }
    results.replaceChildren(pager(total, pages, start, shown.length), table);
  }
  function pager(total, pages, start, count) {
    const bar = document.createElement("div");
    bar.className = "pager";
    const prev = document.createElement("button");
    prev.type = "button";
    prev.id = "previous-page";
    prev.textContent = "‹ previous";
    prev.disabled = state.page === 0;
    prev.addEventListener("click", () => { state.page -= 1; render(); });
    const next = document.createElement("button");
    next.type = "button";
    next.id = "next-page";
    next.textContent = "next ›";
    next.disabled = state.page >= pages - 1;
    next.addEventListener("click", () => { state.page += 1; render(); });
    const info = document.createElement("span");
    info.id = "page-info";
    info.textContent = total
      ? "rows " + (start + 1) + "–" + (start + count) + " of " + total + " (page " + (state.page + 1) + " of " + pages + ")"
      : "no rows";
    const size = document.createElement("select");
    size.id = "page-size";
    size.setAttribute("aria-label", "rows per page");
    for (const n of [10, 25, 50, 100, 500]) {
      const option = new Option(n + " per page", String(n), false, n === state.size);
      size.add(option);
    }
    size.addEventListener("change", () => { state.size = Number(size.value); state.page = 0; render(); });
    bar.append(prev, next, info, size);
    return bar;
  }
  function sortBy(name) {
    const direction = state.sort && state.sort.name === name ? -state.sort.direction : 1;
    state.sort = { name, direction };
    state.page = 0;
    sortRows();
    render();
  }

  // --- downloads -----------------------------------------------------------------------------
  function csvField(text) {
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  csvButton.addEventListener("click", () => {
    if (!state.data) return;
    const lines = [state.vars.map(csvField).join(",")];
    for (const row of state.rows) {
      lines.push(state.vars.map((v) => csvField(row[v] ? row[v].value : "")).join(","));
    }
    download("b12kg-results.csv", "text/csv", lines.join("\r\n") + "\r\n");
  });
  jsonButton.addEventListener("click", () => {
    if (!state.data) return;
    const data = { head: state.data.head, results: { bindings: state.rows } };
    download("b12kg-results.json", "application/sparql-results+json", JSON.stringify(data, null, 2) + "\n");
  });

  // --- running -------------------------------------------------------------------------------
  function message(css, text) {
    const pre = document.createElement("pre");
    pre.className = css;
    pre.textContent = text;
    results.replaceChildren(pre);
  }
  async function run() {
    const text = editor.value;
    history.replaceState(null, "", linkTo(text));
    state.prefixes = prefixesOf(text);
    state.data = null;
    csvButton.disabled = jsonButton.disabled = true;
    status.textContent = "running…";
    results.replaceChildren();
    const started = performance.now();
    try {
      const response = await fetch("sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/sparql-query",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: text,
      });
      const type = response.headers.get("Content-Type") || "";
      const ms = Math.round(performance.now() - started);
      if (!response.ok) {
        status.textContent = response.status + " " + response.statusText + " (" + ms + " ms)";
        message("error", await response.text());
      } else if (type.startsWith("application/sparql-results+json")) {
        const data = await response.json();
        if ("boolean" in data) {
          status.textContent = "ASK: " + data.boolean + " (" + ms + " ms)";
          message("graph", String(data.boolean));
        } else {
          state.data = data;
          state.vars = data.head.vars;
          state.sort = null;
          state.page = 0;
          sortRows();
          const n = state.rows.length;
          status.textContent = n + " row" + (n === 1 ? "" : "s") + " (" + ms + " ms)";
          csvButton.disabled = jsonButton.disabled = false;
          render();
        }
      } else {
        status.textContent = type.split(";")[0] + " (" + ms + " ms)";
        message("graph", await response.text());
      }
    } catch (error) {
      status.textContent = "request failed: " + error;
    }
  }
  document.getElementById("form").addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });

  // --- start: a permalink runs its query --------------------------------------------------------
  const given = new URLSearchParams(location.hash.slice(1)).get("query") ??
    new URLSearchParams(location.search).get("query");
  if (given !== null) {
    editor.value = given;
    for (const [name, entry] of Object.entries(library)) {
      if (entry.text === given) { chooser.value = name; showDescription(name); }
    }
  }
  refresh();
  if (given !== null) run();
})();
