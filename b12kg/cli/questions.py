"""Question verbs: `trace`, `causes`, `explain`, `search`, `differential` — reading the graph."""

from __future__ import annotations

import argparse

from b12kg.cli.common import EXIT_NOTHING, EXIT_OK, add_verb, emit, open_graph, with_source
from b12kg.vocabulary import CAUSE_KINDS


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
        for condition in step.evidence.conditions if step.evidence else ():
            lines.append(f"  {indent}     holds when: {condition}")
    return lines


def _flat_rows(paths: list) -> list[dict[str, object]]:
    """Flat records for a table or CSV: a mechanism chain reads as one, with arrows."""
    rows = []
    for path in paths:
        row = path.to_flat_record()
        row["mechanisms"] = " → ".join(row["mechanisms"])
        row["mechanism_ids"] = " → ".join(row["mechanism_ids"])
        rows.append(row)
    return rows


def _paths_document(paths: list, **extra: object) -> dict[str, object]:
    return {**extra, "paths": [p.to_record() for p in paths]}


WEAK = ("limited", "disputed")
FUNCTIONAL_NOTE = "functional deficiency: serum B12 may be normal; MMA and homocysteine rise"


def _gist(notes: tuple[str, ...], width: int = 120) -> str:
    """The opening of a curator's note (a sentence, or two if the first is short), cut to fit."""
    if not notes:
        return ""
    sentences = notes[0].split(". ")
    gist = sentences[0]
    if len(gist) < 40 and len(sentences) > 1:
        gist += ". " + sentences[1]
    gist = gist.rstrip(".")
    return gist if len(gist) <= width else gist[: width - 1].rstrip() + "…"


def _chains(paths: list) -> list[tuple[tuple[str, str, str], str, list]]:
    """(heading, chain text, paths) in walk order: paths grouped by finding and mechanism
    chain, whatever is-a route led there; a tail already shown reads '… (as above)', and
    chains that then read the same are one."""
    by_chain: dict[tuple[str, tuple[str, ...]], list] = {}
    for path in paths:
        key = (
            path.finding.id,
            tuple(s.object.id for s in path.steps if s.relation != "subClassOf"),
        )
        by_chain.setdefault(key, []).append(path)
    shown_tails: set[tuple[str, ...]] = set()
    groups: dict[tuple[tuple[str, str, str], str], list] = {}
    for routes in by_chain.values():
        first = routes[0]
        steps = [s for s in first.steps if s.relation != "subClassOf"]
        ids = [s.object.id for s in steps]
        cut = len(ids)
        for i in range(1, len(ids)):  # the first node whose tail is already on screen
            if tuple(ids[i:]) in shown_tails:
                cut = i + 1
                break
        shown_tails.update(tuple(ids[i:]) for i in range(len(ids)))
        text = " → ".join(s.object.label for s in steps[:cut])
        if steps and steps[0].relation != "hasMechanism":
            text = f"({steps[0].relation_label}) {text}"
        text += " … (as above)" if cut < len(ids) else ""
        heading = (first.finding.label, first.kind, first.nature)
        groups.setdefault((heading, text), []).extend(routes)
    return [(heading, text, routes) for (heading, text), routes in groups.items()]


