"""The `b12kg` command: parse arguments, call the API, render. Nothing else lives here.

Each verb lives with its kind (`curator`, `questions`, `store`); this module builds the parser
from them and turns every b12kg error into its message and exit code. No traceback reaches a
user unless --debug is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from b12kg.cli import curator, questions, store  # the verbs, by kind
from b12kg.cli.common import EXIT_OK, EXIT_USAGE, Formatter
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
        sys.stderr.write(f"b12kg: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
