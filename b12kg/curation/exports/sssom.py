"""`b12kg.sssom.tsv`: the curated cross-references (ontology/src/xrefs.tsv) as an SSSOM set.

Every row of xrefs.tsv becomes a mapping: confidence exact / close / broad becomes
skos:exactMatch / closeMatch / broadMatch, the justification is manual curation
(semapv:ManualMappingCuration), and the curator's provenance note (where the target label was
checked) is the mapping's comment. Rows are sorted, so the file is deterministic.
"""

from __future__ import annotations

from b12kg.curation.exports.prefixes import XREF_PREFIXES, release_prefixes
from b12kg.curation.tables import Curation
from b12kg.vocabulary import BASE

PREDICATE = {"exact": "skos:exactMatch", "close": "skos:closeMatch", "broad": "skos:broadMatch"}
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "comment",
)


def _cell(text: str) -> str:
    return " ".join(text.split())  # no tab or newline may reach a TSV cell


def to_sssom(curation: Curation, version: str) -> bytes:
    used = {x.curie.partition(":")[0] for x in curation.xrefs}
    unknown = sorted(used - set(XREF_PREFIXES))
    if unknown:
        raise ValueError(f"xrefs.tsv uses prefixes with no expansion: {', '.join(unknown)}")
    keep = used | {"b12", "skos", "semapv"}
    curie_map = {p: ns for p, ns in release_prefixes().items() if p in keep}
    meta = [
        "curie_map:",
        *(f"  {p}: {ns}" for p, ns in curie_map.items()),
        f"mapping_set_id: {BASE}b12kg.sssom.tsv",
        f"mapping_set_version: {version}",
        "mapping_set_title: b12kg cross-references",
        "license: https://creativecommons.org/licenses/by/4.0/",
        "subject_source: b12:b12kg.owl",
    ]
    rows = sorted(
        (
            f"b12:{x.entity}",
            curation.entities[x.entity].label,
            PREDICATE[x.confidence],
            x.curie,
            x.target_label,
            "semapv:ManualMappingCuration",
            x.source,
        )
        for x in curation.xrefs
    )
    lines = [f"#{line}" for line in meta]
    lines.append("\t".join(COLUMNS))
    lines += ["\t".join(_cell(value) for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
