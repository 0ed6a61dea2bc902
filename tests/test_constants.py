"""Bound terms reach the planner as constants (issue 11), and only as pyoxigraph wrote them.

`binding.substitute_terms` writes each bound term into the WHERE group in pyoxigraph's own
serialisation; both backends use it. These tests check that it applies to every
parameterised library query, gives the rows a trailing VALUES block gives, and that no
value, however hostile, changes the query's structure.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from b12kg.errors import UsageError
from b12kg.sparql.binding import bind_parameters, substitute_terms, values_block
from b12kg.sparql.embedded import run_local
from b12kg.sparql.library import library
from b12kg.sparql.remote import bound_text
from b12kg.sparql.results import python_value

from .conftest import ONTOLOGY

PARAMETERISED = sorted(name for name, q in library().items() if q.parameters)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    from b12kg.sparql.embedded import read_store

    return read_store(ONTOLOGY / "b12kg.ttl")


@pytest.mark.parametrize("name", PARAMETERISED)
def test_every_parameterised_query_takes_its_terms_as_constants(kg, store, name) -> None:
    query = library()[name]
    bindings = bind_parameters(kg, query, {})
    constant = substitute_terms(query.text, bindings)
    assert constant is not None, f"{name}: the rewrite does not apply"
    for variable in bindings:
        where = constant[constant.index("{") :]
        assert f"?{variable} " not in where.split("\nORDER BY")[0], name
    assert bound_text(query.text, bindings) == constant  # the remote backend sends the same
    # the reference: the same terms as a trailing VALUES block, evaluated by pyoxigraph
    # (its `substitutions` take only projected variables, and no library query projects one)
    solutions = store.query(query.text + values_block(bindings))
    columns = [v.value for v in solutions.variables]
    substituted = [{c: python_value(s[c]) for c in columns} for s in solutions]
    got = run_local(store, query.text, bindings=bindings)
    assert got.columns == columns
    assert got.rows == substituted
    assert got.rows, f"{name}: no rows with its defaults"


HOSTILE = [
    '" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #',
    "x' . ?s ?p ?o . FILTER('1",
    '\\" } UNION { ?s ?p ?o } #',
    '"""',
    "line\nbreak } #",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_literal_is_escaped_not_injected(store, value) -> None:
    text = "SELECT ?s WHERE { ?s <urn:p> ?_v }"
    constant = substitute_terms(text, {"_v": ox.Literal(value)})
    assert constant is not None
    # the structure is intact: exactly one group, one triple pattern, the literal round-trips
    parsed = ox.Store()
    parsed.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(value)))
    rows = list(parsed.query(constant))
    assert [r["s"] for r in rows] == [ox.NamedNode("urn:s")]
    assert run_local(store, text, bindings={"_v": ox.Literal(value)}).rows == []


@pytest.mark.parametrize(
    "value",
    ["http://x> } ; DROP ALL #", "http://x/ a", 'http://x/"', "http://x/{y}", "http://x/\n"],
)
def test_a_hostile_iri_is_refused(kg, value) -> None:
    query = library()["findings-of-cause"]
    with pytest.raises(UsageError):
        bind_parameters(kg, query, {query.parameters[0].name: value})
    with pytest.raises(ValueError):
        ox.NamedNode(value)


def test_only_rdf_terms_are_substituted() -> None:
    with pytest.raises(TypeError):
        substitute_terms("SELECT ?s WHERE { ?s ?p ?_v }", {"_v": "<urn:x> } #"})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?_v }",
        "SELECT ?s WHERE { BIND(<urn:x> AS ?_v) ?s ?p ?_v }",
        "SELECT ?s WHERE { VALUES ?_v { <urn:x> } ?s ?p ?_v }",
        "SELECT ?s WHERE { { SELECT ?s ?_v WHERE { ?s ?p ?_v } } }",
        "SELECT ?s ?p ?_v",
    ],
)
def test_forms_the_rewrite_does_not_cover_fall_back(store, text) -> None:
    assert substitute_terms(text, {"_v": ox.NamedNode("urn:x")}) is None


def test_strings_iris_and_comments_are_left_alone() -> None:
    text = 'SELECT ?s WHERE { ?s <urn:a?_v> "?_v" . # ?_v\n ?s ?p ?_v . ?s ?q ?_vv }'
    got = substitute_terms(text, {"_v": ox.NamedNode("urn:x")})
    assert got == 'SELECT ?s WHERE { ?s <urn:a?_v> "?_v" . # ?_v\n ?s ?p <urn:x> . ?s ?q ?_vv }'


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_literal_parameter_through_the_api_matches_nothing(kg, value) -> None:
    # `entities` takes a literal (`kind`); an injected UNION would return every entity
    assert kg.query("entities", kind="drug").rows
    assert kg.query("entities", kind=value).rows == []
