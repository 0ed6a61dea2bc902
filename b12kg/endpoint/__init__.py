"""`b12kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the embedded graph.

Safe to expose on a workstation, by construction:

* **Read-only.** Queries run only through `Store.query()`, which cannot execute SPARQL Update,
  on a private in-memory copy of the graph held by each worker process. Every Update form is
  refused with 403, so users get a clear message rather than a parse error.
* **Checked by a real parse.** Update, SERVICE, FROM / FROM NAMED and the query form are
  judged from a SPARQL 1.1 parse tree (rdflib's grammar), not from keywords, inside a worker
  and under the query's deadline. SERVICE and FROM are refused with 400, and so are the
  protocol's `default-graph-uri` / `named-graph-uri` parameters.
* **No outbound requests, whatever the check says.** Every worker installs a seccomp filter
  that makes `socket()` fail for all but AF_UNIX, and on Linux also moves into an empty
  network namespace where allowed; the query dataset is pinned to the store's own graphs.
* **Bounded and fair.** A per-query time limit is enforced by killing the worker (pyoxigraph
  cannot cancel a query; 503). Queries past a short light budget may hold at most all but
  one worker, so runaway queries cannot starve light ones. Requests are read whole under
  deadlines before a thread is spent on them (408, 400 for HTTP/0.9), open connections are
  capped overall and per client, oldest partial request evicted first. Results stop after
  `max_rows` (413); bodies over `max_body` (413) and URLs over 8 kB (414) are refused.
* **Self-healing.** Dead workers are restarted with capped backoff, forever; a query whose
  worker died is retried once; workers die with the server; `/health` tells the truth.

One module per job:

* `guard` — the query check (Update, SERVICE, FROM) from a parse, and `Refused`;
* `sandbox` — what a worker does to itself: seccomp, namespaces, memory cap, parent death;
* `workers` — the worker process (check, negotiate, run) and the parent's handle on it;
* `pool` — scheduling (light budget, heavy slots) and the supervisor that restarts workers;
* `front` — the selector front end that reads whole requests under deadlines;
* `negotiation` — result and graph formats, `Accept` and `format=`, cross-kind fallbacks;
* `jsonld` — compact JSON-LD with the shipped context;
* `pages` — the service description, the query page and the entity page's HTML;
* `assets` — the pages' script and style (`static/`), shipped in the package;
* `entity_page`, `diagram` — `/entity/<name>`: an entity's paths, drawn as SVG;
* `settings` — validation of ports, time limits and sizes for every way in;
* `http` — the request handler, the server and its caches, `make_server`, `serve`.

May import: `b12kg.sparql` (the embedded store and the query library), `b12kg.errors`,
`b12kg.vocabulary`, `b12kg.resources`; for the entity pages only, `b12kg.knowledge` and
`b12kg.questions` (the paths are traced as `b12kg trace` traces them, in the server process,
never in the query workers).
"""

from __future__ import annotations

from b12kg.endpoint.guard import QueryCheck, Refused, check_query
from b12kg.endpoint.http import SparqlServer, make_server, serve
from b12kg.endpoint.negotiation import negotiate

__all__ = [
    "QueryCheck",
    "Refused",
    "SparqlServer",
    "check_query",
    "make_server",
    "negotiate",
    "serve",
]
