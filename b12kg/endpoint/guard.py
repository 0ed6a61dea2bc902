"""The query check: refuse SPARQL Update, SERVICE and FROM, judged from a real SPARQL parse.

Its own module because it is the endpoint's first line of defence and is worth reading (and
testing) on its own, without HTTP or worker processes. `Refused` lives here too: it is the
one way any part of the endpoint turns a request down with a status and a message.

Why a parser and not a lexer: an earlier hand tokenizer read `FILTER(?a<2)SERVICE:#>` as one
IRI where the engine reads less-than, `SERVICE :` and a comment, and it was quadratic on
runs of `.`. Here the verdict comes from rdflib's SPARQL 1.1 grammar (`parseQuery` /
`parseUpdate`, which also expands `\\uXXXX` escapes first, as the spec says), walked without
recursion. Whatever that grammar sees is what is checked: SERVICE anywhere in the tree, any
dataset clause, and the query form (SELECT/ASK/CONSTRUCT/DESCRIBE) come from the tree, never
from keywords.

The parse is not fast on every input (pyparsing backtracks; about 0.4 ms per character on
long `1+1+…` chains) and recurses once per nesting level, so the endpoint runs it inside a
worker process, under the query's own deadline, on a thread with a large stack
(`workers.py`); `RecursionError` becomes a 400. The engine is also configured so that a
disagreement between the two grammars cannot fetch anything (see `sandbox.py`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

# The one place this module names the SPARQL parser it trusts.
_PARSER_MODULE = "rdflib.plugins.sparql.parser"


class Refused(Exception):
    """A request the endpoint will not run; `status` and a message meant for the user."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def __reduce__(self):  # crosses the worker pipe pickled
        return (Refused, (self.status, self.message))


class QueryCheck(NamedTuple):
    """What the check learnt: the result kind, and whether the answer may be cached."""

    kind: str  # "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE)
    deterministic: bool  # False when RAND(), NOW(), UUID() or STRUUID() appear
    form: str = "SELECT"  # SELECT, ASK, CONSTRUCT or DESCRIBE


READ_ONLY = (
    "this endpoint is read-only: SPARQL Update{what} is refused. "
    "Only SELECT, ASK, CONSTRUCT and DESCRIBE queries are answered."
)
NO_SERVICE = (
    "SERVICE (federated query) is not allowed: this endpoint makes no outbound requests. "
    "Query the other endpoint yourself."
)
NO_FROM = (
    "FROM and FROM NAMED are not allowed: this endpoint serves one graph, the b12kg default "
    "graph. Remove the FROM clause."
)
TOO_DEEP = "the query is nested too deeply for this endpoint to check; simplify it"

_FORMS = {
    "SelectQuery": ("SELECT", "results"),
    "AskQuery": ("ASK", "results"),
    "ConstructQuery": ("CONSTRUCT", "graph"),
    "DescribeQuery": ("DESCRIBE", "graph"),
}
_VOLATILE = {"Builtin_RAND", "Builtin_NOW", "Builtin_UUID", "Builtin_STRUUID"}
# Only picks the message for text that parses neither as a query nor as an update (such
# text cannot run anyway): `SELECT … ; DROP ALL` is better answered "read-only" than with a
# parse error. Never used to let anything through.
_UPDATE_WORD = re.compile(
    r"(?<![\w:?$])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:])",
    re.IGNORECASE,
)


class _Unparsable(Exception):
    """Neither a query nor an update in rdflib's grammar; carries the parser's message."""


def check_query(text: str) -> QueryCheck:
    """Classify a query before it runs; raise Refused if it may not run.

    403 for any SPARQL Update, 400 for SERVICE, FROM / FROM NAMED, or a query the parser
    cannot read (the message then comes from `syntax_message`, with line and column)."""
    try:
        tree = _parse_query(text)
    except RecursionError:
        raise Refused(400, TOO_DEEP) from None
    except _Unparsable as error:
        _refuse_update_or_syntax(text, str(error))
        raise  # not reached
    form_node = tree[-1]
    form, kind = _FORMS.get(getattr(form_node, "name", ""), ("SELECT", "results"))
    if dict.get(form_node, "datasetClause"):  # CompValue.get returns the key when absent
        raise Refused(400, NO_FROM)
    names, name_parts = _walk(tree)
    if "ServiceGraphPattern" in names or any("SERVICE" in part for part in name_parts):
        raise Refused(400, NO_SERVICE)
    if any("FROM" in part for part in name_parts):
        raise Refused(400, NO_FROM)
    if "DatasetClause" in names:  # a dataset clause inside a subquery, should the grammar allow it
        raise Refused(400, NO_FROM)
    return QueryCheck(kind, not (names & _VOLATILE), form)


def _parse_query(text: str):
    import importlib

    parser = importlib.import_module(_PARSER_MODULE)
    try:
        return parser.parseQuery(text)
    except RecursionError:
        raise
    except Exception as error:  # pyparsing's ParseException, or anything odder
        raise _Unparsable(_describe(error)) from None


def _refuse_update_or_syntax(text: str, message: str) -> None:
    import importlib

    parser = importlib.import_module(_PARSER_MODULE)
    try:
        update = parser.parseUpdate(text)
    except RecursionError:
        raise Refused(400, TOO_DEEP) from None
    except Exception:
        update = None
    if update is not None:
        requests = dict.get(update, "request") or []
        names = [getattr(r, "name", "") for r in requests]
        what = f" ({names[0].upper()})" if names and names[0] else ""
        raise Refused(403, READ_ONLY.format(what=what))
    found = _UPDATE_WORD.search(_without_strings_and_comments(text))
    if found:
        raise Refused(403, READ_ONLY.format(what=f" ({found.group(1).upper()})"))
    raise _SyntaxRefusal(message)


class _SyntaxRefusal(Refused):
    """A 400 for a query the check's parser cannot read; the worker prefers the engine's
    own message (line and column) when the engine agrees that it is malformed."""

    def __init__(self, message: str):
        super().__init__(400, f"the query is not valid SPARQL 1.1: {message}")


SyntaxRefusal = _SyntaxRefusal


def _describe(error: Exception) -> str:
    line, column = getattr(error, "lineno", None), getattr(error, "col", None)
    if line is not None and column is not None:
        return f"unexpected input at line {line}, column {column}"
    return str(error).split("\n")[0][:200]


_NOISE = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|#[^\n]*")


def _without_strings_and_comments(text: str) -> str:
    return _NOISE.sub(" ", text)


def _walk(tree) -> tuple[set[str], list[str]]:
    """(every CompValue name, the keyword-like parts of every prefixed name), walked with an
    explicit stack (no recursion: trees can be thousands of levels deep).

    The parts are each prefix and each dot-separated segment after the first of a local
    name, upper-cased. They exist because the grammars differ at one point: pyoxigraph reads
    keywords greedily, so `trueSERVICE:x {…}` is `true`, `SERVICE :x {…}` to the engine but
    a prefixed name to the SPARQL grammar, and `e:a.SERVICE:x` may be `e:a . SERVICE :x`.
    A name that the engine could split into SERVICE or FROM is refused."""
    names: set[str] = set()
    parts: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            name = getattr(node, "name", None)
            if isinstance(name, str):
                names.add(name)
                if name in ("pname", "PrefixDecl"):
                    prefix = dict.get(node, "prefix")
                    local = dict.get(node, "localname")
                    if isinstance(prefix, str):
                        parts.append(prefix.upper())
                    if isinstance(local, str):
                        parts.extend(local.upper().split(".")[1:])
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return names, parts
