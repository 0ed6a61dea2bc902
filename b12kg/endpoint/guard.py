"""The query check: refuse SPARQL Update, SERVICE and FROM before a query reaches a worker.

Its own module because it is the endpoint's first line of defence and is worth reading (and
testing) on its own, without HTTP or worker processes. `Refused` lives here too: it is the
one way any part of the endpoint turns a request down with a status and a message.

The check for Update, SERVICE and FROM is a small SPARQL lexer (`check_query`). It skips
comments, strings and IRIs exactly as the SPARQL grammar defines them and then errs on the
side of refusing: a forbidden keyword is found even inside a longer bare word or a prefix
name, because pyoxigraph reads `SERVICE:x {…}` and `SERVICESILENT<…>{…}` as SERVICE calls.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple


class Refused(Exception):
    """A request the endpoint will not run; `status` and a message meant for the user."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\[tbnrf\\"']))*'''
             |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\[tbnrf\\"']))*\"\"\"
             |'(?:[^'\\\r\n]|\\[tbnrf\\"'])*'
             |"(?:[^"\\\r\n]|\\[tbnrf\\"'])*")
  | (?P<var>[?$]\w+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<pname>[\w.-]*:(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>\w+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")
_UPDATE = re.compile("|".join((*UPDATE_KEYWORDS, "WITH")))
_FORM = {"SELECT": "results", "ASK": "results", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _bare_words(text: str) -> tuple[list[str], list[str], list[str]]:
    """(bare words, name parts, significant tokens), upper-cased, outside comments, strings,
    IRIs and variables.

    Name parts are the prefix of each prefixed name and each segment after a dot in its
    local part: pyoxigraph reads `SERVICE:x` as the keyword SERVICE then `:x`."""
    words: list[str] = []
    parts: list[str] = []
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        value = match.group()
        tokens.append(value.upper() if kind in ("word", "pname") else kind or "")
        if kind == "word":
            words.append(value.upper())
        elif kind == "pname":
            prefix, _, local = value.upper().partition(":")
            parts.append(prefix)
            parts.extend(local.split(".")[1:])
    return words, parts, tokens


def _unescape(text: str) -> str:
    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code < 0x110000 else match.group()

    return _CODEPOINT.sub(character, text)


class QueryCheck(NamedTuple):
    """What the check learnt: the result kind, and whether the answer may be cached."""

    kind: str  # "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE)
    deterministic: bool  # False when RAND(), NOW(), UUID() or STRUUID() may appear


_VOLATILE = ("RAND", "NOW", "UUID")


def check_query(text: str) -> QueryCheck:
    """Classify a query before it runs; raise Refused if it may not run.

    403 for any SPARQL Update, 400 for SERVICE or FROM. Unknown forms are left to the
    parser, which reports them with line and column."""
    return _check_cached(text) if len(text) <= 4096 else _check(text)


def _check(text: str) -> QueryCheck:
    # SPARQL allows \uXXXX escapes anywhere in a query; check the text as written and as
    # unescaped, whichever way the engine reads it.
    variants = [text, _unescape(text)] if _CODEPOINT.search(text) else [text]
    kind, deterministic = "results", True
    for index, variant in enumerate(variants):
        words, parts, tokens = _bare_words(variant)
        # Update keywords: bare words only. Store.query() cannot run an update at all, so
        # this check is for a clear 403; prefix names such as `address:` stay allowed.
        for word in words:
            found = _UPDATE.search(word)
            if found:
                raise Refused(
                    403,
                    f"this endpoint is read-only: SPARQL Update ({found.group()}) is refused. "
                    "Only SELECT, ASK, CONSTRUCT and DESCRIBE queries are answered.",
                )
        # SERVICE and FROM: anywhere in a bare word or name part (`trueSERVICE:x {…}` is
        # `true`, SERVICE, `:x` to pyoxigraph), erring on the side of refusing.
        if any("SERVICE" in word for word in words + parts):
            raise Refused(
                400,
                "SERVICE (federated query) is not allowed: this endpoint makes no "
                "outbound requests. Query the other endpoint yourself.",
            )
        if any("FROM" in word for word in words + parts):
            raise Refused(
                400,
                "FROM and FROM NAMED are not allowed: this endpoint serves one graph, "
                "the b12kg default graph. Remove the FROM clause.",
            )
        if index == 0:
            kind = _form(tokens)
            deterministic = not any(v in word for word in words for v in _VOLATILE)
    return QueryCheck(kind, deterministic)


_check_cached = lru_cache(maxsize=1024)(_check)


def _form(tokens: list[str]) -> str:
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token == "BASE":
            position += 2
        elif token == "PREFIX":
            position += 3
        else:
            return _FORM.get(token, "results")
    return "results"
