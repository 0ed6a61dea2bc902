"""Turning a user's parameter values into RDF terms, and handing them to a store.

Values are resolved first (an IRI parameter accepts a label, synonym or id, through the
graph's `find`) and become pyoxigraph terms; a store receives them as substitutions (embedded)
or as a VALUES block serialised by the RDF library (remote). User text is never pasted into
query text.
"""

from __future__ import annotations

import re
from typing import Protocol

import pyoxigraph as ox

from b12kg.errors import UsageError
from b12kg.sparql.library import QueryFile


class NameResolver(Protocol):
    """Anything that turns a name into an entity with an `iri` (the loaded graph's `find`)."""

    def find(self, name: str) -> object: ...


def bind_parameters(
    kg: NameResolver, query: QueryFile, params: dict[str, str], *, use_defaults: bool = True
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Resolve user values to RDF terms: IRIs through `kg.find` (labels, synonyms, CURIEs work),
    literals as plain strings. Unknown parameter names are an error, not silently ignored."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(
            f"{query.name} has no parameter {', '.join(unknown)}; its parameters: {listed}"
        )
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    for parameter in query.parameters:
        value = params.get(parameter.name)
        if value is None and use_defaults:
            value = parameter.default
        if value is None or value == "":
            continue
        try:
            if parameter.is_iri:
                if re.match(r"^https?://", value):
                    bindings[parameter.variable] = ox.NamedNode(value)
                else:
                    bindings[parameter.variable] = ox.NamedNode(kg.find(value).iri)  # type: ignore[attr-defined]
            else:
                bindings[parameter.variable] = ox.Literal(value)
        except ValueError as error:  # the RDF library refuses the term (a malformed IRI …)
            raise UsageError(
                f"--param {parameter.name}={value!r} is not a valid value: {error}"
            ) from None
    return bindings


def values_block(bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """A trailing VALUES block for an endpoint; terms serialised by the RDF library."""
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(value) for value in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"
