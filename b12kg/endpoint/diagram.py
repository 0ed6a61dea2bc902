"""An entity's paths as a picture: cause → mechanism(s) → finding, drawn as SVG on the server.

Its own module because layout and drawing are one job, apart from the page around it and
from the walk that finds the paths (`b12kg.questions.paths`). Shared steps are drawn once
(the paths form a small layered graph, left to right), so a cause with ten paths reads as
one picture, not ten rows.

Honest styling, the same rules as the text output: a link's line says how it is believed —
solid for a supported causal link (thicker when established), dashed for reported (limited
or seed-only), dotted red for disputed, grey dash-dot for an association (never a cause),
purple for "is consequence of", thin grey for is-a. A node's colour says what it is: a
condition or drug, a pathological mechanism, cobalamin depletion (true deficiency), a
physiological change, a binding-protein change (a low haptocorrin), exogenous cobalamin
(supplements, injections), an assay artefact (the result changes, not the patient), a finding.
Every node links to its entity page; every line carries its relation, strength and sources
as a tooltip. Labels are escaped; nothing from the graph is trusted as markup.
"""

from __future__ import annotations

import html

from b12kg.questions.paths import RELATION_TIER
from b12kg.vocabulary import CAUSE_KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from b12kg.graph.entities import Entity
    from b12kg.questions.paths import CausalPath

NODE_W, COLUMN_W, LINE_H, PAD, GAP, TOP = 200, 250, 15, 8, 18, 70
MAX_CHARS, MAX_LINES = 27, 3
TRUE_DEFICIENCY = "cobalamin_depletion"

#: (css class, what the legend says), for nodes and for links
NODE_LEGEND = (
    ("cause", "condition or drug"),
    ("mechanism", "pathological mechanism"),
    ("depletion", "true deficiency (cobalamin depletion)"),
    ("physiological", "physiological change"),
    ("binding", "binding-protein change (not a tissue deficiency)"),
    ("exogenous", "exogenous cobalamin (intake, not disease)"),
    ("artefact", "assay artefact (the result, not the patient)"),
    ("finding", "lab finding"),
    ("other", "other"),
)
LINK_LEGEND = (
    ("supported", "supported cause (established: thicker)"),
    ("reported", "reported (limited or seed-only evidence)"),
    ("disputed", "disputed"),
    ("association", "association, not a cause"),
    ("consequence", "is a consequence of"),
    ("isa", "is a / includes"),
)


def node_class(entity: Entity) -> str:
    if entity.id == TRUE_DEFICIENCY:
        return "depletion"
    if entity.kind in CAUSE_KINDS:
        return "cause"
    return {
        "mechanism": "mechanism",
        "physiological_mechanism": "physiological",
        "binding_protein_change": "binding",
        "exogenous_mechanism": "exogenous",
        "assay_artefact": "artefact",
        "lab_finding": "finding",
    }.get(entity.kind, "other")


def link_class(relation: str) -> str:
    if relation in RELATION_TIER:
        return RELATION_TIER[relation]
    return {
        "associatedWith": "association",
        "isConsequenceOf": "consequence",
        "subClassOf": "isa",
        "hasSubtype": "isa",
    }.get(relation, "other")