def _compact(paths: list, *, max_paths: int | None) -> list[str]:
    """One line per mechanism chain (see `_chains`) with its strongest evidence and is-a
    routes; then, once each, every weak (limited/disputed) link shown, with its note's gist."""
    chains = _chains(paths)
    first_seen: dict[tuple[str, str, str], int] = {}
    for head, _, _ in chains:
        first_seen.setdefault(head, len(first_seen))
    chains.sort(key=lambda chain: first_seen[chain[0]])  # stable: one heading, printed once
    lines: list[str] = []
    weak: dict[tuple[str, str], object] = {}
    heading = None
    for count, (head, text, routes) in enumerate(chains):
        if max_paths is not None and count >= max_paths:
            lines.append(
                f"… {len(chains) - count} more chain(s): --max-paths {len(chains)} shows all; "
                "--format json gives every path with its evidence"
            )
            break
        if head != heading:
            heading = head
            lines.append(f"{routes[0].source.label} → {head[0]}   [{head[1]} · {head[2]}]")
        best = max(routes, key=lambda p: p.strength_rank)
        lines.append(f"  • {text}   [{best.strength or 'no strength'}]")
        vias = sorted(
            {
                " → ".join(s.object.label for s in p.steps if s.relation == "subClassOf")
                for p in routes
            }
        )
        if vias != [""]:
            lines.append("      via: " + "; ".join(f"is a {v}" if v else "own link" for v in vias))
        conditions = dict.fromkeys(
            c for p in routes for st in p.steps if st.evidence for c in st.evidence.conditions
        )
        for condition in conditions:  # when the sources say the link holds
            lines.append(f"      holds when: {condition}")
        for path in routes:
            for step in path.steps:
                if step.evidence and step.evidence.strength in WEAK:
                    weak.setdefault((step.subject.id, step.object.id), step)
    if weak:
        lines.append("weak links:")
        for step in weak.values():
            evidence = step.evidence
            cited = f"  [{', '.join(evidence.sources)}]" if evidence.sources else ""
            lines.append(
                f"  {evidence.strength}: {step.subject.label} → {step.object.label}{cited}"
            )
            if gist := _gist(evidence.notes):
                lines.append(f"      {gist}")
    cited = sorted({s for p in paths for st in p.steps if st.evidence for s in st.evidence.sources})
    if cited:
        lines.append("sources: " + ", ".join(cited))
    return lines


def _excepted_note(kg, entity) -> str:
    """Why a class traces nowhere: its claim stops at members whose own evidence denies it.

    A class claim reaches a member only where the evidence covers that member; when every
    curated member lacks the mechanism (cytostatics: methotrexate), the class has no path left,
    and saying so is better than a bare 'no path'."""
    lacking = [
        (kg.entities[member], kg.entities[edge.object])
        for member in kg.descendants(entity.id)
        for edge in kg.edges.outgoing.get(member, ())
        if edge.relation == "lacksMechanism"
    ]
    if not lacking:
        return ""
    said = "; ".join(f"{m.label} lacks {mechanism.label}" for m, mechanism in lacking)
    return (
        f" — its class claim is not stated for members whose own evidence denies it ({said}),"
        " and no other member is curated"
    )


