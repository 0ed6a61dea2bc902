"""grlc itself, offline, over a local folder of `.rq` files; run with grlc's own interpreter.

    grlc_local.py serve FOLDER ENDPOINT PORT   grlc's Flask app on 127.0.0.1:PORT, its
                                               /api-local/ routes reading FOLDER, sending
                                               queries to the SPARQL endpoint ENDPOINT
    grlc_local.py metadata FOLDER              what grlc reads from each FOLDER/*.rq, as JSON

grlc reads `config.ini` from the working directory when it is imported, so each run writes one
into a fresh temporary directory first. Nothing here reaches GitHub or any other network host:
the local loader reads files, and the only HTTP grlc makes is to ENDPOINT.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path


def _configure(folder: Path, endpoint: str = "") -> None:
    work = Path(tempfile.mkdtemp(prefix="b12kg-grlc-"))
    (work / "config.ini").write_text(
        f"[local]\nlocal_sparql_dir = {folder}\n"
        f"[defaults]\nsparql_endpoint = {endpoint}\nserver_name = 127.0.0.1\ndebug = False\n",
        encoding="utf-8",
    )
    os.chdir(work)


def _metadata(folder: Path) -> dict[str, dict]:
    with contextlib.redirect_stdout(sys.stderr):  # grlc prints the config file it reads
        import grlc.gquery as gquery

    out: dict[str, dict] = {}
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        decorators = gquery.get_yaml_decorators(text)
        meta = gquery.get_metadata(text, "")
        out[path.stem] = {
            "decorators": {k: v for k, v in decorators.items() if k != "query"},
            "type": meta["type"],
            "variables": [str(v) for v in meta.get("variables", [])],
            "parameters": {
                name: {key: p.get(key) for key in ("required", "default", "type", "format", "enum")}
                for name, p in meta.get("parameters", {}).items()
            },
        }
    return out


def main(argv: list[str]) -> int:
    mode, folder = argv[0], Path(argv[1]).resolve()
    if mode == "serve":
        _configure(folder, argv[2])
        with contextlib.redirect_stdout(sys.stderr):
            from grlc.server import app
        app.run(host="127.0.0.1", port=int(argv[3]), threaded=True)
        return 0
    if mode == "metadata":
        _configure(folder)
        print(json.dumps(_metadata(folder)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
