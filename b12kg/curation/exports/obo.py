"""`b12kg.obo`: the classes and relations of `b12kg.owl` in OBO 1.4 flat-file form.

Read by fastobo, pronto, ROBOT/OAK's OBO readers. Each class keeps its label, definition,
synonyms, cross-references, named parents (`is_a`) and existential links (`relationship:`);
the defined groupings keep their label and parent (their equivalence axioms stay in the OWL).
Identifiers are `b12:<local name>` with `idspace: b12 https://w3id.org/b12kg/`. Synonyms keep
the scope curated in entities.tsv (OBO wants an exact synonym on one class only; the QC check
duplicate-exact-synonym holds the build to it). A definition's sources are its `[…]` xrefs
(`DOI:…`, or `src:<id>` for a source without one). Retired terms are written with
`is_obsolete: true` and `replaced_by:` / `consider:`. Sources (the cited publications) are
individuals in the OWL and are not written here.
`terms()` is the flat view both this file and the OBO Graphs JSON are written from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from b12kg.vocabulary import BASE, DEFINITION, OBOINOWL, SOURCE_BASE

#: IAO:0100001 'term replaced by'.
REPLACED_BY = URIRef("http://purl.obolibrary.org/obo/IAO_0100001")
#: Synonym scope of each oboInOwl synonym property, in the order OBO writes them.
SCOPES = {
    "hasExactSynonym": "EXACT",
    "hasRelatedSynonym": "RELATED",
    "hasBroadSynonym": "BROAD",
    "hasNarrowSynonym": "NARROW",
}


@dataclass
class Term:
    iri: str
    label: str
    definition: str = ""
    definition_xrefs: list[str] = field(default_factory=list)  # DOI:… / src:… of its sources
    comments: list[str] = field(default_factory=list)
    synonyms: list[tuple[str, str]] = field(default_factory=list)  # (text, EXACT | RELATED …)
    xrefs: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    relationships: list[tuple[str, str]] = field(default_factory=list)  # (property, filler)
    obsolete: bool = False
    replaced_by: list[str] = field(default_factory=list)
    consider: list[str] = field(default_factory=list)


@dataclass
class Relation:
    iri: str
    label: str
    definition: str = ""
    parents: list[str] = field(default_factory=list)
    transitive: bool = False
    inverse: str = ""


@dataclass
class FlatOntology:
    iri: str
    version: str
    version_iri: str
    comment: str
    terms: list[Term]
    relations: list[Relation]


def curie(iri: object) -> str:
    text = str(iri)
    if not text.startswith(BASE):
        raise ValueError(f"not a b12kg IRI: {text}")
    return "b12:" + text[len(BASE) :]


def _first(graph: Graph, subject: object, predicate: URIRef) -> str:
    values = sorted(str(o) for o in graph.objects(subject, predicate))
    return values[0] if values else ""


def _ours(graph: Graph, kind: URIRef) -> list[URIRef]:
    found = graph.subjects(RDF.type, kind)
    return sorted(s for s in found if isinstance(s, URIRef) and str(s).startswith(BASE))


def _definition_xrefs(axioms: Graph, cls: URIRef, definition: str) -> list[str]:
    """The hasDbXref annotations on the class's IAO:0000115 axiom (its definition sources)."""
    xrefs: set[str] = set()
    for axiom in axioms.subjects(OWL.annotatedSource, cls):
        if (axiom, OWL.annotatedProperty, DEFINITION) in axioms and str(
            axioms.value(axiom, OWL.annotatedTarget)
        ) == definition:
            xrefs |= {str(x) for x in axioms.objects(axiom, OBOINOWL.hasDbXref)}
    return sorted(xrefs)


