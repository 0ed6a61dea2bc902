"""Store verbs: `query` (SPARQL, bound safely), `serve` (a read-only endpoint), `load` (into a
store), `store` (an on-disk store of b12kg, optionally merged with other ontologies)."""

from __future__ import annotations

import argparse
import os

from b12kg.cli.common import (
    EXIT_NOTHING,
    EXIT_OK,
    add_verb,
    emit,
    open_graph,
    path_argument,
    progress,
    seconds_argument,
    with_source,
)


def _params(pairs: list[str]) -> dict[str, str]:
    from b12kg.errors import UsageError

    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--param takes NAME=VALUE, got '{pair}'")
        params[name.strip()] = value.strip()
    return params


def cmd_query(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output, to_json
    from b12kg.sparql.library import library, read_query_file

    if args.list:
        rows = [
            {
                "name": q.name,
                "parameters": ", ".join(p.name for p in q.parameters),
                "summary": q.summary,
            }
            for q in library().values()
        ]
        emit(rows_output(rows, args.format, key="queries"))
        return EXIT_OK
    from b12kg.errors import UsageError

    if bool(args.name) == bool(args.file):
        raise UsageError("name a library query (see --list) or give --file FILE.rq")
    kg = open_graph(args)
    if args.file:
        query = read_query_file(args.file)
        _refuse_what_the_endpoint_refuses(query.text, str(args.file))
        if not args.source or not str(args.source).startswith(("http://", "https://")):
            from b12kg.endpoint.sandbox import block_inet_sockets

            block_inet_sockets()  # your own query on the embedded store cannot reach out
    else:
        from b12kg.sparql.library import get_query

        query = get_query(args.name)
    result = _within(
        args.time_limit,
        lambda: kg.run_query(query, _params(args.param), defaults=not args.no_defaults),
    )
    if args.format == "json":  # SPARQL 1.1 JSON results: datatypes and language tags kept
        emit(to_json(result.to_sparql_json()))
    elif result.boolean is not None:  # an ASK
        answer = "true" if result.boolean else "false"
        emit(f"boolean\n{answer}" if args.format == "csv" else answer)
        return EXIT_OK if result.boolean else EXIT_NOTHING
    elif args.format == "csv":
        emit(rows_output(result.rows, "csv", columns=result.columns))
    else:
        emit(rows_output(_compacted(result), "table", columns=result.columns))
    return EXIT_OK if result.rows or result.boolean else EXIT_NOTHING


def _compacted(result) -> list[dict[str, object]]:
    """The rows with every IRI as a prefixed name of the shipped prefix map (`b12:…`, `DOID:…`);
    literals, even ones that look like IRIs, stay as they are."""
    import pyoxigraph as ox

    from b12kg.cli.render import compact_iri
    from b12kg.curation.exports.prefixes import release_prefixes

    prefixes = release_prefixes()
    rows = []
    for row, terms in zip(result.rows, result.terms or [{}] * len(result.rows), strict=True):
        rows.append(
            {
                c: compact_iri(terms[c].value, prefixes)
                if isinstance(terms.get(c), ox.NamedNode)
                else row.get(c)
                for c in result.columns
            }
        )
    return rows


def _refuse_what_the_endpoint_refuses(text: str, source: str) -> None:
    """Your own query file passes the endpoint's check (a real parse): no SERVICE, no FROM,
    no update — the engine would otherwise fetch, or read nothing, or fail late."""
    from b12kg.endpoint.guard import Refused, check_query
    from b12kg.errors import UsageError

    try:
        check_query(text)
    except Refused as refused:
        raise UsageError(f"{source}: {refused.message}") from None


def _within(seconds: float, run):
    """Run `run()` in a worker thread; give up after `seconds`, and let Ctrl-C through.

    The embedded engine cannot be interrupted mid-query, so the thread is left to the process
    exit, which follows at once: the command's answer is the time-limit message."""
    import threading

    from b12kg.errors import QueryTimeout

    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = run()
        except BaseException as error:  # handed to the main thread as it is
            outcome["error"] = error

    worker = threading.Thread(target=target, name="b12kg-query", daemon=True)
    worker.start()
    worker.join(seconds)  # a KeyboardInterrupt here ends the command (exit 130)
    if worker.is_alive():
        raise QueryTimeout(seconds)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]


