"""The query check against what the engine actually does, without HTTP.

A grammar-aware generator (hypothesis) writes queries with or without SERVICE and FROM /
FROM NAMED, dressed in comments (`#>` included), strings and IRIs that contain keywords,
`\\u` escapes, operators glued to the next token, prefixed names and BASE. Each query is
run on a tiny pyoxigraph store built so that the engine's behaviour reveals what it parsed:
SERVICE targets port 9, which pyoxigraph refuses with an OSError before any connection
(no traffic), and the data sits in named graphs, so FROM / FROM NAMED change the row count.
The check's verdict must equal what the engine saw.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b12kg.endpoint.guard import NO_FROM, NO_SERVICE, Refused, SyntaxRefusal, check_query

G = "http://g/"


def _store() -> ox.Store:
    store = ox.Store()
    s, p = ox.NamedNode(G + "s"), ox.NamedNode(G + "p")
    store.add(ox.Quad(s, p, ox.Literal("1"), ox.NamedNode(G + "1")))
    store.add(ox.Quad(s, p, ox.Literal("2"), ox.NamedNode(G + "2")))
    return store


STORE = _store()

# between tokens that need a break; `#>` + newline is the comment that fooled the old lexer
BREAK = st.sampled_from([" ", "\n", "\t", " #>\n", "#x SERVICE <http://e/>\n", "#FROM <x>\n"])
GLUE = st.sampled_from(["", " ", "#>\n"])  # where the grammar needs no space
NOISE = st.sampled_from(
    [
        'FILTER(STR(?s)!="SERVICE <http://127.0.0.1:9/> { }")',
        "FILTER(?s!=<http://e/SERVICE#FROM>)",
        "FILTER(STR(?s)!='''FROM\n<http://g/1>''')",
        'FILTER(STR(?s)!="\\u0053ERVICE")',
        "BIND(1 AS ?a)FILTER(?a<2)",
        "BIND(1 AS ?a) FILTER(?a<2&&?a>0)",
        'FILTER(!REGEX("from", "SERVICE"))',
        "FILTER(?s!=e:from\\#x)",
        "",
    ]
)
PREFIXES = "PREFIX e: <http://e/> PREFIX svc: <http://127.0.0.1:9/> PREFIX g: <http://g/> "


@st.composite
def queries(draw) -> tuple[str, bool, str | None]:
    """(query, has SERVICE, dataset clause: None, 'from' or 'named')."""
    base = draw(st.booleans())
    prologue = PREFIXES + ("BASE <http://g/>" if base else "") + draw(BREAK)
    dataset = draw(st.sampled_from([None, None, "from", "named"]))
    service = draw(st.booleans())
    form = draw(st.sampled_from(["SELECT *", "SELECT ?s ?o", "ASK", "CONSTRUCT { ?s ?p ?o }"]))
    if form == "ASK" and dataset == "named":
        dataset = "from"  # ASK cannot tell one named graph from two
    iri = draw(
        st.sampled_from(["<http://g/1>", "g:1", "<http://g/\\u0031>", *(["<1>"] if base else [])])
    )
    clause = ""
    if dataset == "from":
        clause = "FROM" + draw(BREAK) + iri
    elif dataset == "named":
        clause = "FROM" + draw(BREAK) + "NAMED" + draw(BREAK) + iri
    triple = "GRAPH ?g { ?s ?p ?o }" if dataset == "named" else "?s ?p ?o"
    target = draw(st.sampled_from(["svc:x", "<http://127.0.0.1:9/>", ":x" if False else "svc:"]))
    pattern = f"SERVICE{draw(BREAK)}{target}{draw(GLUE)}{{ ?s ?p ?o }}" if service else triple
    noise = draw(NOISE)
    where = "{" + draw(GLUE) + noise + draw(GLUE) + pattern + draw(GLUE) + "}"
    text = prologue + form + draw(BREAK) + clause + draw(BREAK) + "WHERE" + draw(GLUE) + where
    return text, service, dataset


def _engine_sees(text: str) -> tuple[bool, str | None]:
    """(SERVICE evaluated, dataset clause honoured) as the engine shows them."""
    try:
        result = STORE.query(text)
        count = int(bool(result)) if isinstance(result, ox.QueryBoolean) else len(list(result))
    except OSError as error:
        assert "port 9" in str(error), error
        return True, None
    if count == 0:
        return False, None  # default graph empty: no FROM
    return False, "from" if count == 1 and "GRAPH" not in text else "named" if count == 1 else None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_the_verdict_on_service_and_from_is_what_the_engine_sees(case):
    text, service, dataset = case
    engine_service, engine_dataset = _engine_sees(text)
    assert engine_service == service, text  # the generator's ground truth is the engine's
    if not service:
        assert engine_dataset == dataset, text
    try:
        check_query(text)
        verdict = None
    except SyntaxRefusal:
        # the check's grammar cannot read it (rdflib trips on `#` inside an IRI before
        # SERVICE, for one): refused, which is safe; it must not hide a clean query
        verdict = "unreadable"
    except Refused as refusal:
        verdict = refusal.message
    if dataset:
        assert verdict in (NO_FROM, "unreadable"), text
    elif service:
        assert verdict in (NO_SERVICE, "unreadable"), text
    else:
        assert verdict is None, text
    if verdict == "unreadable":
        assert "#" in text.split("WHERE", 1)[-1], text  # the one disagreement known so far


ATTACKS = [
    # the comment hides nothing from a parser: SERVICE : { … }
    "PREFIX : <http://HOST/sparql>\nSELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2)SERVICE:#>\n"
    "{ ?s ?p ?o } }",
    "PREFIX : <http://HOST/sparql>\nASK WHERE { BIND(1 AS ?a) FILTER(?a<2)SERVICE:#>\n"
    "{ ?s ?p ?o } }",
    "SELECT(1<2AS?x)FROM#>\n<file:///etc/passwd> WHERE { }",
    "PREFIX trueSERVICE: <http://HOST/> SELECT * WHERE { ?s ?p trueSERVICE:x { ?a ?b ?c } }",
    "PREFIX e: <http://e/> SELECT * WHERE { ?s ?p e:a.SERVICE:x { ?a ?b ?c } }",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_the_attack_strings_are_refused_with_400(text):
    with pytest.raises(Refused) as refused:
        check_query(text)
    assert refused.value.status == 400


@pytest.mark.parametrize("filler", [".", "-", "1+", "(", "{", "?a ?b ?c . "])
def test_long_and_deep_queries_get_a_verdict_not_a_crash(filler):
    # 64 kB of one character; the check must answer (any verdict), never raise anything else
    text = "SELECT * WHERE { " + filler * (8_000 // len(filler)) + " }"
    try:
        check_query(text)
    except Refused as refused:
        assert refused.status == 400


def test_query_forms_come_from_the_parse():
    assert check_query("PREFIX select: <http://e/> ASK { ?s select:x ?o }").form == "ASK"
    assert check_query("# SELECT\nDESCRIBE <http://a>").kind == "graph"
    assert check_query('CONSTRUCT { ?s ?p "ASK" } WHERE { ?s ?p ?o }').form == "CONSTRUCT"
    assert not check_query("SELECT (STRUUID() AS ?r) {}").deterministic
    assert check_query('SELECT ("RAND()" AS ?r) {}').deterministic
