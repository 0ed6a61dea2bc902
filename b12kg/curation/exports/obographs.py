"""`b12kg.json`: OBO Graphs JSON (the shape ROBOT `convert --format json` writes).

One graph; a CLASS node per term (label, definition with its source xrefs, synonyms by
scope, xrefs, comments; `deprecated` and IAO:0100001 / consider for retired terms) and a
PROPERTY node per relation; `is_a` edges for named parents and one edge per existential
link (`pernicious_anemia --hasMechanism--> intrinsic_factor_antibodies`), with full IRIs,
as ROBOT writes them. Built from the same flat view as `b12kg.obo`.
"""

from __future__ import annotations

import json

from rdflib import Graph

from b12kg.curation.exports.obo import terms

OIO = "http://www.geneontology.org/formats/oboInOwl#"
SCOPE = {
    "EXACT": "hasExactSynonym",
    "RELATED": "hasRelatedSynonym",
    "BROAD": "hasBroadSynonym",
    "NARROW": "hasNarrowSynonym",
}
REPLACED_BY = "http://purl.obolibrary.org/obo/IAO_0100001"


def to_obographs(axioms: Graph) -> bytes:
    flat = terms(axioms)
    nodes: list[dict[str, object]] = []
    edges: list[dict[str, str]] = []
    for term in flat.terms:
        meta: dict[str, object] = {}
        if term.definition:
            meta["definition"] = {"val": term.definition}
            if term.definition_xrefs:
                meta["definition"]["xrefs"] = term.definition_xrefs
        if term.comments:
            meta["comments"] = term.comments
        if term.synonyms:
            meta["synonyms"] = [
                {"pred": SCOPE[scope], "val": text} for text, scope in term.synonyms
            ]
        if term.xrefs:
            meta["xrefs"] = [{"val": x} for x in term.xrefs]
        values = [{"pred": REPLACED_BY, "val": r} for r in term.replaced_by]
        values += [{"pred": OIO + "consider", "val": c} for c in term.consider]
        if values:
            meta["basicPropertyValues"] = values
        if term.obsolete:
            meta["deprecated"] = True
        node: dict[str, object] = {"id": term.iri, "lbl": term.label, "type": "CLASS"}
        if meta:
            node["meta"] = meta
        nodes.append(node)
        edges += [{"sub": term.iri, "pred": "is_a", "obj": p} for p in term.parents]
        edges += [{"sub": term.iri, "pred": p, "obj": o} for p, o in term.relationships]
    for relation in flat.relations:
        node = {"id": relation.iri, "lbl": relation.label, "type": "PROPERTY"}
        if relation.definition:
            node["meta"] = {"definition": {"val": relation.definition}}
        nodes.append(node)
    graph = {
        "id": flat.iri,
        "meta": {
            "version": flat.version_iri,
            "basicPropertyValues": [
                {"pred": "http://www.w3.org/2002/07/owl#versionInfo", "val": flat.version}
            ],
        },
        "nodes": nodes,
        "edges": sorted(edges, key=lambda e: (e["sub"], e["pred"], e["obj"])),
    }
    text = json.dumps({"graphs": [graph]}, indent=2, ensure_ascii=False, sort_keys=False)
    return (text + "\n").encode("utf-8")
