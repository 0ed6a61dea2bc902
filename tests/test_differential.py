"""Each documented ranking criterion, isolated: two causes that differ in that respect alone."""

from __future__ import annotations

from b12kg.questions.differential import Differential, rank_causes

from .tiny_graph import tiny_graph

LOW, MMA_UP, MMA_DOWN, HCY_UP = (
    "serum_b12_decreased",
    "mma_increased",
    "mma_decreased",
    "hcy_increased",
)


def order(causes: dict, findings: list[str]) -> list[str]:
    return [c.cause.id for c in rank_causes(tiny_graph(causes), findings).candidates]


def test_more_given_findings_explained_ranks_first() -> None:
    causes = {
        "aaa_one_finding": [("hasMechanism", LOW, "established")],
        "zzz_two_findings": [("hasMechanism", LOW, "limited"), ("hasMechanism", MMA_UP, "limited")],
    }
    assert order(causes, [LOW, MMA_UP]) == ["zzz_two_findings", "aaa_one_finding"]


def test_fewer_contradicted_findings_ranks_first() -> None:
    causes = {
        "aaa_contradicts": [
            ("hasMechanism", LOW, "established"),
            ("hasMechanism", MMA_DOWN, "established"),
        ],
        "zzz_consistent": [
            ("hasMechanism", LOW, "established"),
            ("hasMechanism", HCY_UP, "established"),
        ],
    }
    result = rank_causes(tiny_graph(causes), [LOW, MMA_UP])
    assert [c.cause.id for c in result.candidates] == ["zzz_consistent", "aaa_contradicts"]
    assert [f.id for f in result.candidates[1].conflicts] == [MMA_UP]
    assert result.candidates[0].conflicts == ()


def test_a_different_analyte_is_not_a_contradiction() -> None:
    causes = {
        "predicts_hcy": [
            ("hasMechanism", LOW, "established"),
            ("hasMechanism", HCY_UP, "established"),
        ]
    }
    (only,) = rank_causes(tiny_graph(causes), [LOW, MMA_UP]).candidates
    assert only.conflicts == ()


def test_causal_ranks_before_association() -> None:
    causes = {
        "aaa_association": [("associatedWith", LOW, "established")],
        "zzz_causal": [("hasMechanism", LOW, "established")],
    }
    result = rank_causes(tiny_graph(causes), [LOW])
    assert [c.cause.id for c in result.candidates] == ["zzz_causal", "aaa_association"]
    assert [c.kind for c in result.candidates] == ["causal", "association"]


def test_stronger_evidence_ranks_first() -> None:
    causes = {
        "aaa_limited": [("hasMechanism", LOW, "limited")],
        "mmm_disputed": [("hasMechanism", LOW, "disputed")],
        "zzz_established": [("hasMechanism", LOW, "established")],
    }
    assert order(causes, [LOW]) == ["zzz_established", "aaa_limited", "mmm_disputed"]


def test_fewer_predictions_not_given_ranks_first() -> None:
    causes = {
        "aaa_predicts_more": [
            ("hasMechanism", LOW, "established"),
            ("hasMechanism", HCY_UP, "established"),
        ],
        "zzz_specific": [("hasMechanism", LOW, "established")],
    }
    result = rank_causes(tiny_graph(causes), [LOW])
    assert [c.cause.id for c in result.candidates] == ["zzz_specific", "aaa_predicts_more"]
    assert [f.id for f in result.candidates[1].not_given] == [HCY_UP]


def test_a_cause_explaining_none_of_the_findings_is_not_a_candidate() -> None:
    causes = {"only_hcy": [("hasMechanism", HCY_UP, "established")]}
    assert order(causes, [LOW]) == []


def test_the_tests_that_separate_the_leaders_are_the_predictions_only_some_make() -> None:
    causes = {
        "with_mma": [("hasMechanism", LOW, "established"), ("hasMechanism", MMA_UP, "established")],
        "with_hcy": [("hasMechanism", LOW, "established"), ("hasMechanism", HCY_UP, "established")],
    }
    result = rank_causes(tiny_graph(causes), [LOW])
    tests = {finding.id: sorted(c.id for c in by) for finding, by in result.tests}
    assert tests == {MMA_UP: ["with_mma"], HCY_UP: ["with_hcy"]}


def test_the_rule_is_stated_in_the_result() -> None:
    rule = Differential.rule
    for criterion in (
        "most given findings explained",
        "fewest given findings contradicted",
        "causal before association",
        "strongest evidence",
        "fewest predictions not given",
    ):
        assert criterion in rule
