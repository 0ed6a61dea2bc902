"""Turtle that every reader takes, OWL API 3's included.

A prefixed name is written only when its local part needs no escape (`b12:pernicious_anemia`);
anything else is written in full (`<https://w3id.org/b12kg/releases/2026-12-01/b12kg.owl>`), since
OWL API 3 (HermiT 1.3.8 in owlready2) stops at a reserved-character escape such as `\\/`.
Strings use only the escapes every Turtle 1.0 parser knows. The input is the builder's sorted
canonical triple list, so the bytes depend only on the triples.
"""

from __future__ import annotations

import re
from itertools import groupby

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: A local part OWL API 3, rdflib and oxigraph all read unescaped (no dots, no leading digit).
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class _Names:
    def __init__(self, prefixes: dict[str, str]) -> None:
        # longest namespace first, so `src:` wins over `b12:` for a source IRI
        self.prefixes = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def iri(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and _LOCAL.match(iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}"
        return (
            "<"
            + "".join(c if c not in '<>"{}|^`\\' and c > " " else f"\\u{ord(c):04X}" for c in iri)
            + ">"
        )

    def term(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        assert isinstance(term, ox.Literal)
        text = '"' + "".join(_ESCAPES.get(c, c) for c in term.value) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value != XSD_STRING:
            return f"{text}^^{self.iri(term.datatype.value)}"
        return text


def to_turtle(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """The triples as Turtle: one block per subject, in the order given."""
    names = _Names(prefixes)
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(prefixes.items())]
    lines.append("")
    for subject, group in groupby(triples, key=lambda t: t.subject):
        by_predicate = groupby(group, key=lambda t: t.predicate)
        parts = []
        for predicate, same in by_predicate:
            verb = "a" if predicate.value == RDF_TYPE else names.iri(predicate.value)
            objects = " , ".join(names.term(t.object) for t in same)
            parts.append(f"{verb} {objects}")
        lines.append(names.term(subject) + " " + " ;\n\t".join(parts) + " .")
    lines.append("")
    return "\n".join(lines).encode("utf-8")
