"""`b12kg.context.jsonld`: the release prefix map as a JSON-LD context.

Use it to compact or expand b12kg IRIs (`b12:pernicious_anemia`), as a prefix map for
curies/OAK (`runoak --prefix b12=https://w3id.org/b12kg/ …`), or to read the SSSOM file's
CURIEs.
"""

from __future__ import annotations

import json

from b12kg.curation.exports.prefixes import release_prefixes


def to_context() -> bytes:
    document = {"@context": release_prefixes()}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
