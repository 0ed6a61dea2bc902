"""The coverage table (ontology/src/coverage.tsv) and the graph stay in step, and the numbers
tables (thresholds, frequencies) cite real sources and name real entities."""

from __future__ import annotations

import csv

import pytest

from b12kg.vocabulary import MECHANISM_KINDS

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
        if entity.kind in ("lab_finding", "assay_artefact") or entity.kind in MECHANISM_KINDS:
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


def test_an_odds_ratio_with_its_interval_is_no_share(kg) -> None:
    """The ranking weighs a cause by the largest percentage its frequency text states: an odds
    ratio is not a share, so its confidence interval must not read as '95 %'."""
    import json

    from .conftest import ONTOLOGY

    tables = json.loads((ONTOLOGY / "b12kg.tables.json").read_text(encoding="utf-8"))
    rows = tables["frequencies"]
    odds = [r for r in rows if r["text"].startswith("odds ratio")]
    assert {r["cause"] for r in odds} >= {"alcoholism", "chronic_liver_disease"}
    assert all(r["share"] is None for r in odds)
    hapto = [r for r in rows if r["cause"] == "haptocorrin_deficiency"]
    assert max(r["share"] for r in hapto) == 15


def test_rows_resting_on_a_secondary_list_say_so(curation) -> None:
    """A row is only as good as what was seen. Hunt 2014's Box 1 was not seen: the items read on
    a patient-organisation list that names Hunt among its sources are attributed to that list (a
    web page, never a review), and the few Hunt rows left quote Hunt's own opening text. Every
    row says what was seen or that it was not; a left-out cause always names the reason."""
    secondary = {r for r, ref in curation.references.items() if ref.kind == "web_page"}
    hunt = [row for row in COVERAGE if row["review"] == "hunt-2014"]
    assert hunt and all(row["reason"].startswith("seen: Hunt 2014 opening") for row in hunt)
    assert all("Box 1 (the causes) not seen" in row["reason"] for row in hunt)
    listed = [row for row in COVERAGE if row["review"] == "b12-institute-causes"]
    assert "b12-institute-causes" in secondary
    assert len(listed) >= 30
    for row in listed:
        assert row["reason"].startswith("secondary list, not the review"), row["cause"]
        assert "Box 1 itself was not seen" in row["reason"], row["cause"]
    for row in COVERAGE:
        reason = row["reason"]
        assert reason.startswith(("seen", "secondary", "abstract seen", "Spot-check")) or (
            "not seen" in reason
        ), row
        if row["decision"] == "left_out":
            assert row["entity"] == "", row["cause"]


def test_a_review_row_claims_a_seen_source_or_says_it_was_not_seen() -> None:
    """'general knowledge of the review' is no quote: such a row must also say the table was not
    seen, so that nobody reads it as verified."""
    for row in COVERAGE:
        if "general knowledge" in row["reason"]:
            assert "not seen" in row["reason"], row
