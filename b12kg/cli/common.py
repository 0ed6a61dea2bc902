"""What every verb shares: exit codes, writing to stdout, progress on stderr, adding a verb.

Exit codes: 0 found / OK; 1 nothing found or checks failed; 2 usage or input error (unknown
name, malformed SPARQL, bad curation record); 3 a component is unavailable (Java, an endpoint).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from b12kg.cli.render import FORMATS
from b12kg.errors import UsageError

EXIT_OK, EXIT_NOTHING, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


def emit(text: str) -> None:
    """Write one result to stdout, newline-terminated, whatever stdout can encode.

    A terminal or pipe that cannot take UTF-8 (PYTHONIOENCODING=ascii) gets escapes rather than
    a crash; a closed stdout is a usage error, not a traceback.
    """
    line = text if text.endswith("\n") else text + "\n"
    stream = sys.stdout
    if stream is None or stream.closed:
        raise UsageError("standard output is closed")
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write(line.encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def progress(message: str) -> None:
    """Progress for long work goes to stderr, so stdout stays clean for scripts."""
    if sys.stderr.isatty() or os.environ.get("B12KG_PROGRESS"):
        sys.stderr.write(message + "\n")


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Help as written (epilog examples keep their lines), sized to the terminal.

    The width is found the way `shutil.get_terminal_size` finds it, without importing shutil
    (with bz2 and lzma), which argparse would otherwise do for every command, help or not.
    """

    def __init__(self, prog: str, **options) -> None:
        options.setdefault("width", _terminal_columns() - 2)
        super().__init__(prog, **options)


def _terminal_columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 80


def add_verb(
    sub: argparse._SubParsersAction,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    help_text: str,
    epilog: str,
) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        name, help=help_text, description=help_text, epilog=epilog, formatter_class=Formatter
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table for people (default); json or csv for scripts",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.set_defaults(handler=handler)
    return parser


def path_argument(text: str):
    """argparse type for a path: pathlib is imported only when a path option is given."""
    from pathlib import Path

    return Path(text)


def with_source(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of every verb that reads the graph: where from, and which named graph."""
    parser.add_argument(
        "--source",
        default=None,
        metavar="PATH|DIR|URL",
        help="graph to read: a .ttl/.owl file, a store directory written by `b12kg store`, "
        "or a SPARQL endpoint URL (default: the packaged b12kg.ttl, no server needed)",
    )
    parser.add_argument(
        "--graph",
        default=None,
        metavar="IRI",
        help="named graph holding b12kg on an endpoint (default: https://w3id.org/b12kg/, where "
        "`b12kg load` writes, if the store has it; '' for the store's default graph)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds_argument,
        default=60.0,
        metavar="SECONDS",
        help="limit for each request to an endpoint, whole answer included (default 60)",
    )
    return parser


def seconds_argument(text: str) -> float:
    """argparse type: a finite, positive number of seconds (not nan, inf or 1e-9)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.001 <= value <= 86_400:  # nan compares false and is refused too
        raise argparse.ArgumentTypeError(f"seconds must be between 0.001 and 86400, got {text}")
    return value


def open_graph(args: argparse.Namespace):
    from b12kg.knowledge import load

    kg = load(
        args.source, graph=getattr(args, "graph", None), timeout=getattr(args, "timeout", 60.0)
    )
    kg.on_notice = notice  # "taking 'pernicious anemia' for 'pernicous anemia'"
    return kg


def notice(message: str) -> None:
    """A note about how the input was read: always on stderr, never in the result."""
    sys.stderr.write(f"b12kg: {message}\n")