def _wrap(text: str) -> list[str]:
    """The label in at most MAX_LINES lines of MAX_CHARS, the last one cut with '…'."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > MAX_CHARS:  # a very long word is broken where it must be
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: MAX_CHARS - 1] + "-")
            word = word[MAX_CHARS - 1 :]
        if current and len(current) + 1 + len(word) > MAX_CHARS:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: MAX_CHARS - 1].rstrip() + "…"
    return lines or [""]


class _Layout:
    """Nodes in columns (longest path from the sources, findings in the last column),
    ordered within a column by the mean row of their predecessors."""

    def __init__(self, paths: list[CausalPath]):
        self.entities: dict[str, Entity] = {}
        self.links: dict[tuple[str, str, str], list] = {}
        order: list[str] = []
        for path in paths:
            chain = [path.source, *(s.object for s in path.steps)]
            for entity in chain:
                if entity.id not in self.entities:
                    self.entities[entity.id] = entity
                    order.append(entity.id)
            for step in path.steps:
                key = (step.subject.id, step.object.id, step.relation)
                self.links.setdefault(key, []).append(step)
        self.findings = {p.finding.id for p in paths}
        self.many_sources = len({p.source.id for p in paths}) > 1
        self.column = self._columns(order)
        last = max(self.column.values(), default=0)
        for finding in self.findings:
            if not any(a == finding for a, _, _ in self.links):
                self.column[finding] = last
        columns: dict[int, list[str]] = {}
        for node in order:
            columns.setdefault(self.column[node], []).append(node)
        self.columns = [columns.get(i, []) for i in range(last + 1)]
        self._order_by_predecessors()

    def _columns(self, order: list[str]) -> dict[str, int]:
        successors: dict[str, list[str]] = {n: [] for n in order}
        for a, b, _ in self.links:
            if b not in successors[a]:
                successors[a].append(b)
        # drop the links that close a circle (depth-first, from the nodes in path order)
        state: dict[str, int] = {}
        forward: dict[str, list[str]] = {n: [] for n in order}
        for root in order:
            if root in state:
                continue
            stack = [(root, iter(successors[root]))]
            state[root] = 1
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    state[node] = 2
                    stack.pop()
                elif state.get(child) == 1:
                    continue  # a back link: drawn, but not used for the columns
                else:
                    forward[node].append(child)
                    if child not in state:
                        state[child] = 1
                        stack.append((child, iter(successors[child])))
        if not self.many_sources:
            return _longest_steps(order, forward, from_start=True)
        # many causes of one finding: columns counted back from the finding, so each node
        # sits next to what it leads to and short paths do not arc across the picture
        to_end = _longest_steps(order, forward, from_start=False)
        last = max(to_end.values(), default=0)
        return {n: last - to_end[n] for n in order}

    def _order_by_predecessors(self) -> None:
        for _ in range(2):
            rank = {n: i for col in self.columns for i, n in enumerate(col)}
            for col in self.columns[1:]:

                def mean_row(node: str, rank=rank) -> float:
                    rows = [rank[a] for a, b, _ in self.links if b == node and a in rank]
                    return sum(rows) / len(rows) if rows else rank[node]

                col.sort(key=mean_row)


def paths_svg(paths: list[CausalPath], *, link: str = "{id}") -> str:
    """The paths as one inline SVG; `link` makes each node's href from its id."""
    if not paths:
        return ""
    layout = _Layout(paths)
    boxes: dict[str, tuple[float, float, float, list[str]]] = {}  # x, y, height, lines
    heights = []
    for col in layout.columns:
        total = 0.0
        for node in col:
            lines = _wrap(layout.entities[node].label)
            total += len(lines) * LINE_H + 2 * PAD + GAP
        heights.append(total)
    tallest = max(heights)
    for index, col in enumerate(layout.columns):
        y = TOP + (tallest - heights[index]) / 2
        for node in col:
            lines = _wrap(layout.entities[node].label)
            height = len(lines) * LINE_H + 2 * PAD
            boxes[node] = (20 + index * COLUMN_W, y, height, lines)
            y += height + GAP
    legend_y = TOP + tallest + 10
    width = 20 + (len(layout.columns) - 1) * COLUMN_W + NODE_W + 20
    width = max(width, 640)
    height = legend_y + 20 * max(len(NODE_LEGEND), len(LINK_LEGEND)) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="paths" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-label="{html.escape(_summary(paths))}">',
        "<defs>",
        *(
            f'<marker id="arrow-{name}" class="arrow-{name}" viewBox="0 0 10 10" refX="9" '
            'refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
            'orient="auto-start-reverse">'
            '<path d="M0,0 L10,5 L0,10 z"/></marker>'
            for name, _ in (*LINK_LEGEND, ("other", ""))
        ),
        "</defs>",
        '<g class="links">',
    ]
    for (a, b, relation), steps in layout.links.items():
        parts.append(_link(boxes[a], boxes[b], a, b, relation, steps, TOP - 20))
    parts.append("</g>")
    parts.append('<g class="nodes">')
    for node, (x, y, h, lines) in boxes.items():
        entity = layout.entities[node]
        css = node_class(entity)
        role = " finding-end" if node in layout.findings else ""
        href = html.escape(link.format(id=node))
        text = "".join(
            f'<tspan x="{x + NODE_W / 2:.0f}" y="{y + PAD + (i + 0.8) * LINE_H:.1f}">'
            f"{html.escape(line)}</tspan>"
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<a href="{href}" class="node {css}{role}" data-id="{html.escape(node)}">'
            f"<title>{html.escape(entity.label)} ({html.escape(entity.kind)})</title>"
            f'<rect x="{x}" y="{y:.1f}" width="{NODE_W}" height="{h}" rx="6"/>'
            f'<text text-anchor="middle">{text}</text></a>'
        )
    parts.append("</g>")
    parts.append(_legend(legend_y))
    parts.append("</svg>")
    return "\n".join(parts)