def cmd_serve(args: argparse.Namespace) -> int:
    from b12kg.endpoint import serve
    from b12kg.errors import UsageError

    if args.source and args.file:
        raise UsageError("give --source or --file, not both")
    source = args.source or args.file
    if source is not None and str(source).startswith(("http://", "https://")):
        raise UsageError(
            "serve answers from a graph file or an on-disk store (`b12kg store DIR`), "
            "not from another endpoint"
        )
    from pathlib import Path

    serve(
        Path(source) if source is not None else None,
        host=args.host,
        port=args.port,
        timeout_s=args.timeout,
        max_rows=args.max_rows,
        workers=args.workers,
        cache_mb=args.cache_mb,
        memory_mb=args.worker_memory,
        verbose=args.verbose,
    )
    return EXIT_OK


def cmd_load(args: argparse.Namespace) -> int:
    import dataclasses

    from b12kg.cli.render import to_json
    from b12kg.resources import ontology_file
    from b12kg.sparql.loading import load_into_endpoint

    progress(f"loading into {args.endpoint} (staging graph, then swap) …")
    report = load_into_endpoint(
        args.file or ontology_file("b12kg.ttl"),
        endpoint=args.endpoint,
        graph=args.graph,
        user=args.user,
        password=args.password or os.environ.get("B12KG_ENDPOINT_PASSWORD"),
        protocol=args.protocol,
        store=args.store,
        timeout=args.timeout,
    )
    emit(to_json(dataclasses.asdict(report)) if args.format == "json" else str(report))
    return EXIT_OK


def cmd_store(args: argparse.Namespace) -> int:
    import dataclasses

    from b12kg.cli.render import to_json
    from b12kg.resources import ontology_file
    from b12kg.sparql.ondisk import write_store

    report = write_store(
        args.directory,
        args.file or ontology_file("b12kg.ttl"),
        args.merge,
        on_progress=progress,
    )
    write_store_index(args.directory)
    emit(to_json(dataclasses.asdict(report)) if args.format == "json" else str(report))
    return EXIT_OK


def write_store_index(directory) -> None:
    """Write b12kg's precomputed index into the store at `directory`, so `load(DIR)` reads
    it instead of running the index queries over every merged triple (`graph.snapshot`)."""
    from pathlib import Path

    from b12kg.graph.index import GraphIndex
    from b12kg.graph.snapshot import INDEX_FILE, dump_store_index
    from b12kg.sparql.ondisk import OnDiskBackend, write_beside

    directory = Path(directory)
    progress("indexing b12kg in the store …")
    index = GraphIndex.from_backend(OnDiskBackend(directory))
    write_beside(directory, INDEX_FILE, dump_store_index(index, directory))


