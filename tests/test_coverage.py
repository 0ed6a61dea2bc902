"""The coverage table (ontology/src/coverage.tsv) and the graph stay in step, and the numbers
tables (thresholds, frequencies) cite real sources and name real entities."""

from __future__ import annotations

import csv

import pytest

from .conftest import SOURCES

CATEGORIES = {
    "low_serum_b12",
    "high_serum_b12",
    "functional_deficiency_normal_serum_b12",
    "misleading_result",
}


def rows(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(encoding="utf-8", newline="") as handle:
        return [
            r
            for r in csv.DictReader(handle, delimiter="\t")
            if not r[next(iter(r))].startswith("#")
        ]


COVERAGE = rows("coverage.tsv")


def test_every_review_named_in_the_table_is_a_cited_source(curation) -> None:
    assert {r["review"] for r in COVERAGE} - set(curation.references) == set()


@pytest.mark.parametrize(
    "row", COVERAGE, ids=[f"{r['review']}:{r['cause'][:30]}" for r in COVERAGE]
)
def test_each_coverage_row_points_at_an_entity_or_says_why_not(curation, row) -> None:
    assert row["category"] in CATEGORIES
    assert row["decision"] in {"covered", "added", "left_out"}
    if row["decision"] == "left_out":
        assert row["reason"].strip(), "a cause left out needs its reason"
        assert not row["entity"]
    else:
        assert row["entity"] in curation.entities, row["entity"]


def test_covered_causes_reach_the_finding_their_category_names(kg) -> None:
    """A row saying 'low serum B12 → X' is only true if the graph has X reaching low serum B12."""
    target = {"low_serum_b12": "serum_b12_decreased", "high_serum_b12": "serum_b12_increased"}
    missing = []
    for row in COVERAGE:
        if row["decision"] == "left_out" or row["category"] not in target:
            continue
        entity = kg.entities[row["entity"]]
        if entity.kind in ("lab_finding", "mechanism", "assay_artefact", "physiological_mechanism"):
            continue  # the review names a mechanism; it is the mechanism that is covered
        found = kg.paths(entity.id)
        if not any(p.finding.id == target[row["category"]] for p in found):
            missing.append(f"{row['entity']} ({row['category']})")
    assert missing == []


def test_thresholds_and_frequencies_cite_sources_and_entities(curation) -> None:
    for row in rows("thresholds.tsv"):
        assert row["source"] in curation.references, row
        if row["analyte"].startswith("conversion:"):
            assert row["band"] == "", row
        else:
            assert row["band"] in {"deficient", "indeterminate", "normal", "high"}, row
        assert row["unit"], row
    for row in rows("frequencies.tsv"):
        assert row["source"] in curation.references, row
        # an empty cause is the share with no cause found ("no apparent cause")
        assert row["cause"] in curation.entities or row["cause"] == "", row
        assert row["category"] in CATEGORIES, row
