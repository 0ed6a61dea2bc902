"""The `b12kg` command: parse arguments, call the API, render. Nothing else lives here.

Each verb lives with its kind (`curator`, `questions`, `store`); this module builds the parser
from them and turns every b12kg error into its message and exit code. No traceback reaches a
user unless --debug is given.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from b12kg.cli import curator, questions, store  # the verbs, by kind
from b12kg.cli.common import EXIT_NOTHING, EXIT_OK, EXIT_USAGE, Formatter
from b12kg.errors import B12kgError


def build_parser() -> argparse.ArgumentParser:
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

    curator.register(sub)
    questions.register(sub)
    store.register(sub)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
    with contextlib.suppress(Exception):
        stream = sys.stderr
        data = f"b12kg: {message}\n"
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(data.encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
    return code
