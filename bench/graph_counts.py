"""Print the README's "What the graph holds" figures from the curated sources and b12kg.ttl.

    python bench/graph_counts.py            # the table and the paragraph, as the README has them

tests/test_readme.py checks the README against the same numbers, so a content change that
forgets the README fails; this script is how the figures are produced.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from b12kg.curation.builder import count_by_kind
from b12kg.curation.tables import read_curation

ROOT = Path(__file__).resolve().parents[1]
LEFT = [
    ("disease", "disease"),
    ("infection", "infection"),
    ("post-surgical state", "surgical_state"),
    ("physiological state", "physiological_state"),
    ("diet", "diet"),
    ("behaviour", "behaviour"),
    ("drug", "drug"),
    ("drug class", "drug_class"),
    ("clinical caution", "caution"),
]
RIGHT = [
    ("mechanism (pathological)", "mechanism"),
    ("physiological mechanism", "physiological_mechanism"),
    ("binding-protein change", "binding_protein_change"),
    ("exogenous cobalamin", "exogenous_mechanism"),
    ("assay artefact", "assay_artefact"),
    ("lab finding", "lab_finding"),
    ("anatomical entity", "anatomy"),
    ("organism", "organism"),
    ("protein", "protein"),
]
CAUSAL = ("has_mechanism", "leads_to", "associated_with", "is_consequence_of", "lacks_mechanism")


def main() -> None:
    curation = read_curation(ROOT / "ontology" / "src")
    counts = count_by_kind(curation)
    print("| kind | count | kind | count |\n|---|---:|---|---:|")
    for (a, ka), (b, kb) in zip(LEFT, RIGHT, strict=True):
        print(f"| {a} | {counts.get(ka, 0)} | {b} | {counts.get(kb, 0)} |")
    relations = Counter(link.relation for link in curation.links)
    structural = sum(n for r, n in relations.items() if r not in CAUSAL)
    seeds = sum(1 for r in curation.references.values() if r.seed_file)
    store = ox.Store()
    store.bulk_load(path=str(ROOT / "ontology" / "b12kg.ttl"), format=ox.RdfFormat.TURTLE)
    print(
        f"\nLinks: {relations['has_mechanism']} has-mechanism, {relations['leads_to']} leads-to, "
        f"{relations['associated_with']} associated-with, {relations['is_consequence_of']} "
        f"is-consequence-of, {relations['lacks_mechanism']} lacks-mechanism; {structural} structural links. {len(curation.references)} sources "
        f"({seeds} seed documents and {len(curation.references) - seeds} publications and secondary pages), "
        f"{len(curation.xrefs)} cross-references, {counts.get('causes', 0)} conditions and drugs; "
        f"`b12kg.ttl` has {len(store):,} triples."
    )


if __name__ == "__main__":
    main()
