"""The `b12kg` command: parse arguments, call the API, render. Nothing else lives here.

Exit codes: 0 found / OK; 1 nothing found or checks failed; 2 usage or input error (unknown
name, malformed SPARQL, bad curation record); 3 a component is unavailable (Java, an endpoint).
No traceback reaches a user unless --debug is given.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from b12kg.errors import B12kgError
from b12kg.render import FORMATS

EXIT_OK, EXIT_NOTHING, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


def _print(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _progress(message: str) -> None:
    """Progress for long work goes to stderr, so stdout stays clean for scripts."""
    if sys.stderr.isatty() or os.environ.get("B12KG_PROGRESS"):
        sys.stderr.write(message + "\n")


# --- verbs ------------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from b12kg import build
    from b12kg.render import to_json

    _progress("reading ontology/src, building, running the QC queries …")
    report = build(args.sources, args.output, check=args.check)
    if args.format == "json":
        _print(to_json(report.to_record()))
    elif args.check:
        if report.stale:
            _print(f"stale: {', '.join(report.stale)} differ from a fresh build; run `b12kg build`")
        else:
            _print(f"up to date: {report.output}/b12kg.owl and b12kg.ttl equal a fresh build")
    else:
        counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
        _print(f"wrote {', '.join(str(report.output / n) for n in report.written)}\n{counts}")
    return EXIT_NOTHING if report.stale else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from b12kg import validate
    from b12kg.render import to_json

    _progress("checking curation, QC queries, OWL 2 DL profile and HermiT …")
    report = validate(args.sources, owl=not args.no_owl)
    if args.format == "json":
        _print(to_json(report.to_record()))
    else:
        for problem in report.problems:
            _print(str(problem))
        for layer, reason in report.skipped.items():
            _print(f"skipped {layer}: {reason}")
        verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        _print(f"{verdict} (ran: {', '.join(report.ran)})")
    return EXIT_OK if report.ok else EXIT_NOTHING


def cmd_reason(args: argparse.Namespace) -> int:
    from b12kg.reasoner import reason
    from b12kg.render import to_json

    _progress("running HermiT (starts a JVM) …")
    report = reason(args.owl)
    if args.format == "json":
        _print(to_json(report.to_record()))
        return EXIT_OK if report.consistent and not report.unsatisfiable else EXIT_NOTHING
    if not report.consistent:
        _print("HermiT: the ontology is INCONSISTENT")
        return EXIT_NOTHING
    _print(
        f"HermiT: consistent; {len(report.unsatisfiable)} unsatisfiable classes "
        f"({report.seconds:.1f} s)"
    )
    for name in report.unsatisfiable:
        _print(f"  unsatisfiable: {name}")
    for name, members in report.members.items():
        if args.all or not name.startswith("acts_through_"):
            labels = ", ".join(report.labels.get(m, m) for m in members) or "(none)"
            _print(f"\n{name} ({len(members)}):\n  {labels}")
    return EXIT_OK if not report.unsatisfiable else EXIT_NOTHING


# --- graph verbs ------------------------------------------------------------------------------


def _graph(args: argparse.Namespace):
    from b12kg.graph import load

    return load(args.source, graph=getattr(args, "graph", None))


def _evidence_brief(step) -> str:
    if not step.evidence:
        return ""
    parts = [step.evidence.strength] if step.evidence.strength else []
    parts.append(", ".join(step.evidence.sources))
    return "  [" + "; ".join(p for p in parts if p) + "]"


def _path_tree(path) -> list[str]:
    head = (
        f"{path.source.label} → {path.finding.label}   "
        f"[{path.kind} · {path.nature} · {path.strength or 'no strength'}]"
    )
    lines = [head]
    for depth, step in enumerate(path.steps):
        indent = "   " * depth
        lines.append(
            f"  {indent}└─ {step.relation_label} → {step.object.label}{_evidence_brief(step)}"
        )
        if step.evidence and step.evidence.quotes:
            quotes = " … ".join(f'"{q}"' for q in step.evidence.quotes)
            lines.append(f"  {indent}     {quotes}")
    return lines


def _paths_document(paths: list) -> dict[str, object]:
    return {"paths": [p.to_record() for p in paths]}


def cmd_trace(args: argparse.Namespace) -> int:
    from b12kg.render import rows_output, to_json

    kg = _graph(args)
    found = kg.paths(args.name, args.to)
    if args.format == "json":
        _print(to_json(_paths_document(found)))
    elif args.format == "csv":
        _print(rows_output([p.to_flat_record() for p in found], "csv"))
    elif not found:
        entity = kg.find(args.name)
        _print(f"no path from {entity.label} to {args.to or 'serum vitamin B12'} in the graph")
    else:
        _print("\n\n".join("\n".join(_path_tree(path)) for path in found))
    return EXIT_OK if found else EXIT_NOTHING


def cmd_causes(args: argparse.Namespace) -> int:
    from b12kg.render import rows_output, to_json

    kg = _graph(args)
    found = kg.causes_of(args.finding, via=args.via)
    if args.format == "json":
        _print(to_json(_paths_document(found)))
    else:
        best: dict[str, object] = {}
        for path in found:  # one row per cause and kind: its strongest route
            best.setdefault((path.source.id, path.kind), path)
        rows = [p.to_flat_record() for p in best.values()]
        _print(
            rows_output(
                rows,
                args.format,
                columns=["source", "kind", "nature", "strength", "mechanisms", "sources"],
            )
        )
    return EXIT_OK if found else EXIT_NOTHING


def cmd_explain(args: argparse.Namespace) -> int:
    from b12kg.render import to_json

    kg = _graph(args)
    explanation = kg.explain(*args.names, finding=args.finding)
    if args.format == "json":
        _print(to_json(explanation.to_record()))
    else:
        _print(explanation.text)
    return EXIT_OK if explanation.paths else EXIT_NOTHING


def cmd_search(args: argparse.Namespace) -> int:
    from b12kg.render import rows_output

    kg = _graph(args)
    found = kg.search(args.text, limit=args.limit)
    rows = [
        {
            "id": e.id,
            "label": e.label,
            "kind": e.kind,
            "also known as": ", ".join([*e.synonyms, *e.xrefs][:6]),
        }
        for e in found
    ]
    if args.format == "json":
        from b12kg.render import to_json

        _print(to_json({"entities": [e.to_record() for e in found]}))
    else:
        _print(rows_output(rows, args.format))
    return EXIT_OK if found else EXIT_NOTHING


def cmd_differential(args: argparse.Namespace) -> int:
    from b12kg.render import rows_output, to_json

    kg = _graph(args)
    result = kg.rank_causes(args.findings, limit=args.limit)
    if args.format == "json":
        _print(to_json(result.to_record()))
        return EXIT_OK if result.candidates else EXIT_NOTHING
    rows = [
        {
            "rank": c.rank,
            "cause": c.cause.label,
            "kind": c.kind,
            "strength": c.strength,
            "explains": ", ".join(f.label for f in c.explained),
            "also predicts": ", ".join(f.label for f in c.not_given),
            "contradicts": ", ".join(f.label for f in c.conflicts),
        }
        for c in result.candidates
    ]
    _print(rows_output(rows, args.format))
    if args.format == "table":
        if result.tests:
            _print("\ntests that would tell the leading candidates apart:")
            for finding, by in result.tests:
                _print(f"  {finding.label}: expected with {', '.join(c.label for c in by)}")
        _print(f"\nranking rule: {result.rule}")
    return EXIT_OK if result.candidates else EXIT_NOTHING


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
    from b12kg.render import rows_output, to_json
    from b12kg.sparql import library, read_query_file

    if args.list:
        rows = [
            {
                "name": q.name,
                "parameters": ", ".join(p.name for p in q.parameters),
                "summary": q.summary,
            }
            for q in library().values()
        ]
        _print(rows_output(rows, args.format, key="queries"))
        return EXIT_OK
    from b12kg.errors import UsageError

    if bool(args.name) == bool(args.file):
        raise UsageError("name a library query (see --list) or give --file FILE.rq")
    kg = _graph(args)
    if args.file:
        if not args.file.exists():
            raise UsageError(f"no such file: {args.file}")
        query = read_query_file(args.file)
    else:
        from b12kg.sparql import get_query

        query = get_query(args.name)
    result = kg.run_query(query, _params(args.param), defaults=not args.no_defaults)
    if args.format == "json":
        _print(to_json({"columns": result.columns, "rows": result.rows}))
    else:
        _print(rows_output(result.rows, args.format, columns=result.columns))
    return EXIT_OK if result.rows else EXIT_NOTHING


def cmd_serve(args: argparse.Namespace) -> int:
    from b12kg.endpoint import serve

    serve(
        args.file,
        host=args.host,
        port=args.port,
        timeout_s=args.timeout,
        max_rows=args.max_rows,
        workers=args.workers,
        cache_mb=args.cache_mb,
        verbose=args.verbose,
    )
    return EXIT_OK


def cmd_load(args: argparse.Namespace) -> int:
    import dataclasses

    from b12kg.render import to_json
    from b12kg.resources import ontology_file
    from b12kg.triplestore import load_into_endpoint

    _progress(f"loading into {args.endpoint} (staging graph, then swap) …")
    report = load_into_endpoint(
        args.file or ontology_file("b12kg.ttl"),
        endpoint=args.endpoint,
        graph=args.graph,
        user=args.user,
        password=args.password or os.environ.get("B12KG_ENDPOINT_PASSWORD"),
        protocol=args.protocol,
        store=args.store,
    )
    _print(to_json(dataclasses.asdict(report)) if args.format == "json" else str(report))
    return EXIT_OK


def register_graph_verbs(sub, add) -> None:
    source_help = (
        "graph to read: a .ttl/.owl file or a SPARQL endpoint URL "
        "(default: the packaged b12kg.ttl, no server needed)"
    )

    def with_source(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--source", default=None, metavar="PATH|URL", help=source_help)
        parser.add_argument(
            "--graph", default=None, metavar="IRI", help="named graph holding b12kg on an endpoint"
        )
        return parser

    p = with_source(
        add(
            sub,
            "trace",
            cmd_trace,
            "every path from a condition or drug to serum B12, step by step with evidence",
            'examples:\n  b12kg trace "pernicious anemia"\n  b12kg trace "Addison-Biermer disease"   # synonyms work\n'
            '  b12kg trace PPI --to "methylmalonic acid increased"\n  b12kg trace DOID:8778 --format json\n\n'
            "output (table):\n  pernicious anemia → serum vitamin B12 decreased   [causal · true deficiency · established]\n"
            "    └─ has mechanism → intrinsic factor autoantibodies  [established; seed-000, …]\n"
            "       └─ leads to → reduced cobalamin absorption  […]\n\n"
            "kind: causal | association (never a cause) | consequence;\n"
            "nature: true deficiency | functional deficiency | physiological | assay artefact | pathological",
        )
    )
    p.add_argument("name", help="condition or drug: label, synonym, CURIE or id")
    p.add_argument(
        "--to",
        default=None,
        metavar="FINDING",
        help="a lab finding or mechanism (default: serum B12)",
    )

    p = with_source(
        add(
            sub,
            "causes",
            cmd_causes,
            "the reverse walk: every condition and drug that leads to a finding",
            "examples:\n  b12kg causes low\n  b12kg causes high\n  b12kg causes low --via hypochlorhydria\n"
            '  b12kg causes "methylmalonic acid increased" --format csv\n\n'
            "one row per cause (its strongest route); associations are listed after causes and labelled;\n"
            "consequences such as megaloblastic anemia are not causes and are not listed",
        )
    )
    p.add_argument("finding", help="low | high | a lab finding | a mechanism")
    p.add_argument(
        "--via", default=None, metavar="MECHANISM", help="only causes acting through this mechanism"
    )

    p = with_source(
        add(
            sub,
            "explain",
            cmd_explain,
            "explain how a patient's conditions and drugs can account for a low or high B12",
            'examples:\n  b12kg explain "pernicious anemia" omeprazole metformin\n'
            '  b12kg explain pregnancy "vegan diet" --finding low\n\n'
            "inputs are ordered causes first, then by strength of evidence; a mechanism shared by\n"
            "several inputs is spelled out once; the clinical cautions that apply close the text",
        )
    )
    p.add_argument("names", nargs="+", help="conditions and drugs")
    p.add_argument(
        "--finding", default=None, help="low | high | a lab finding (default: both directions)"
    )

    p = with_source(
        add(
            sub,
            "search",
            cmd_search,
            "find entities by name, synonym or cross-reference (case- and accent-insensitive)",
            'examples:\n  b12kg search tapeworm\n  b12kg search "DOID:13381"\n  b12kg search grasbeck',
        )
    )
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=10)

    p = with_source(
        add(
            sub,
            "differential",
            cmd_differential,
            "from findings to causes: rank the causes whose expected findings fit",
            'examples:\n  b12kg differential low "methylmalonic acid increased" "intrinsic factor antibody positive"\n'
            "  b12kg differential high          # isolated high B12\n\n"
            "ranking: most given findings explained, fewest contradicted, causal before association,\n"
            "strongest evidence, most specific; then the tests that would separate the leaders",
        )
    )
    p.add_argument("findings", nargs="+", help="low | high | lab findings")
    p.add_argument("--limit", type=int, default=10)

    p = with_source(
        add(
            sub,
            "query",
            cmd_query,
            "run a library query (queries/*.rq) or your own SPARQL file, parameters bound safely",
            "examples:\n  b12kg query --list\n  b12kg query causes-via-mechanism --param mechanism=hypochlorhydria\n"
            "  b12kg query --file my-question.rq --format csv\n"
            "  b12kg query causes-of-low-b12 --source http://127.0.0.1:8890/sparql --graph https://w3id.org/b12kg/\n\n"
            "parameter values may be labels, synonyms or ids; they are bound as RDF terms, never pasted",
        )
    )
    p.add_argument("name", nargs="?", help="library query name")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--file", type=Path, default=None, help="run this .rq file instead")
    p.add_argument("--list", action="store_true", help="list the library with summaries")
    p.add_argument("--no-defaults", action="store_true", help="leave unset parameters unbound")

    p = add(
        sub,
        "serve",
        cmd_serve,
        "a read-only SPARQL 1.1 endpoint on the embedded graph (127.0.0.1 unless told otherwise)",
        "examples:\n  b12kg serve                    # http://127.0.0.1:8000/ (page) and /sparql\n"
        "  b12kg serve --port 9000 --timeout 2\n\n"
        "refuses updates (403), FROM/SERVICE (400); stops runaway queries after --timeout",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per query")
    p.add_argument("--max-rows", type=int, default=10_000)
    p.add_argument(
        "--file", type=Path, default=None, help="graph file (default: the packaged b12kg.ttl)"
    )
    p.add_argument("--workers", type=int, default=2, help="query worker processes (default 2)")
    p.add_argument("--cache-mb", type=int, default=32, help="answer cache size; 0 turns it off")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")

    p = add(
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
    p.add_argument("--graph", default="https://w3id.org/b12kg/", help="target named graph")
    p.add_argument("--user", default=None)
    p.add_argument("--password", default=None, help="or set B12KG_ENDPOINT_PASSWORD")
    p.add_argument("--file", type=Path, default=None, help="default: the packaged b12kg.ttl")


# --- parser -----------------------------------------------------------------------------------


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _add(
    sub: argparse._SubParsersAction,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    help_text: str,
    epilog: str,
) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        name, help=help_text, description=help_text, epilog=epilog, formatter_class=_Formatter
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table for people (default); json or csv for scripts",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from b12kg import __version__

    parser = argparse.ArgumentParser(
        prog="b12kg",
        description="Why is this patient's serum vitamin B12 low — or high? Trace causes, "
        "mechanisms and evidence in the b12kg knowledge graph.",
        epilog="exit codes: 0 found/OK, 1 nothing found or checks failed, 2 usage or input "
        "error, 3 a component unavailable (Java, an endpoint)\n"
        "start here: b12kg trace 'pernicious anemia'  ·  b12kg causes low  ·  b12kg explain NAME …\n"
        "Run `b12kg VERB --help` for examples.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"b12kg {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")

    p = _add(
        sub,
        "build",
        cmd_build,
        "validate ontology/src and write ontology/b12kg.owl and .ttl",
        "examples:\n  b12kg build            # rebuild both artifacts atomically\n"
        "  b12kg build --check    # exit 1 if the committed artifacts differ from a fresh build",
    )
    p.add_argument(
        "--sources", type=Path, default=None, help="curated sources (default ontology/src)"
    )
    p.add_argument("--output", type=Path, default=None, help="output folder (default ontology/)")
    p.add_argument("--check", action="store_true", help="compare instead of writing")

    p = _add(
        sub,
        "validate",
        cmd_validate,
        "check the curated sources: every problem as file:line: field: message",
        "examples:\n  b12kg validate\n  b12kg validate --no-owl   # skip the Java checks\n"
        "  b12kg validate --sources tests/data/curation-mini --format json\n\n"
        "layers: curation (rows and fields), QC queries (queries/checks/*.rq),\n"
        "OWL 2 DL profile (OWL API) and HermiT consistency/coherence (need Java)",
    )
    p.add_argument(
        "--sources", type=Path, default=None, help="curated sources (default ontology/src)"
    )
    p.add_argument("--no-owl", action="store_true", help="skip the OWL profile and HermiT checks")

    p = _add(
        sub,
        "reason",
        cmd_reason,
        "run HermiT: consistency, classification, inferred members of the defined classes",
        "examples:\n  b12kg reason\n  b12kg reason --all            # also 'acts through <mechanism>' groupings\n"
        "  b12kg reason --format json\n\nNeeds Java (exit 3 with 'Java not found' otherwise).",
    )
    p.add_argument(
        "--owl", type=Path, default=None, help="ontology file (default: the packaged b12kg.owl)"
    )
    p.add_argument("--all", action="store_true", help="list every defined grouping")

    register_graph_verbs(sub, _add)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except B12kgError as error:
        if args.debug:
            raise
        sys.stderr.write(f"b12kg: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
