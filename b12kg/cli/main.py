"""The `b12kg` command: parse arguments, call the API, render. Nothing else lives here.

Each verb lives with its kind (`curator`, `questions`, `store`); this module builds the parser
from them and turns every b12kg error into its message and exit code. No traceback reaches a
user unless --debug is given.

A command line that starts with a verb gets a parser holding that verb alone, built from its
own module: argparse spends more on building fourteen sub-parsers (their gettext look-ups
included) than a `trace` spends on the graph, and the verb's own parser, help and errors are
the same either way (`tests/test_cli.py` compares them). Anything else (`--help`,
`--version`, a misspelt verb) gets the full parser.
"""

from __future__ import annotations

import argparse
import sys

from b12kg.cli.common import EXIT_NOTHING, EXIT_OK, EXIT_USAGE, Formatter
from b12kg.errors import B12kgError

TYPE_CHECKING = False  # typing's own flag, without importing typing on the trace path
if TYPE_CHECKING:
    from collections.abc import Sequence

#: The modules that register the verbs, in the order `b12kg --help` lists them.
KINDS = ("curator", "questions", "store")

#: Each verb's module, so that a command line naming it builds that module's parser alone.
VERBS = {
    **dict.fromkeys(("build", "validate", "reason", "diff"), "curator"),
    **dict.fromkeys(
        ("trace", "causes", "explain", "search", "differential", "assess"), "questions"
    ),
    **dict.fromkeys(("query", "serve", "load", "store"), "store"),
}


class _OneVerb:
    """The sub-parsers action as a verb module sees it, keeping the parser of one verb only."""

    def __init__(self, sub: argparse._SubParsersAction, verb: str) -> None:
        self._sub, self._verb = sub, verb

    def add_parser(self, name: str, **options) -> argparse.ArgumentParser | _Unused:
        return self._sub.add_parser(name, **options) if name == self._verb else _Unused()


class _Unused:
    """Stands in for the parser of a verb the command line does not name: keeps nothing."""

    def add_argument(self, *args, **options) -> None:
        pass

    def set_defaults(self, **defaults) -> None:
        pass


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The `b12kg` parser: every verb, or (`verb`, one of VERBS) that verb's alone."""
    from b12kg.version import __version__

    parser = argparse.ArgumentParser(
        prog="b12kg",
        description="Why is this patient's serum vitamin B12 low — or high? Trace causes, "
        "mechanisms and evidence in the b12kg knowledge graph.",
        epilog="exit codes: 0 found/OK, 1 nothing found or checks failed, 2 usage or input "
        "error, 3 a component unavailable (Java, an endpoint)\n"
        "start here: b12kg trace 'pernicious anemia'  ·  b12kg causes low  ·  b12kg explain NAME …\n"
        "Run `b12kg VERB --help` for examples.",
        formatter_class=Formatter,
    )
    parser.add_argument("--version", action="version", version=f"b12kg {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for kind in (VERBS[verb],) if verb else KINDS:
        # __import__, not importlib.import_module: importlib (with warnings) is not otherwise loaded
        module = __import__(f"b12kg.cli.{kind}", fromlist=("register",))
        module.register(_OneVerb(sub, verb) if verb else sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and argv[0] in VERBS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except B12kgError as error:
        if args.debug:
            raise
        return _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # a file or the terminal, not a b12kg error: still a sentence
        if args.debug:
            raise
        name = str(error.filename or "")
        shown = name if len(name) <= 120 else name[:60] + "…" + name[-40:]
        where = f": {shown}" if shown else ""
        return _fail(f"{error.strerror or error}{where}", EXIT_USAGE)
    except (RecursionError, MemoryError) as error:
        if args.debug:
            raise
        return _fail(f"input too large or too deeply nested ({type(error).__name__})", EXIT_USAGE)
    except Exception as error:  # a bug of ours: say so, briefly, and how to see more
        if args.debug:
            raise
        return _fail(
            f"internal error ({type(error).__name__}: {str(error)[:200]}); "
            "rerun with --debug for the traceback and please report it",
            EXIT_NOTHING,
        )


def _fail(message: str, code: int) -> int:
    """The one line a user sees for a failure, on stderr, whatever stderr can encode."""
    try:  # not contextlib.suppress: contextlib is not otherwise on the start-up path
        stream = sys.stderr
        data = f"b12kg: {message}\n"
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(data.encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
    except Exception:  # a failure to report a failure has nowhere to go
        pass
    return code