def cmd_trace(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output, to_json

    kg = open_graph(args)
    found = kg.paths(args.name, args.to)
    note = ""
    if not found and args.to is None:  # serum B12 not reached: the other B12-status findings
        found = kg.status_paths(args.name)
        if found:
            natures = {p.nature for p in found}
            note = (
                FUNCTIONAL_NOTE
                if natures <= {"functional deficiency", "pathological"}
                and "functional deficiency" in natures
                else "serum B12 is not reached; other B12-status findings are"
            )
    if args.max_paths is not None and args.format != "table":
        found = [p for _, _, routes in _chains(found)[: args.max_paths] for p in routes]
    if args.format == "json":
        extra = {"note": note} if note else {}
        emit(to_json(_paths_document(found, **extra)))
    elif args.format == "csv":
        emit(rows_output(_flat_rows(found), "csv"))
    elif not found:
        entity = kg.find(args.name, kinds=CAUSE_KINDS)
        emit(
            f"no path from {entity.label} to {args.to or 'serum vitamin B12'} in the graph"
            + _excepted_note(kg, entity)
        )
    elif args.tree:
        text = "\n\n".join("\n".join(_path_tree(path)) for path in found)
        emit((f"{found[0].source.label}: {note}\n\n" if note else "") + text)
    else:
        head = (
            [f"{found[0].source.label} does not reach serum vitamin B12 — {note}"] if note else []
        )
        emit("\n".join(head + _compact(found, max_paths=args.max_paths)))
    return EXIT_OK if found else EXIT_NOTHING


def cmd_causes(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output, to_json

    kg = open_graph(args)
    found = kg.causes_of(args.finding, via=args.via)
    target = found[0].finding if found else None
    if target is not None and target.id == "serum_b12_increased" and args.via is None:
        # a high result may be falsely increased (macro-B12): its own section
        found = [*found, *kg.causes_of("serum_b12_falsely_increased")]
    if args.format == "json":
        document = _paths_document(found)
        for record, path in zip(document["paths"], found, strict=True):
            record["section"] = path.section
        emit(to_json(document))
    else:
        best: dict[str, object] = {}
        for path in found:  # one row per cause and section: its strongest route
            best.setdefault((path.source.id, path.section), path)
        rows = _flat_rows(list(best.values()))
        for row, path in zip(rows, best.values(), strict=True):
            row["section"] = path.section
        columns = ["source", "kind", "nature", "strength", "mechanisms", "sources"]
        if args.format == "csv":
            emit(rows_output(rows, "csv", columns=["section", *columns]))
        else:
            emit(sectioned_table(rows, lambda r: rows_output(r, "table", columns=columns)))
    return EXIT_OK if found else EXIT_NOTHING


def cmd_explain(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output, to_json

    kg = open_graph(args)
    explanation = kg.explain(*args.names, finding=args.finding)
    if args.format == "json":
        emit(to_json(explanation.to_record()))
    elif args.format == "csv":
        # the paths the explanation used, one flat row each (as `trace --format csv`), with the
        # section `causes` files them under; the cautions and the prose are in json and text
        rows = _flat_rows(list(explanation.paths))
        for row, path in zip(rows, explanation.paths, strict=True):
            row["section"] = path.section
        columns = ["section", *(k for k in (rows[0] if rows else {}) if k != "section")]
        emit(rows_output(rows, "csv", columns=columns))
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


def differential_rows(candidates) -> list[dict[str, object]]:
    return [
        {
            "section": c.section,
            "rank": c.rank,
            "cause": c.cause.label + (" (input)" if c.is_input else ""),
            "kind": c.kind,
            "strength": c.strength,
            "explains": ", ".join(f.label for f in c.explained),
            "frequency": "; ".join(f"{f.text} [{f.source}]" for f in c.frequencies),
            "includes": ", ".join(e.label for e in c.includes),
            "contradicts": ", ".join(f.label for f in c.conflicts),
        }
        for c in candidates
    ]


SECTION_TITLES = {
    "exogenous cobalamin": "exogenous cobalamin (supplements, injections: intake, not disease)",
    "cause": "causes",
    "physiological change": "physiological changes (not a tissue deficiency)",
    "binding-protein change": "binding-protein changes (a low haptocorrin: not a tissue deficiency)",
    "misleading result": "misleading results (assay artefacts: the result, not the patient)",
    "reported": "reported only (limited or seed-only evidence) — not causes",
    "association": "associations — not shown to cause it",
    "disputed": "disputed — contradicted by better evidence",
}


def sectioned_table(rows: list[dict[str, object]], render) -> str:
    """One labelled table per section, in the fixed section order."""
    from b12kg.questions.paths import SECTIONS

    parts = []
    for section in SECTIONS:
        members = [
            {k: v for k, v in r.items() if k != "section"} for r in rows if r["section"] == section
        ]
        if members:
            parts.append(f"== {SECTION_TITLES[section]} ==\n" + render(members))
    return "\n\n".join(parts)


def cmd_differential(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output, to_json

    kg = open_graph(args)
    result = kg.rank_causes(args.findings, limit=args.limit)
    if args.format == "json":
        emit(to_json(result.to_record()))
        return EXIT_OK if result.candidates else EXIT_NOTHING
    rows = differential_rows(result.candidates)
    if args.format == "csv":
        emit(rows_output(rows, "csv"))
        return EXIT_OK if result.candidates else EXIT_NOTHING
    emit(sectioned_table(rows, lambda r: rows_output(r, "table")))
    if result.tests:
        emit("\ntests that would tell the leading candidates apart:")
        for finding, by in result.tests:
            emit(f"  {finding.label}: expected with {', '.join(c.label for c in by)}")
    emit(f"\nranking rule: {result.rule}")
    return EXIT_OK if result.candidates else EXIT_NOTHING


def _assess_text(a) -> str:
    from b12kg.cli.render import rows_output

    lines = []
    if a.labs:
        lines.append("lab values (classified by the sourced bands of thresholds.tsv):")
        for lab in a.labs:
            lines.append(f"  {lab.describe()}")
            lines.extend(f"      {n}" for n in lab.notes)
    if a.inputs:
        lines.append("conditions and drugs: " + ", ".join(e.label for e in a.inputs))
    negative = [i.text for i in a.items if not i.present]
    if negative:
        lines.append("answered no/negative (not used): " + ", ".join(negative))
    lines.append(
        "findings: "
        + (", ".join(f.label for f in a.findings) or "none abnormal: nothing to explain")
    )
    if a.candidates:
        lines.append("")
        lines.append(
            sectioned_table(differential_rows(a.candidates), lambda r: rows_output(r, "table"))
        )
    if a.tests:
        lines.append("\nnext tests (would tell the leading candidates apart):")
        for finding, by in a.tests:
            lines.append(f"  {finding.label}: expected with {', '.join(c.label for c in by)}")
    if a.not_accounted:
        lines.append(
            "\nnot accounting for these findings in the graph: "
            + ", ".join(e.label for e in a.not_accounted)
        )
    if a.cautions:
        from b12kg.questions.explain import _caution_sentence

        lines.append("\ncautions:")
        for caution in a.cautions:
            lines.append(f"  - {_caution_sentence(caution.caution.definition)}")
    if a.rule:
        lines.append(f"\nranking rule: {a.rule}")
    return "\n".join(lines)


def _progress_bar(done: int, total: int) -> None:
    import os
    import sys

    if sys.stderr.isatty():
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(
            f"\rassessing [{'#' * filled}{'.' * (width - filled)}] {done}/{total} patients"
        )
        if done == total:
            sys.stderr.write("\n")
    elif os.environ.get("B12KG_PROGRESS") and (done % 10000 == 0 or done == total):
        sys.stderr.write(f"assessing: {done}/{total} patients\n")


def _cohort(args: argparse.Namespace, kg) -> int:
    import sys

    from b12kg.questions.cohort import read_long_table, write_result

    result = kg.assess_cohort(
        read_long_table(args.cohort), limit=args.limit, progress=_progress_bar
    )
    target = args.output
    if target:
        suffix = target.rsplit(".", 1)[-1].lower()
        fmt = {"parquet": "parquet", "jsonl": "jsonl", "json": "jsonl", "ndjson": "jsonl"}.get(
            suffix, "csv"
        )
    else:
        fmt = "jsonl" if args.format == "json" else "csv"
    write_result(result, target, fmt)
    for skipped in result.skipped[:20]:
        who = f" (patient {skipped.patient_id})" if skipped.patient_id else ""
        sys.stderr.write(f"b12kg: row {skipped.row}{who} skipped: {skipped.reason}\n")
    if len(result.skipped) > 20:
        sys.stderr.write(
            f"b12kg: … and {len(result.skipped) - 20} more skipped rows (--skipped FILE lists all)\n"
        )
    if args.skipped:
        with open(args.skipped, "w", encoding="utf-8", newline="") as stream:
            import csv

            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["row", "patient_id", "reason", "category"])
            for s in result.skipped:
                writer.writerow([s.row, s.patient_id, s.reason, s.category])
    summary = result.summary
    reasons = ", ".join(f"{n} {why}" for why, n in summary["skipped_by_reason"].items())
    sys.stderr.write(
        f"b12kg: {summary['patients']} patients ({summary['distinct_profiles']} distinct profiles), "
        f"{summary['rows_written']} rows written; {summary['rows_skipped']} input rows skipped"
        + (f" ({reasons})" if reasons else "")
        + "\n"
    )
    return EXIT_NOTHING if result.skipped else EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    from b12kg.cli.render import rows_output, to_json
    from b12kg.errors import UsageError

    kg = open_graph(args)
    if args.cohort:
        if args.items:
            raise UsageError("give either items or --cohort FILE, not both")
        return _cohort(args, kg)
    if not args.items:
        raise UsageError(
            "give the patient's items (e.g. 'B12=150 pmol/L' metformin) or --cohort FILE"
        )
    assessment = kg.assess(*args.items, limit=args.limit)
    if args.format == "json":
        emit(to_json(assessment.to_record()))
    elif args.format == "csv":
        emit(rows_output(differential_rows(assessment.candidates), "csv"))
    else:
        emit(_assess_text(assessment))
    return EXIT_OK if assessment.candidates or not assessment.findings else EXIT_NOTHING


def register(sub: argparse._SubParsersAction) -> None:
    p = with_source(
        add_verb(
            sub,
            "trace",
            cmd_trace,
            "every path from a condition or drug to serum B12, step by step with evidence",
            'examples:\n  b12kg trace "pernicious anemia"\n  b12kg trace "Addison-Biermer disease"   # synonyms work\n'
            "  b12kg trace pantoprazole               # single drugs act through their class\n"
            "  b12kg trace D51.0                      # any cross-reference code (D510, ICD-10 D51.0)\n"
            '  b12kg trace PPI --to "methylmalonic acid increased"\n'
            '  b12kg trace "nitrous oxide"            # functional deficiency: followed to MMA\n'
            "  b12kg trace DOID:8778 --format json --max-paths 3\n\n"
            "output (table): one line per mechanism chain; a tail already shown is '… (as above)':\n"
            "  pernicious anemia → serum vitamin B12 decreased   [causal · true deficiency]\n"
            "    • intrinsic factor autoantibodies → reduced cobalamin absorption → …   [established]\n"
            "  then every weak (limited/disputed) link with the gist of its note, and the sources;\n"
            "  --tree for every path step by step with quotes.\n"
            "names: a word of the name (gastrectomy) or one slip (pernicous anemia) is taken, with a\n"
            "notice on stderr; an organism stands for the infection it causes.\n\n"
            "kind: causal | association (never a cause) | consequence;\n"
            "nature: true deficiency | functional deficiency | physiological |\n"
            "binding-protein change | exogenous | assay artefact | pathological",
        )
    )
    p.add_argument("name", help="condition or drug: label, synonym, CURIE or id")
    p.add_argument(
        "--to",
        default=None,
        metavar="FINDING",
        help="a lab finding or mechanism (default: serum B12; if it is not reached, the other "
        "B12-status findings: MMA, homocysteine, holoTC)",
    )
    p.add_argument(
        "--max-paths",
        type=int,
        default=None,
        metavar="N",
        help="show at most N mechanism chains (all formats; default: all)",
    )
    p.add_argument(
        "--tree",
        action="store_true",
        help="every path step by step with the evidence of each step and the seed quotes",
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
            "several inputs is spelled out once; the clinical cautions that apply close the text.\n"
            "--format csv: one row per path used (the trace CSV columns, led by `section`);\n"
            "--format json: paths, shared mechanisms, unexplained inputs, cautions and the text",
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
            "sections: exogenous cobalamin | cause | physiological change | binding-protein change |\n"
            "misleading result | reported | association | disputed; within each: explains the\n"
            "B12 result, most findings explained (direction respected), fewest contradicted,\n"
            "strongest evidence, sourced frequency, most specific; ties share a rank. Then the\n"
            "tests that would separate the leaders",
        )
    )
    p.add_argument("findings", nargs="+", help="low | high | lab findings")
    p.add_argument("--limit", type=int, default=10, help="candidates per section (ties kept whole)")

    p = with_source(
        add_verb(
            sub,
            "assess",
            cmd_assess,
            "one patient (or a cohort): lab values classified, then causes ranked with next tests",
            "examples:\n  b12kg assess 'B12=150 pmol/L' 'MMA 0.6 umol/L' metformin\n"
            "  b12kg assess 'B12 220 ng/L' 'holoTC 20 pmol/L' 'tHcy 18' 'intrinsic factor antibody positive'\n"
            "  b12kg assess --cohort labs.csv --output ranked.parquet   # long table: patient_id,item,value,unit\n\n"
            "lab items: B12 (pmol/L or ng/L), holoTC (pmol/L), MMA (nmol/L, umol/L), tHcy (umol/L);\n"
            "each value is classified by the first source in thresholds.tsv with a band for it (an\n"
            "indeterminate band says so); other items are conditions, drugs or findings (names or codes).\n"
            "cohort: CSV/TSV/Parquet in; CSV (stdout), JSON Lines (--format json or .jsonl) or Parquet out;\n"
            "a bad row is reported with its row number and skipped (exit 1), the rest is processed",
        )
    )
    p.add_argument("items", nargs="*", help="'B12=150 pmol/L', 'MMA 0.6 umol/L', metformin …")
    p.add_argument(
        "--cohort", default=None, metavar="FILE", help="a long table: patient_id, item, value, unit"
    )
    p.add_argument(
        "--output", default=None, metavar="FILE", help="cohort output (.csv, .jsonl, .parquet)"
    )
    p.add_argument(
        "--skipped", default=None, metavar="FILE", help="write every skipped cohort row here (CSV)"
    )
    p.add_argument("--limit", type=int, default=10, help="candidates per section (ties kept whole)")
