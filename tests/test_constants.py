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
from b12kg.sparql.binding import (
    bind_parameters,
    bound_library_query,
    by_text,
    substitute_terms,
    values_block,
)
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


# -- a library query sent with a trailing VALUES row (what a SPARQL client copying it sends)

BY_TEXT = by_text(library().values())


def _json(store: ox.Store, text: str) -> bytes:
    return store.query(text).serialize(format=ox.QueryResultsFormat.JSON)


def _values_to_try(kg, query) -> list[str]:
    """The default and two other values of the same kind, so more than one answer is compared."""
    parameter = query.parameters[0]
    if not parameter.is_iri:
        return [parameter.default, "condition", "mechanism"]
    if query.name == "causal-edges":  # its parameter is a relation, not an entity
        relations = sorted({row["relation"] for row in kg.query(query.name, relation="").rows})
        others = [r for r in relations if r != parameter.default]
    else:
        kind = kg.find(parameter.default).kind
        others = sorted(
            e.iri for e in kg.entities.values() if e.kind == kind and e.iri != parameter.default
        )
    return [parameter.default, *others[:2]]


@pytest.mark.parametrize("name", PARAMETERISED)
def test_a_library_query_bound_by_trailing_values_runs_with_constants(kg, store, name) -> None:
    query = library()[name]
    (parameter,) = query.parameters
    for value in _values_to_try(kg, query):
        bindings = bind_parameters(kg, query, {parameter.name: value})
        sent = query.text + values_block(bindings)
        bound = bound_library_query(sent, BY_TEXT)
        assert bound is not None, f"{name}={value}: not rewritten"
        assert bound.query is query
        planned = bound.text
        group = planned[planned.index("{") :]
        assert f"?{parameter.variable} " not in group.split("\nORDER BY")[0], name
        assert str(bindings[parameter.variable]) in group
        assert _json(store, planned) == _json(store, sent), f"{name}={value}"


def test_a_literal_holding_the_word_values_is_still_read_as_a_term(store) -> None:
    query = library()["entities"]
    sent = query.text + '\nVALUES ?__kind { "drug VALUES x" }\n'
    bound = bound_library_query(sent, BY_TEXT)
    assert bound is not None and '"drug VALUES x"' in bound.text
    planned = bound.text
    assert _json(store, planned) == _json(store, sent)


_ENTITIES = library()["entities"].text
_CAUSE = "<https://w3id.org/b12kg/pernicious_anemia>"


@pytest.mark.parametrize(
    "sent",
    [
        # not a library query: the rewrite could change what the user's query means
        'SELECT ?s WHERE { ?s ?p ?__kind } VALUES ?__kind { "drug" }',
        _ENTITIES.replace("ORDER BY", "FILTER(true) ORDER BY", 1) + 'VALUES ?__kind { "drug" }',
        # a library query, but the block is not one fully bound row of its own parameters
        _ENTITIES + '\nVALUES ?__kind { "drug" "condition" }',
        _ENTITIES + "\nVALUES ?__kind { UNDEF }",
        _ENTITIES + '\nVALUES ?label { "drug" }',
        _ENTITIES + '\nVALUES (?__kind ?label) { ("drug" "x") }',
        _ENTITIES + '\nVALUES ?__kind { "drug" } } UNION { ?s ?p ?o }',
        _ENTITIES + "\nVALUES ?__kind { <<( <urn:a> <urn:b> <urn:c> )>> }",  # a triple term
        _ENTITIES + '\u00a0VALUES ?__kind { "drug" }',  # not SPARQL white space: not SPARQL
        _ENTITIES + '\nVALUES ?__kind { "drug" }' + " " * 20_000,  # longer than any row needs
        _ENTITIES,
        library()["findings-of-cause"].text + f"\nVALUES ?__cause_iri {{ {_CAUSE} }} LIMIT 1",
    ],
)
def test_any_other_text_runs_as_sent(sent) -> None:
    assert bound_library_query(sent, BY_TEXT) is None


@pytest.mark.parametrize("name", sorted(library()))
def test_no_library_text_ends_inside_a_comment(name) -> None:
    """A row appended after a trailing comment would be commented out in the text as sent,
    while the rewrite would apply it: the rewrite relies on every library text ending in code."""
    assert "#" not in library()[name].text.rstrip().splitlines()[-1], name
