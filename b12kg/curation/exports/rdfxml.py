"""RDF/XML the way the OWL API writes it: typed nodes, nested blank nodes, parseType Collection.

pronto reads only this shape (it looks for an `<owl:Ontology>` element and for
`<rdfs:subClassOf><owl:Restriction>` nesting); the OWL API, py-horned-owl, rdflib and owlready2
read it as well. The input is the builder's canonical triple list, so the bytes depend only on
the triples: subjects are written ontology first, then annotation properties, object
properties, data properties, classes, individuals (each sorted by IRI), then the unreferenced
blank nodes (axiom annotations) sorted by the axiom they annotate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = RDF_NS + "type"
RDF_FIRST, RDF_REST, RDF_NIL = RDF_NS + "first", RDF_NS + "rest", RDF_NS + "nil"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: The order of the top-level sections, by the element type a subject is written as.
SECTION = {
    OWL_NS + "Ontology": 0,
    OWL_NS + "AnnotationProperty": 1,
    OWL_NS + "ObjectProperty": 2,
    OWL_NS + "TransitiveProperty": 2,
    OWL_NS + "DatatypeProperty": 3,
    OWL_NS + "Class": 4,
    OWL_NS + "NamedIndividual": 5,
}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")

Node = ox.NamedNode | ox.BlankNode


class _Writer:
    def __init__(self, triples: list[ox.Triple], prefixes: dict[str, str]) -> None:
        self.out: dict[Node, list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]] = (
            defaultdict(list)
        )
        self.references: dict[ox.BlankNode, int] = defaultdict(int)
        #: Where each referenced blank node is written out (nested): the first triple naming it
        #: that is not an axiom annotation's target; its other references use rdf:nodeID.
        self.home: dict[ox.BlankNode, tuple[Node, str]] = {}
        for t in sorted(triples, key=lambda t: t.predicate.value == OWL_NS + "annotatedTarget"):
            self.out[t.subject].append((t.predicate.value, t.object))
            if isinstance(t.object, ox.BlankNode):
                self.references[t.object] += 1
                self.home.setdefault(t.object, (t.subject, t.predicate.value))
        for pairs in self.out.values():
            pairs.sort(key=lambda po: (po[0], _term_key(po[1])))
        self.prefixes = dict(prefixes)
        self.prefixes.setdefault("rdf", RDF_NS)
        self.lines: list[str] = []

    # --- names ----------------------------------------------------------------------------

    def qname(self, iri: str) -> str | None:
        best = None
        for prefix, namespace in self.prefixes.items():
            fits = iri.startswith(namespace) and _NCNAME.match(iri[len(namespace) :])
            if fits and (best is None or len(namespace) > len(self.prefixes[best])):
                best = prefix
        return None if best is None else f"{best}:{iri[len(self.prefixes[best]) :]}"

    def predicate_name(self, iri: str) -> str:
        name = self.qname(iri)
        if name is None:  # split at the last '#' or '/' and declare a namespace for it
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            namespace = iri[:cut]
            prefix = f"ns{len(self.prefixes)}"
            self.prefixes[prefix] = namespace
            name = self.qname(iri)
            if name is None:
                raise ValueError(f"cannot write predicate {iri} in RDF/XML")
        return name

    def element_type(self, node: Node) -> str | None:
        """The rdf:type a node is written as (its element name), or None for rdf:Description."""
        types = [
            o.value for p, o in self.out[node] if p == RDF_TYPE and isinstance(o, ox.NamedNode)
        ]
        for iri in sorted(types, key=lambda t: (SECTION.get(t, 9), t)):
            if self.qname(iri) is not None:
                return iri
        return None

    # --- nodes ----------------------------------------------------------------------------

    def is_list(self, node: ox.BlankNode) -> bool:
        """A well-formed list whose members can go in a parseType="Collection"."""
        while True:
            pairs = self.out.get(node, [])
            preds = sorted(p for p, _ in pairs)
            if preds != [RDF_FIRST, RDF_REST] or self.references[node] != 1:
                return False
            first = next(o for p, o in pairs if p == RDF_FIRST)
            rest = next(o for p, o in pairs if p == RDF_REST)
            if isinstance(first, ox.Literal):
                return False
            if isinstance(first, ox.BlankNode) and self.home[first] != (node, RDF_FIRST):
                return False
            if isinstance(rest, ox.NamedNode):
                return rest.value == RDF_NIL
            node = rest

    def list_members(self, node: ox.BlankNode) -> list[Node]:
        members = []
        while isinstance(node, ox.BlankNode):
            pairs = dict(self.out[node])
            members.append(pairs[RDF_FIRST])
            node = pairs[RDF_REST]
        return members

    def node(self, node: Node, depth: int, *, nested: bool) -> None:
        pad = "\t" * depth
        if nested and isinstance(
            node, ox.NamedNode
        ):  # a list member: a reference, not a description
            self.lines.append(f"{pad}<rdf:Description rdf:about={quoteattr(node.value)}/>")
            return
        kind = self.element_type(node)
        tag = self.qname(kind) if kind else "rdf:Description"
        if isinstance(node, ox.NamedNode):
            attrs = f" rdf:about={quoteattr(node.value)}"
        elif self.references[node] <= 1:
            attrs = ""
        else:  # also the target of an axiom annotation, which refers to it by this id
            attrs = f" rdf:nodeID={quoteattr(node.value)}"
        pairs = [
            (p, o) for p, o in self.out.get(node, []) if not (p == RDF_TYPE and o.value == kind)
        ]
        if not pairs:
            self.lines.append(f"{pad}<{tag}{attrs}/>")
            return
        self.lines.append(f"{pad}<{tag}{attrs}>")
        for predicate, obj in pairs:
            self.property(node, predicate, obj, depth + 1)
        self.lines.append(f"{pad}</{tag}>")

    def property(
        self,
        subject: Node,
        predicate: str,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal,
        depth: int,
    ) -> None:
        pad = "\t" * depth
        name = self.predicate_name(predicate)
        if isinstance(obj, ox.NamedNode):
            self.lines.append(f"{pad}<{name} rdf:resource={quoteattr(obj.value)}/>")
        elif isinstance(obj, ox.Literal):
            attrs = ""
            if obj.language:
                attrs = f" xml:lang={quoteattr(obj.language)}"
            elif obj.datatype.value != XSD_STRING:
                attrs = f" rdf:datatype={quoteattr(obj.datatype.value)}"
            self.lines.append(f"{pad}<{name}{attrs}>{escape(obj.value)}</{name}>")
        elif self.home[obj] != (subject, predicate):
            self.lines.append(f"{pad}<{name} rdf:nodeID={quoteattr(obj.value)}/>")
        elif self.is_list(obj):
            self.lines.append(f'{pad}<{name} rdf:parseType="Collection">')
            for member in self.list_members(obj):
                self.node(member, depth + 1, nested=True)
            self.lines.append(f"{pad}</{name}>")
        else:
            self.lines.append(f"{pad}<{name}>")
            self.node(obj, depth + 1, nested=True)
            self.lines.append(f"{pad}</{name}>")

    def write(self) -> bytes:
        named = [s for s in self.out if isinstance(s, ox.NamedNode)]
        named.sort(key=lambda s: (SECTION.get(self.element_type(s) or "", 8), s.value))
        roots = [s for s in self.out if isinstance(s, ox.BlankNode) and s not in self.home]
        roots.sort(key=lambda s: (self._about(s), s.value))
        for subject in named + roots:
            self.node(subject, 1, nested=False)
        declarations = " ".join(
            f"xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in sorted(self.prefixes.items())
        )
        head = ['<?xml version="1.0" encoding="UTF-8"?>', f"<rdf:RDF {declarations}>"]
        return "\n".join([*head, *self.lines, "</rdf:RDF>", ""]).encode("utf-8")

    def _about(self, node: ox.BlankNode) -> tuple[str, ...]:
        pairs = self.out[node]
        return tuple(
            _term_key(o)
            for key in ("annotatedSource", "annotatedProperty")
            for p, o in pairs
            if p == OWL_NS + key
        )


def _term_key(term: object) -> str:
    return f"{type(term).__name__}\x1f{term}"


def to_rdfxml(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """The triples as typed-node RDF/XML (every blank node referenced once is nested)."""
    return _Writer(triples, prefixes).write()
