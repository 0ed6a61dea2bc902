"""The `b12kg` command: parse arguments, call the API, render. Nothing else lives here.

Exit codes: 0 found / OK; 1 nothing found or checks failed; 2 usage or input error (unknown
name, malformed SPARQL, bad curation record); 3 a component is unavailable (Java, an endpoint).
No traceback reaches a user unless --debug is given.
"""

from __future__ import annotations

import argparse
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
    if sys.stderr.isatty() or __import__("os").environ.get("B12KG_PROGRESS"):
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
    from b12kg.reason import reason
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
