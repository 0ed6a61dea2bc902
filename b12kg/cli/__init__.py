"""The command line and rendering: the `b12kg` command, its verbs, and the output formats.

Owns argument parsing and help (`main`, one module per kind of verb: `curator`, `questions`,
`store`), what they share (`common`), and the only code that knows table / JSON / CSV
(`render`). A verb parses, calls the API, renders — nothing else.

May import anything below it: `b12kg.knowledge`, `b12kg.curation`, `b12kg.owl`,
`b12kg.endpoint`, `b12kg.sparql`, `b12kg.errors`. Nothing imports it but `b12kg/__init__`.
"""

from b12kg.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
