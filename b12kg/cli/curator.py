"""Curator verbs: `build`, `validate`, `reason` — from the curated sources to checked artifacts."""

from __future__ import annotations

import argparse

from b12kg.cli.common import EXIT_NOTHING, EXIT_OK, add_verb, emit, path_argument, progress


def cmd_build(args: argparse.Namespace) -> int:
    from b12kg.cli.render import to_json
    from b12kg.curation.builder import build

    progress("reading ontology/src, building, running the QC queries …")
    report = build(args.sources, args.output, check=args.check)
    if args.format == "json":
        emit(to_json(report.to_record()))
    elif args.check:
        if report.stale:
            emit(f"stale: {', '.join(report.stale)} differ from a fresh build; run `b12kg build`")
        else:
            emit(f"up to date: the release files in {report.output} equal a fresh build")
    else:
        counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
        emit(f"wrote {', '.join(str(report.output / n) for n in report.written)}\n{counts}")
    return EXIT_NOTHING if report.stale else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from b12kg.cli.render import to_json
    from b12kg.curation.validation import validate

    progress("checking curation, QC queries, OWL 2 DL profile and HermiT …")
    report = validate(args.sources, owl=not args.no_owl)
    if args.format == "json":
        emit(to_json(report.to_record()))
    else:
        for problem in report.problems:
            emit(str(problem))
        for layer, reason in report.skipped.items():
            emit(f"skipped {layer}: {reason}")
        verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        emit(f"{verdict} (ran: {', '.join(report.ran)})")
    return EXIT_OK if report.ok else EXIT_NOTHING


def cmd_reason(args: argparse.Namespace) -> int:
    from b12kg.cli.render import to_json
    from b12kg.owl.reasoner import reason

    progress("running HermiT (starts a JVM) …")
    report = reason(args.owl)
    if args.format == "json":
        emit(to_json(report.to_record()))
        return EXIT_OK if report.consistent and not report.unsatisfiable else EXIT_NOTHING
    if not report.consistent:
        emit("HermiT: the ontology is INCONSISTENT")
        return EXIT_NOTHING
    emit(
        f"HermiT: consistent; {len(report.unsatisfiable)} unsatisfiable classes "
        f"({report.seconds:.1f} s)"
    )
    for name in report.unsatisfiable:
        emit(f"  unsatisfiable: {name}")
    for name, members in report.members.items():
        if args.all or not name.startswith("acts_through_"):
            labels = ", ".join(report.labels.get(m, m) for m in members) or "(none)"
            emit(f"\n{name} ({len(members)}):\n  {labels}")
    return EXIT_OK if not report.unsatisfiable else EXIT_NOTHING


def cmd_diff(args: argparse.Namespace) -> int:
    from b12kg.cli.render import to_json
    from b12kg.curation.diff import diff

    result = diff(args.old, args.new)
    if args.format == "json":
        emit(to_json(result.to_record()))
    else:
        emit(result.to_markdown())
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = add_verb(
        sub,
        "build",
        cmd_build,
        "validate ontology/src and write the release files in ontology/ (.owl, .ttl, .obo, …)",
        "examples:\n  b12kg build            # rebuild both artifacts atomically\n"
        "  b12kg build --check    # exit 1 if the committed artifacts differ from a fresh build",
    )
    p.add_argument(
        "--sources", type=path_argument, default=None, help="curated sources (default ontology/src)"
    )
    p.add_argument(
        "--output", type=path_argument, default=None, help="output folder (default ontology/)"
    )
    p.add_argument("--check", action="store_true", help="compare instead of writing")

    p = add_verb(
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
        "--sources", type=path_argument, default=None, help="curated sources (default ontology/src)"
    )
    p.add_argument("--no-owl", action="store_true", help="skip the OWL profile and HermiT checks")

    p = add_verb(
        sub,
        "reason",
        cmd_reason,
        "run HermiT: consistency, classification, inferred members of the defined classes",
        "examples:\n  b12kg reason\n  b12kg reason --all            # also 'acts through <mechanism>' groupings\n"
        "  b12kg reason --format json\n\nNeeds Java (exit 3 with 'Java not found' otherwise).",
    )
    p.add_argument(
        "--owl",
        type=path_argument,
        default=None,
        help="ontology file (default: the packaged b12kg.owl)",
    )
    p.add_argument("--all", action="store_true", help="list every defined grouping")

    p = add_verb(
        sub,
        "diff",
        cmd_diff,
        "what changed between two releases: entities, links, strengths, cross-references",
        "examples:\n  b12kg diff old/b12kg.ttl ontology/b12kg.ttl\n"
        "  git show v1:ontology/b12kg.ttl > /tmp/old.ttl && b12kg diff /tmp/old.ttl ontology/\n"
        "  b12kg diff OLD NEW --format json\n\n"
        "OLD and NEW are release .ttl files or folders holding b12kg.ttl (a checkout's ontology/).\n"
        "The table is Markdown (CHANGELOG.md is started from it).",
    )
    p.add_argument("old", type=path_argument, help="the earlier release (.ttl or its folder)")
    p.add_argument("new", type=path_argument, help="the later release (.ttl or its folder)")
