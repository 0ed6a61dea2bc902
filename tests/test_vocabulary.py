"""Our vocabulary in code and in model.ttl list the same terms; a typo raises."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from b12kg.vocabulary import B12, BASE

from .conftest import SOURCES


def test_namespace_and_model_declare_the_same_terms() -> None:
    model = Graph().parse(SOURCES / "model.ttl")
    declared = {
        str(s)[len(BASE) :]
        for s in model.subjects()
        if isinstance(s, URIRef) and str(s).startswith(BASE)
    }
    declared.discard("")  # the ontology IRI is the namespace itself
    assert declared == set(B12.__annotations__)


def test_misspelt_term_raises_instead_of_minting_an_iri() -> None:
    with pytest.raises(AttributeError):
        B12.hasMechansim  # noqa: B018
