"""`/entity/<name>`: one entity, its paths drawn and listed.

Its own module because it is the one part of the endpoint that asks the questions layer
(through the KnowledgeGraph the server loads on first use) rather than the SPARQL workers:
which paths an entity has depends on what it is. A condition or drug shows its paths to
serum B12 (or, when it does not reach serum B12, to the other B12-status findings, as
`b12kg trace` does); a mechanism or finding shows what leads to it (`b12kg causes`). The
name may be the local name, a `b12:` CURIE, the full IRI, or any name `find` accepts.
"""

from __future__ import annotations

import html

from b12kg.endpoint.diagram import paths_svg
from b12kg.endpoint.pages import entity_html
from b12kg.errors import B12kgError
from b12kg.vocabulary import CAUSE_KINDS, MECHANISM_KINDS

B12 = "https://w3id.org/b12kg/"
#: More paths than this are listed but not drawn (a picture of hundreds of lines helps nobody).
MAX_DRAWN = 80


def _local(name: str) -> str:
    name = name.strip()
    if name.startswith(B12):
        return name[len(B12) :]
    if name.startswith("b12:"):
        return name[len("b12:") :]
    return name


def entity_page(server, name: str) -> tuple[int, str]:
    """(status, HTML): 200 with the page, 404 with a page that says what was not found, 503
    while the graph behind the pages is still loading or when it could not be loaded."""
    try:
        kg = server.knowledge_graph(wait=False)
    except B12kgError as error:
        return 503, _message_page("Entity pages are unavailable", str(error))
    if kg is None:
        return 503, _message_page(
            "Entity pages are loading",
            "Entity pages are loading, retry in a moment: the graph behind them is still being "
            "read. The SPARQL endpoint already answers.",
        )
    local = _local(name)
    try:
        # the name index itself, not kg.find: a long-running server must not collect every
        # visitor's "taking 'X' for 'Y'" in kg.notices; the notice goes on the page instead
        match = kg.names.resolve(local)
    except B12kgError as error:
        return 404, _message_page("No such entity", str(error))
    entity = match.entity
    note = ""
    if entity.kind in CAUSE_KINDS:
        found = list(kg.paths(entity))
        heading = f"Paths from {entity.label} to serum vitamin B12"
        if not found:
            found = list(kg.status_paths(entity))
            heading = f"Paths from {entity.label} to the other B12-status findings"
            if found:
                note = "Serum B12 is not reached; other markers of B12 status are."
    elif entity.kind in MECHANISM_KINDS or entity.kind == "lab_finding":
        found = list(kg.causes_of(entity))
        heading = f"What leads to {entity.label}"
    else:
        found = []
        heading = f"{entity.label} is not a cause, mechanism or finding"
    if not found and not note:
        note = "No path in the graph starts or ends here."
    elif found and not any(p.section == "cause" for p in found):
        kinds = ", ".join(sorted({p.section or p.kind for p in found}))
        note = (note + " " if note else "") + (
            f"None of these paths is a supported cause of true deficiency (they are: {kinds})."
        )
    drawn = found[:MAX_DRAWN]
    if len(found) > MAX_DRAWN:
        note = (note + " " if note else "") + (
            f"The picture shows the first {MAX_DRAWN} of {len(found)} paths (strongest "
            "first); the table lists them all."
        )
    if match.notice:
        note = f"{match.notice[0].upper()}{match.notice[1:]}. {note}".strip()
    svg = paths_svg(drawn, link="{id}")
    rows = [
        {
            "path": path.describe(),
            "kind": path.kind,
            "nature": path.nature,
            "strength": path.strength or "—",
            "sources": ", ".join(path.to_flat_record()["sources"]) or "—",
        }
        for path in found
    ]
    return 200, entity_html(
        entity.to_record(), heading, svg, rows, note=note, related=_related(kg, entity.id)
    )


def _related(kg, entity_id: str) -> list[tuple[str, str, str]]:
    """(relation label, entity id, entity label) for every curated link in or out of the
    entity that no path shows on its own (a stomach's conditions, a mechanism's site)."""
    from b12kg.questions.paths import RELATION_LABELS

    found = set()
    for edge in kg.edges.outgoing.get(entity_id, ()):
        label = RELATION_LABELS.get(edge.relation, edge.relation)
        found.add((label, edge.object))
    for edge in kg.edges.incoming.get(entity_id, ()):
        label = RELATION_LABELS.get(edge.relation, edge.relation)
        found.add((f"{label} (from)", edge.subject))
    return sorted(
        (label, other, kg.entities[other].label) for label, other in found if other in kg.entities
    )


def _message_page(title: str, message: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="../static/page.css">'
        f'</head><body class="entity-page"><p><a href="../">← query page</a></p>'
        f'<h1>{html.escape(title)}</h1><p class="error">{html.escape(message)}</p></body></html>'
    )
