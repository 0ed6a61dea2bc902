"""Turning a user's parameter values into RDF terms, and handing them to a store.

Values are resolved first (an IRI parameter accepts a label, synonym or id, through the
graph's `find`) and become pyoxigraph terms. A store receives them as constants in the WHERE
group, written as pyoxigraph serialises the term (`substitute_terms`; both backends), or, where
that rewrite does not apply, as substitutions (embedded) or a VALUES block (remote). User text
is never pasted into query text: only a term pyoxigraph built and serialised is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import NamedTuple, Protocol

import pyoxigraph as ox

from b12kg.errors import UsageError
from b12kg.sparql.library import Parameter, QueryFile, declared_prefixes


class NameResolver(Protocol):
    """Anything that turns a name into an entity with an `iri` (the loaded graph's `find`)."""

    def find(self, name: str) -> object: ...


def bind_parameters(
    kg: NameResolver, query: QueryFile, params: dict[str, str], *, use_defaults: bool = True
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Resolve user values to RDF terms: IRIs through `kg.find` (labels, synonyms, CURIEs work),
    literals typed as the variable says (grlc's `_en`, `_integer`, `_xsd_date`, `_number`).
    Unknown parameter names are an error, not silently ignored; so is a required parameter
    (`?_name`) left without a value. An optional one (`?__name`) is then left unbound."""
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
            if not parameter.optional:
                raise UsageError(
                    f"{query.name} needs --param {parameter.name}=VALUE "
                    f"(?{parameter.variable} is required; ?__{parameter.name}… would be optional)"
                )
            continue
        try:
            bindings[parameter.variable] = _term(kg, parameter, value)
        except ValueError as error:  # the RDF library refuses the term (a malformed IRI …)
            raise UsageError(
                f"--param {parameter.name}={value!r} is not a valid value: {error}"
            ) from None
    return bindings


_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBER = (
    (re.compile(r"[+-]?\d+"), "integer"),
    (re.compile(r"[+-]?(\d+\.\d*|\.\d+)"), "decimal"),
    (re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+"), "double"),
)


def _term(kg: NameResolver, parameter: Parameter, value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term grlc would paste for `value`, built by pyoxigraph (never pasted text)."""
    if parameter.is_iri:
        if re.match(r"^https?://", value):
            return ox.NamedNode(value)
        return ox.NamedNode(kg.find(value).iri)  # type: ignore[attr-defined]
    if parameter.numeric:
        for pattern, datatype in _NUMBER:
            if pattern.fullmatch(value):
                return ox.Literal(value, datatype=ox.NamedNode(_XSD + datatype))
        raise ValueError("not a number")
    if parameter.language:
        return ox.Literal(value, language=parameter.language)
    if parameter.datatype:
        return ox.Literal(value, datatype=ox.NamedNode(parameter.datatype))
    return ox.Literal(value)


def values_block(bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """A trailing VALUES block for an endpoint; terms serialised by the RDF library."""
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(value) for value in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"


_IRI_TOKEN = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")


def skip_opaque(text: str, i: int) -> int | None:
    """If a comment, a string or an IRI starts at `i`, the index just past it; else None.

    Both places that find the top-level WHERE group of our own queries (inserting bound
    constants here, placing a VALUES block in `remote`) must not read braces inside these."""
    char = text[i]
    if char == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end + 1
    if char in "\"'":
        quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
        i += len(quote)
        while i < len(text) and not text.startswith(quote, i):
            i += 2 if text[i] == "\\" else 1
        return i + len(quote)
    if char == "<":
        match = _IRI_TOKEN.match(text, i)
        return match.end() if match else None
    return None


_NAME_CHAR = re.compile(r"[A-Za-z0-9_\u00b7\u00c0-\uffff]")


def substitute_terms(text: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str | None:
    """`text` with each bound variable inside its WHERE group replaced by the bound term.

    The term is written as pyoxigraph serialises it (`<iri>`, `"escaped"@lang`,
    `"1"^^<datatype>`), never as the user typed it: an IRI pyoxigraph accepted holds no `>`,
    space or quote, and a literal's quotes and backslashes come back escaped. So a planner sees
    a constant (an index lookup) where it would see a variable joined with a one-row table.
    Occurrences outside the WHERE group (SELECT list, ORDER BY) are left as they are: the
    variable is then unbound there, and the caller puts the bound value in its column, as
    SEP-0007 substitution does. Strings, IRIs and comments are skipped. None when the text has
    no WHERE group to rewrite, or binds a bound variable itself (`AS ?x`, `VALUES ?x`,
    `SELECT ?x` in a sub-query) or projects `*`: the caller then binds the way it did before.
    """
    if not bindings:
        return text
    terms: dict[str, str] = {}
    for name, value in bindings.items():
        if not isinstance(value, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"a bound value must be an RDF term, not {type(value).__name__}")
        terms[name] = str(value)
    out: list[str] = []
    depth = 0
    i = last = 0
    n = len(text)
    inside = False  # within the first top-level { … } group
    done = False
    previous = ""  # the last keyword-ish token seen, to refuse `AS ?x`, `VALUES ?x`
    while i < n:
        char = text[i]
        skipped = skip_opaque(text, i)
        if skipped is not None:
            i = skipped
            if char != "#":
                previous = ""
            continue
        if char == "{":
            depth += 1
            if depth == 1 and not done:
                inside = True
        elif char == "}":
            depth -= 1
            if depth == 0 and inside:
                inside, done = False, True
        elif char in "?$" and inside:
            j = i + 1
            while j < n and _NAME_CHAR.match(text[j]):
                j += 1
            name = text[i + 1 : j]
            if name in terms:
                if previous in ("AS", "VALUES", "SELECT", "DISTINCT", "REDUCED") or (
                    previous == "VAR"
                ):
                    return None
                out.append(text[last:i])
                out.append(terms[name])
                last = j
            i = j
            previous = "VAR" if previous in ("SELECT", "DISTINCT", "REDUCED", "VAR") else ""
            continue
        elif char.isalpha():
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_:-"):
                j += 1
            previous = text[i:j].upper()
            i = j
            continue
        elif char == "*" and previous in ("SELECT", "DISTINCT", "REDUCED"):
            return None  # `SELECT *` would lose the bound column
        elif not char.isspace():
            previous = ""
        i += 1
    if not done:
        return None
    out.append(text[last:])
    return "".join(out)


_TRAILING_VALUES = re.compile(r"\bVALUES\b", re.IGNORECASE)


@functools.cache
def _empty_store() -> ox.Store:
    """Evaluates a VALUES block on its own, to read its terms; made on first use, not at
    import (the CLI imports this module on its way to any query)."""
    return ox.Store()


class BoundLibraryQuery(NamedTuple):
    """A library query a client sent with its parameters in a trailing VALUES row."""

    query: QueryFile  # the packaged query it is
    text: str  # its text with the row's terms as constants: what to evaluate


_SPARQL_SPACE = " \t\r\n"  # SPARQL's white space; str.strip() would also take \xa0, \u2028 …
#: how much longer than its library text a bound text may be (the VALUES row)
_ROW_ROOM = 4096


def by_text(queries: Iterable[QueryFile]) -> dict[str, QueryFile]:
    """Library queries keyed as `bound_library_query` looks them up: the text without the
    white space SPARQL ignores at either end."""
    return {query.text.strip(_SPARQL_SPACE): query for query in queries}


def bound_library_query(
    text: str, library_by_text: dict[str, QueryFile]
) -> BoundLibraryQuery | None:
    """A library query sent with its parameters in one trailing VALUES row, rewritten so the
    planner sees them as constants; None for any other text (run it as it is).

    A trailing VALUES block is joined after the whole WHERE group (SPARQL 1.1 §18.2.4.3), and
    pyoxigraph evaluates the group for every value first: path-from-condition on b12kg + 5M
    foreign triples took 54 s that way against 9 ms with the condition as a constant. Clients
    that copy a library query and bind it (SPARQLWrapper scripts, `values_block`) send exactly
    this. The rewrite is the one `run_local` makes (`substitute_terms`), which
    tests/test_constants.py shows gives a trailing block's rows for every parameterised library
    query; it is applied only to a text that is a packaged library query (`library_by_text`,
    keyed by `by_text`) followed by one fully bound row of its own parameters, so no other
    query's meaning can change. The block is then dropped: a library query never projects or
    orders by a parameter (tests/test_queries.py), and kept after the group it cost
    evidence-for-link 3.0 → 5.5 ms on the 5M store. Its terms are read by pyoxigraph
    evaluating the block alone, never by pattern-matching user text, and only IRIs and
    literals are taken (a triple term is not a parameter value). The rows are the same; the
    three index queries whose ORDER BY is not total (tests/test_queries.py) may list tied
    rows in another order, as SPARQL allows.
    """
    if not library_by_text or len(text) > max(map(len, library_by_text)) + _ROW_ROOM:
        return None  # longer than any library query and its row: not worth reading
    for keyword in reversed(list(_TRAILING_VALUES.finditer(text))):
        start = keyword.start()
        query = library_by_text.get(text[:start].strip(_SPARQL_SPACE))
        if query is not None:
            break
    else:
        return None
    block = text[start:]
    prologue = "".join(
        f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in declared_prefixes(query.text).items()
    )
    try:
        solutions = _empty_store().query(prologue + "SELECT * {}\n" + block)
        rows = list(solutions)  # type: ignore[arg-type]
        names = [variable.value for variable in solutions.variables]  # type: ignore[union-attr]
    except (SyntaxError, OSError, ValueError, RuntimeError, TypeError, AttributeError):
        return None
    parameters = {p.variable for p in query.parameters}
    if len(rows) != 1 or not names or not set(names) <= parameters:
        return None
    bindings = {name: rows[0][name] for name in names}
    if not all(isinstance(value, (ox.NamedNode, ox.Literal)) for value in bindings.values()):
        return None  # UNDEF (unbound in that row), a blank node or a triple term
    constant = substitute_terms(query.text, bindings)
    return None if constant is None else BoundLibraryQuery(query, constant)
