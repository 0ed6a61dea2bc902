"""No invented identifiers: every cross-reference and seed text traces to the team's verified copy."""

from __future__ import annotations

import csv

import pytest

from .conftest import SHARED, SOURCES

VERIFIED = SHARED / "reference" / "xrefs.tsv"
needs_shared = pytest.mark.skipif(
    not VERIFIED.exists(), reason="../shared/reference is not beside this checkout"
)


@needs_shared
def test_every_xref_is_in_the_verified_list_with_the_same_label_and_confidence(curation) -> None:
    """One identifier may be verified for two entities with different confidence (ICD10CM:D51.0
    is 'close' for pernicious anemia, 'broad' for hereditary IF deficiency), so the triple
    (id, label, confidence) is what must be in the verified list."""
    with VERIFIED.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    verified = {(r["target_id"], r["target_label"]) for r in rows}
    with_confidence = {(r["target_id"], r["target_label"], r["confidence"]) for r in rows}
    for xref in curation.xrefs:
        assert (xref.curie, xref.target_label) in verified, (
            f"xrefs.tsv:{xref.line}: {xref.curie} not verified"
        )
        assert (xref.curie, xref.target_label, xref.confidence) in with_confidence, (
            f"xrefs.tsv:{xref.line}: {xref.curie} is '{xref.confidence}' here, not as verified"
        )


@needs_shared
def test_seed_copies_are_verbatim() -> None:
    for seed in (SOURCES / "seeds").glob("*.txt"):
        assert seed.read_bytes() == (SHARED / "seeds" / seed.name).read_bytes(), seed.name


def test_identifiers_on_sources_say_where_they_were_verified(curation) -> None:
    published = [r for r in curation.references.values() if r.kind != "seed"]
    assert published
    for reference in published:
        if reference.doi or reference.pmid:
            assert reference.verified_in and not reference.verified_in.startswith("UNVERIFIED")


def test_no_link_cites_an_unverified_source(curation) -> None:
    unverified = {
        r.id for r in curation.references.values() if r.verified_in.startswith("UNVERIFIED")
    }
    cited = {source for link in curation.links for source in link.sources}
    assert not cited & unverified, sorted(cited & unverified)


def test_names_people_use_resolve(kg) -> None:
    for name, expected in [
        ("B12", "cobalamin"),
        ("PPI", "proton_pump_inhibitor"),
        ("Addison-Biermer disease", "pernicious_anemia"),
    ]:
        assert kg.find(name).id == expected, name
