"""Run `kgx validate` on KGX TSV files against the Biolink model the biolink-model wheel ships.

Run with the Python that has kgx installed (kgx pins click<8.2 and numpy<2 through its
dependencies, which the project's own environment does not satisfy, so it lives in its own
virtual environment): `python kgx_validate_offline.py NODES EDGES [PREFIX=IRI …]`. kgx and bmt fetch the model
YAML, a predicate map and a JSON-LD context from GitHub when they start; here the model is
the wheel's `biolink_model/schema/biolink_model.yaml`, the prefix map the wheel's
`biolink-model-prefix-map.json`, the predicate map empty (it only maps legacy predicates),
and any other network access fails. A PREFIX=IRI argument declares a prefix the Biolink
context lacks (ours, `b12`, is not registered), as a KGX producer's prefix map would. Prints kgx's error report as JSON; exit 1 if it has any
entry at level ERROR.
"""

from __future__ import annotations

import json
import socket
import sys
from importlib.resources import files


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled while validating offline")


def main(nodes: str, edges: str, *declared: str) -> int:
    socket.create_connection = _no_network  # type: ignore[assignment]
    socket.socket.connect = _no_network  # type: ignore[method-assign]
    model = files("biolink_model")
    schema = str(model / "schema" / "biolink_model.yaml")
    import bmt.toolkit

    bmt.toolkit.REMOTE_PATH = schema
    bmt.toolkit.Toolkit.__init__.__defaults__ = (schema, {"predicate mappings": []})
    import kgx.config

    prefixes = json.loads((model / "prefixmaps" / "biolink-model-prefix-map.json").read_text())
    prefixes.update(dict(d.split("=", 1) for d in declared))
    for name in ("biolink", "monarch_context", "obo_context"):
        kgx.config.jsonld_context_map[name] = prefixes
    from kgx.cli.cli_utils import validate

    report = validate(
        inputs=[nodes, edges], input_format="tsv", input_compression=None, output=None
    )
    version = bmt.toolkit.Toolkit().get_model_version()
    print(json.dumps({"biolink_version": version, "report": report}, indent=1, default=str))
    return 1 if report.get("ERROR") else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
