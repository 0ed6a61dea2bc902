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

One module per job:

* `guard` — the query check (Update, SERVICE, FROM) and `Refused`;
* `negotiation` — result and graph formats, `Accept` and `format=`;
* `workers` — the worker processes that load the graph and run queries;
* `pages` — the service description and the HTML query page;
* `http` — the request handler, the server and its answer cache, `make_server`, `serve`.

May import: `b12kg.sparql` (the embedded store and the query library), `b12kg.errors`,
`b12kg.vocabulary`, `b12kg.resources`. It serves the store; it does not walk the graph.
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