def register(sub: argparse._SubParsersAction) -> None:
    p = with_source(
        add_verb(
            sub,
            "query",
            cmd_query,
            "run a library query (queries/*.rq) or your own SPARQL file, parameters bound safely",
            "examples:\n  b12kg query --list\n  b12kg query causes-via-mechanism --param mechanism=hypochlorhydria\n"
            "  b12kg query --file my-question.rq --format csv\n"
            "  b12kg query causes-of-low-b12 --source http://127.0.0.1:8890/sparql --graph https://w3id.org/b12kg/\n\n"
            "parameter values may be labels, synonyms or ids; they are bound as RDF terms, never pasted\n\n"
            "--format: table (IRIs as prefixed names: b12:, DOID:, …), csv (full IRIs, one\n"
            "header row), json (standard SPARQL 1.1 Query Results JSON: head.vars and\n"
            "results.bindings with uri/literal/bnode, datatype and xml:lang; an ASK gives boolean)",
        )
    )
    p.add_argument("name", nargs="?", help="library query name")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--file", type=path_argument, default=None, help="run this .rq file instead")
    p.add_argument("--list", action="store_true", help="list the library with summaries")
    p.add_argument("--no-defaults", action="store_true", help="leave unset parameters unbound")
    p.add_argument(
        "--time-limit",
        type=seconds_argument,
        default=60.0,
        metavar="SECONDS",
        help="give up on a query still running after this long (default 60; Ctrl-C works too)",
    )

    p = add_verb(
        sub,
        "serve",
        cmd_serve,
        "a read-only SPARQL 1.1 endpoint on the embedded graph (127.0.0.1 unless told otherwise)",
        "examples:\n  b12kg serve                    # http://127.0.0.1:8000/ (page) and /sparql\n"
        "  b12kg serve --port 9000 --timeout 2\n"
        "  b12kg store ~/b12kg-mondo --merge mondo.owl\n"
        "  b12kg serve --source ~/b12kg-mondo --worker-memory 4096\n\n"
        "refuses updates (403), FROM/SERVICE (400); stops runaway queries after --timeout.\n"
        "A graph file is parsed into each worker's memory; an on-disk store (--source DIR) is\n"
        "opened read-only by every worker, so one copy on disk serves them all. Each worker's\n"
        "address space is capped (--worker-memory; by default sized from the graph: 2 GB or\n"
        "more), so a greedy query ends in an error, not in swapping the machine.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per query")
    p.add_argument("--max-rows", type=int, default=10_000)
    p.add_argument(
        "--file",
        type=path_argument,
        default=None,
        help="graph file (default: the packaged b12kg.ttl)",
    )
    p.add_argument(
        "--source",
        default=None,
        metavar="PATH",
        help="an on-disk store written by `b12kg store DIR`, or a graph file",
    )
    p.add_argument("--workers", type=int, default=2, help="query worker processes (default 2)")
    p.add_argument(
        "--worker-memory",
        type=int,
        default=None,
        metavar="MB",
        help="address-space limit per worker in MB (default: sized from the graph; 0: none)",
    )
    p.add_argument("--cache-mb", type=int, default=32, help="answer cache size; 0 turns it off")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")

    p = add_verb(
        sub,
        "load",
        cmd_load,
        "put the graph into an existing SPARQL store, replacing the named graph atomically",
        "examples:\n"
        "  export B12KG_ENDPOINT_PASSWORD=…\n"
        "  b12kg load --endpoint http://127.0.0.1:8890 --user dba                 # Virtuoso\n"
        "  b12kg load --endpoint http://127.0.0.1:3030/b12 --store fuseki          # Fuseki dataset\n"
        "  b12kg load --endpoint http://127.0.0.1:7878 --store oxigraph            # Oxigraph server\n"
        "then query it:\n"
        "  b12kg query causes-of-low-b12 --source http://127.0.0.1:8890/sparql --graph https://w3id.org/b12kg/\n\n"
        "The triples go to a staging graph in chunks (Graph Store protocol, or --protocol\n"
        "sparql-update), are counted, then replace the target in one update; a failure leaves the\n"
        "target as it was.",
    )
    p.add_argument("--endpoint", required=True, help="the store's base URL")
    p.add_argument(
        "--store",
        choices=("virtuoso", "fuseki", "oxigraph"),
        default="virtuoso",
        help="where the Graph Store and update services live under the base URL",
    )
    p.add_argument("--protocol", choices=("graph-store", "sparql-update"), default="graph-store")
    p.add_argument(
        "--timeout",
        type=seconds_argument,
        default=120.0,
        metavar="SECONDS",
        help="limit for each request to the store (default 120)",
    )
    p.add_argument("--graph", default="https://w3id.org/b12kg/", help="target named graph")
    p.add_argument("--user", default=None)
    p.add_argument("--password", default=None, help="or set B12KG_ENDPOINT_PASSWORD")
    p.add_argument(
        "--file", type=path_argument, default=None, help="default: the packaged b12kg.ttl"
    )

    p = add_verb(
        sub,
        "store",
        cmd_store,
        "write an on-disk store of the graph, optionally merged with ontologies you name",
        "examples:\n"
        "  b12kg store ~/b12kg-store\n"
        "  b12kg store ~/b12kg-mondo --merge mondo.owl --merge hp.owl --merge chebi.owl.gz\n"
        "then read it (read-only; any number of processes at once):\n"
        '  b12kg trace "pernicious anemia" --source ~/b12kg-mondo\n'
        "  b12kg query crosswalk --source ~/b12kg-mondo\n\n"
        "Everything goes into the default graph, so your own SPARQL sees b12kg and the merged\n"
        "ontologies together; the library queries and the path walk give the same answers as on\n"
        "b12kg alone. The store is built in DIR.tmp and renamed to DIR when complete, so a\n"
        "failed build leaves the previous store in place. Files: .ttl, .nt, .owl/.rdf/.xml\n"
        "(RDF/XML), .jsonld, each also gzipped (.owl.gz); .obo, OBO Graphs .json, .owx, .ofn\n"
        "and .omn are refused with the ROBOT command that converts them. Progress goes to stderr\n"
        "(set B12KG_PROGRESS=1 when it is not a terminal).",
    )
    p.add_argument(
        "directory", type=path_argument, help="the store directory to write (replaced if a store)"
    )
    p.add_argument(
        "--merge",
        action="append",
        default=[],
        type=path_argument,
        metavar="FILE",
        help="an RDF file to merge (repeat for several)",
    )
    p.add_argument(
        "--file", type=path_argument, default=None, help="default: the packaged b12kg.ttl"
    )
