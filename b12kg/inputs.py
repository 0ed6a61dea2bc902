"""Reading what a user names — a query file, a graph file — without trusting it.

Every read is bounded (a regular file, at most a given size, valid UTF-8 where text is
expected) and every failure is a `UsageError` naming the file and what is wrong with it, so
`/dev/zero`, a directory, a 5,000-character path or a Latin-1 file gets a sentence, not a
traceback or an unbounded read.
"""

from __future__ import annotations

import os
from pathlib import Path

from b12kg.errors import UsageError

#: Query files are short texts; a megabyte is already far beyond any real one.
MAX_QUERY_BYTES = 1_000_000
#: Graph files: MONDO-size ontologies are a few hundred MB; beyond this, use a store.
MAX_GRAPH_BYTES = 4_000_000_000
#: Brackets nested deeper than this are refused before a parser sees them (the engine's
#: recursive parser overflows its stack on a few thousand).
MAX_NESTING = 200


def checked_file(path: os.PathLike[str] | str, *, what: str, max_bytes: int) -> Path:
    """`path` if it is a readable regular file of at most `max_bytes`; UsageError otherwise."""
    text = os.fspath(path)
    shown = text if len(text) <= 120 else text[:60] + "…" + text[-40:]
    try:
        info = os.stat(text)
    except FileNotFoundError:
        raise UsageError(f"no such {what}: {shown}") from None
    except OSError as error:
        raise UsageError(f"cannot read {what} {shown}: {error.strerror or error}") from None
    if os.path.isdir(text):
        raise UsageError(f"{shown} is a directory; expected {_a(what)}")
    import stat

    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{shown} is not a regular file; expected {_a(what)}")
    if info.st_size > max_bytes:
        raise UsageError(
            f"{what} {shown} is {info.st_size:,} bytes, over the limit of {max_bytes:,}"
        )
    return Path(text)


def _a(what: str) -> str:
    return f"{'an' if what[0] in 'aeiou' else 'a'} {what}"


def read_text(path: os.PathLike[str] | str, *, what: str, max_bytes: int) -> str:
    """The UTF-8 text of a checked file; a decoding error names the byte offset."""
    checked = checked_file(path, what=what, max_bytes=max_bytes)
    data = checked.read_bytes()[: max_bytes + 1]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{what} {checked} is not UTF-8 text (byte {error.start}: {data[error.start : error.start + 1]!r})"
        ) from None


def check_nesting(text: str, *, source: str) -> None:
    """Refuse text whose brackets nest deeper than MAX_NESTING (counted without a lexer: a
    bracket inside a string counts too, which can only make the check stricter)."""
    depth = deepest = 0
    for character in text:
        if character in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "})]":
            depth = max(depth - 1, 0)
    if deepest > MAX_NESTING:
        raise UsageError(f"{source}: brackets nested {deepest} deep; the limit is {MAX_NESTING}")
