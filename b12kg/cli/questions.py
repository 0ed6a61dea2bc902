"""Question verbs: `trace`, `causes`, `explain`, `search`, `differential` — reading the graph."""

from __future__ import annotations

import argparse

from b12kg.cli.common import EXIT_NOTHING, EXIT_OK, add_verb, emit, open_graph, with_source


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
    from b12kg.cli.render import rows_output, to_json

    kg = open_graph(args)
    found = kg.paths(args.name, args.to)
    if args.format == "json":
        emit(to_json(_paths_document(found)))
    elif args.format == "csv":
        emit(rows_output([p.to_flat_record() for p in found], "csv"))
    elif not found:
        entity = kg.find(args.name)
        emit(f"no path from {entity.label} to {args.to or 'serum vitamin B12'} in the graph")
    else:
        emit("\n\n".join("\n".join(_path_tree(path)) for path in found))
    return EXIT_OK if found else EXIT_NOTHING


def cmd_causes(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output, to_json

    kg = open_graph(args)
    found = kg.causes_of(args.finding, via=args.via)
    if args.format == "json":
        emit(to_json(_paths_document(found)))
    else:
        best: dict[str, object] = {}
        for path in found:  # one row per cause and kind: its strongest route
            best.setdefault((path.source.id, path.kind), path)
        rows = [p.to_flat_record() for p in best.values()]
        emit(
            rows_output(
                rows,
                args.format,
                columns=["source", "kind", "nature", "strength", "mechanisms", "sources"],
            )
        )
    return EXIT_OK if found else EXIT_NOTHING


def cmd_explain(args: argparse.Namespace) -> int:
    from b12kg.cli.render import to_json

    kg = open_graph(args)
    explanation = kg.explain(*args.names, finding=args.finding)
    if args.format == "json":
        emit(to_json(explanation.to_record()))
    else:
        emit(explanation.text)
    return EXIT_OK if explanation.paths else EXIT_NOTHING


def cmd_search(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output

    kg = open_graph(args)
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
        from b12kg.cli.render import to_json

        emit(to_json({"entities": [e.to_record() for e in found]}))
    else:
        emit(rows_output(rows, args.format))
    return EXIT_OK if found else EXIT_NOTHING


def cmd_differential(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output, to_json

    kg = open_graph(args)
    result = kg.rank_causes(args.findings, limit=args.limit)
    if args.format == "json":
        emit(to_json(result.to_record()))
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
    emit(rows_output(rows, args.format))
    if args.format == "table":
        if result.tests:
            emit("\ntests that would tell the leading candidates apart:")
            for finding, by in result.tests:
                emit(f"  {finding.label}: expected with {', '.join(c.label for c in by)}")
        emit(f"\nranking rule: {result.rule}")
    return EXIT_OK if result.candidates else EXIT_NOTHING


def register(sub: argparse._SubParsersAction) -> None:
    p = with_source(
        add_verb(
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
        add_verb(
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
        add_verb(
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
        add_verb(
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
        add_verb(
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