def terms(axioms: Graph) -> FlatOntology:
    ontology = sorted(axioms.subjects(RDF.type, OWL.Ontology))[0]
    classes = _ours(axioms, OWL.Class)
    flat = []
    for cls in classes:
        term = Term(str(cls), _first(axioms, cls, RDFS.label), _first(axioms, cls, DEFINITION))
        term.definition_xrefs = _definition_xrefs(axioms, cls, term.definition)
        term.comments = sorted(str(o) for o in axioms.objects(cls, RDFS.comment))
        for name, scope in SCOPES.items():
            for synonym in sorted(str(o) for o in axioms.objects(cls, OBOINOWL[name])):
                term.synonyms.append((synonym, scope))
        term.xrefs = sorted(str(o) for o in axioms.objects(cls, OBOINOWL.hasDbXref))
        term.obsolete = any(o.toPython() is True for o in axioms.objects(cls, OWL.deprecated))
        term.replaced_by = sorted(str(o) for o in axioms.objects(cls, REPLACED_BY))
        term.consider = sorted(str(o) for o in axioms.objects(cls, OBOINOWL.consider))
        for parent in axioms.objects(cls, RDFS.subClassOf):
            if isinstance(parent, URIRef):
                term.parents.append(str(parent))
            elif isinstance(parent, BNode) and (parent, RDF.type, OWL.Restriction) in axioms:
                filler = axioms.value(parent, OWL.someValuesFrom)
                if isinstance(filler, URIRef):
                    prop = str(axioms.value(parent, OWL.onProperty))
                    term.relationships.append((prop, str(filler)))
        term.parents.sort()
        term.relationships.sort()
        flat.append(term)
    relations = []
    for prop in _ours(axioms, OWL.ObjectProperty):
        relation = Relation(
            str(prop), _first(axioms, prop, RDFS.label), _first(axioms, prop, DEFINITION)
        )
        relation.parents = sorted(
            str(p) for p in axioms.objects(prop, RDFS.subPropertyOf) if str(p).startswith(BASE)
        )
        relation.transitive = (prop, RDF.type, OWL.TransitiveProperty) in axioms
        inverse = axioms.value(prop, OWL.inverseOf)
        relation.inverse = str(inverse) if isinstance(inverse, URIRef) else ""
        relations.append(relation)
    return FlatOntology(
        str(ontology),
        _first(axioms, ontology, OWL.versionInfo),
        _first(axioms, ontology, OWL.versionIRI),
        _first(axioms, ontology, RDFS.comment),
        flat,
        relations,
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _value(text: str) -> str:
    """An unquoted OBO value: no newlines, and `!` / `{` would start a comment / qualifiers."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("!", "\\!").replace("{", "\\{")


def to_obo(axioms: Graph) -> bytes:
    flat = terms(axioms)
    lines = [
        "format-version: 1.4",
        f"data-version: {flat.version}",
        "ontology: b12kg",
        "default-namespace: b12kg",
        f"idspace: b12 {BASE}",
        f"idspace: src {SOURCE_BASE}",
        f"remark: {_value(flat.comment)}",
        "",
    ]
    for term in flat.terms:
        lines += ["[Term]", f"id: {curie(term.iri)}", f"name: {_value(term.label)}"]
        if term.definition:
            lines.append(f"def: {_quote(term.definition)} [{', '.join(term.definition_xrefs)}]")
        lines += [f"comment: {_value(c)}" for c in term.comments]
        lines += [f"synonym: {_quote(text)} {scope} []" for text, scope in term.synonyms]
        lines += [f"xref: {x}" for x in term.xrefs]
        lines += [f"is_a: {curie(p)}" for p in term.parents]
        lines += [f"relationship: {curie(p)} {curie(o)}" for p, o in term.relationships]
        if term.obsolete:
            lines.append("is_obsolete: true")
        lines += [f"replaced_by: {curie(r)}" for r in term.replaced_by]
        lines += [f"consider: {curie(c)}" for c in term.consider]
        lines.append("")
    for relation in flat.relations:
        lines += ["[Typedef]", f"id: {curie(relation.iri)}", f"name: {_value(relation.label)}"]
        if relation.definition:
            lines.append(f"def: {_quote(relation.definition)} []")
        lines += [f"is_a: {curie(p)}" for p in relation.parents]
        if relation.transitive:
            lines.append("is_transitive: true")
        if relation.inverse:
            lines.append(f"inverse_of: {curie(relation.inverse)}")
        lines.append("")
    return "\n".join(lines).encode("utf-8")
