"""`b12kg.obo`: the classes and relations of `b12kg.owl` in OBO 1.4 flat-file form.

Read by fastobo, pronto, ROBOT/OAK's OBO readers. Each class keeps its label, definition,
synonyms, cross-references, named parents (`is_a`) and existential links (`relationship:`);
the defined groupings keep their label and parent (their equivalence axioms stay in the OWL).
Identifiers are `b12:<local name>` with `idspace: b12 https://w3id.org/b12kg/`. OBO wants
an exact synonym to name one class only, so an exact synonym already used by an earlier class
(in id order) or equal to another class's label is written as a RELATED synonym.
Sources (the cited publications) are individuals in the OWL and are not written here.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from b12kg.vocabulary import BASE, DEFINITION, OBOINOWL


def _id(iri: object) -> str:
    text = str(iri)
    if not text.startswith(BASE):
        raise ValueError(f"not a b12kg IRI: {text}")
    return "b12:" + text[len(BASE) :]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _escape_value(text: str) -> str:
    """An unquoted OBO value: no newlines, and `!` / `{` would start a comment / qualifiers."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("!", "\\!").replace("{", "\\{")


def _first(graph: Graph, subject: object, predicate: URIRef) -> str:
    values = sorted(str(o) for o in graph.objects(subject, predicate))
    return values[0] if values else ""


def to_obo(axioms: Graph) -> bytes:
    ontology = next(iter(sorted(axioms.subjects(RDF.type, OWL.Ontology))))
    classes = sorted(
        s
        for s in axioms.subjects(RDF.type, OWL.Class)
        if isinstance(s, URIRef) and str(s).startswith(BASE)
    )
    properties = sorted(
        s
        for s in axioms.subjects(RDF.type, OWL.ObjectProperty)
        if isinstance(s, URIRef) and str(s).startswith(BASE)
    )
    labels = {str(c).lower() for c in classes for c in axioms.objects(c, RDFS.label)}
    lines = [
        "format-version: 1.4",
        f"data-version: {_first(axioms, ontology, OWL.versionInfo)}",
        "ontology: b12kg",
        f"idspace: b12 {BASE}",
        f"remark: {_escape_value(_first(axioms, ontology, RDFS.comment))}",
        "",
    ]
    claimed: set[str] = set()
    for cls in classes:
        label = _first(axioms, cls, RDFS.label)
        lines += ["[Term]", f"id: {_id(cls)}", f"name: {_escape_value(label)}"]
        definition = _first(axioms, cls, DEFINITION)
        if definition:
            lines.append(f"def: {_quote(definition)} []")
        for comment in sorted(str(o) for o in axioms.objects(cls, RDFS.comment)):
            lines.append(f"comment: {_escape_value(comment)}")
        for synonym in sorted(str(o) for o in axioms.objects(cls, OBOINOWL.hasExactSynonym)):
            key = synonym.lower()
            scope = (
                "RELATED" if key in claimed or (key in labels and key != label.lower()) else "EXACT"
            )
            claimed.add(key)
            lines.append(f"synonym: {_quote(synonym)} {scope} []")
        for synonym in sorted(str(o) for o in axioms.objects(cls, OBOINOWL.hasRelatedSynonym)):
            lines.append(f"synonym: {_quote(synonym)} RELATED []")
        for xref in sorted(str(o) for o in axioms.objects(cls, OBOINOWL.hasDbXref)):
            lines.append(f"xref: {xref}")
        relationships: dict[str, set[str]] = defaultdict(set)
        parents = []
        for parent in axioms.objects(cls, RDFS.subClassOf):
            if isinstance(parent, URIRef):
                parents.append(_id(parent))
            elif isinstance(parent, BNode) and (parent, RDF.type, OWL.Restriction) in axioms:
                prop = axioms.value(parent, OWL.onProperty)
                filler = axioms.value(parent, OWL.someValuesFrom)
                if isinstance(filler, URIRef):
                    relationships[_id(prop)].add(_id(filler))
        lines += [f"is_a: {p}" for p in sorted(parents)]
        for prop in sorted(relationships):
            lines += [f"relationship: {prop} {target}" for target in sorted(relationships[prop])]
        lines.append("")
    for prop in properties:
        lines += [
            "[Typedef]",
            f"id: {_id(prop)}",
            f"name: {_escape_value(_first(axioms, prop, RDFS.label))}",
        ]
        definition = _first(axioms, prop, DEFINITION)
        if definition:
            lines.append(f"def: {_quote(definition)} []")
        for parent in sorted(axioms.objects(prop, RDFS.subPropertyOf)):
            if isinstance(parent, URIRef) and str(parent).startswith(BASE):
                lines.append(f"is_a: {_id(parent)}")
        if (prop, RDF.type, OWL.TransitiveProperty) in axioms:
            lines.append("is_transitive: true")
        inverse = axioms.value(prop, OWL.inverseOf)
        if isinstance(inverse, URIRef):
            lines.append(f"inverse_of: {_id(inverse)}")
        lines.append("")
    return "\n".join(lines).encode("utf-8")