def _link(source, target, a: str, b: str, relation: str, steps: list, top: float) -> str:
    x1, y1, h1, _ = source
    x2, y2, h2, _ = target
    start = (x1 + NODE_W, y1 + h1 / 2)
    end = (x2, y2 + h2 / 2)
    span = round((x2 - x1) / COLUMN_W)
    if span <= 0:  # backwards or within a column: loop out to the right and back in
        end = (x2 + NODE_W, y2 + h2 / 2)
        bend = max(start[0], end[0]) + 60
        d = (
            f"M{start[0]:.0f},{start[1]:.0f} C{bend:.0f},{start[1]:.0f} "
            f"{bend:.0f},{end[1]:.0f} {end[0]:.0f},{end[1]:.0f}"
        )
    elif span > 1:  # skips a column: arc over the boxes between, never hidden behind them
        lift = top - 8 * min(span, 4)
        d = (
            f"M{start[0]:.0f},{start[1]:.0f} C{start[0] + 40:.0f},{lift:.0f} "
            f"{end[0] - 40:.0f},{lift:.0f} {end[0]:.0f},{end[1]:.0f}"
        )
    else:
        middle = (start[0] + end[0]) / 2
        d = (
            f"M{start[0]:.0f},{start[1]:.0f} C{middle:.0f},{start[1]:.0f} "
            f"{middle:.0f},{end[1]:.0f} {end[0]:.0f},{end[1]:.0f}"
        )
    css = link_class(relation)
    evidence = next((s.evidence for s in steps if s.evidence), None)
    strength = evidence.strength if evidence else ""
    sources = sorted({src for s in steps if s.evidence for src in s.evidence.sources})
    tip = steps[0].relation_label
    if strength:
        tip += f"; {strength}"
    if sources:
        tip += f"; sources: {', '.join(sources)}"
    strong = " established" if strength == "established" and css == "supported" else ""
    return (
        f'<path class="link {css}{strong}" d="{d}" marker-end="url(#arrow-{css})" '
        f'data-from="{html.escape(a)}" data-to="{html.escape(b)}" '
        f'data-relation="{html.escape(relation)}" data-strength="{html.escape(strength)}">'
        f"<title>{html.escape(tip)}</title></path>"
    )


def _legend(y: float) -> str:
    rows = ['<g class="legend">']
    for i, (css, text) in enumerate(NODE_LEGEND):
        rows.append(
            f'<rect class="node-key {css}" x="20" y="{y + i * 20:.0f}" width="22" height="13" rx="3"/>'
            f'<text x="50" y="{y + i * 20 + 11:.0f}">{html.escape(text)}</text>'
        )
    for i, (css, text) in enumerate(LINK_LEGEND):
        yy = y + i * 20 + 7
        rows.append(
            f'<path class="link {css}" d="M330,{yy:.0f} L380,{yy:.0f}"/>'
            f'<text x="390" y="{yy + 4:.0f}">{html.escape(text)}</text>'
        )
    rows.append("</g>")
    return "".join(rows)


def _summary(paths: list[CausalPath]) -> str:
    sources = sorted({p.source.label for p in paths})
    findings = sorted({p.finding.label for p in paths})
    shown = ", ".join(sources[:5]) + (" …" if len(sources) > 5 else "")
    return f"{len(paths)} path(s) from {shown} to {', '.join(findings)}"


def _longest_steps(
    order: list[str], forward: dict[str, list[str]], *, from_start: bool
) -> dict[str, int]:
    """Each node's longest run of forward links from a start (or to an end) of the acyclic
    forward graph: relaxed until nothing changes, since the graph is a few dozen nodes."""
    steps = dict.fromkeys(order, 0)
    changed = True
    while changed:
        changed = False
        for a in order:
            for b in forward[a]:
                before, after = (a, b) if from_start else (b, a)
                if steps[after] < steps[before] + 1:
                    steps[after] = steps[before] + 1
                    changed = True
    return steps
