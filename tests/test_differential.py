"""Each documented ranking criterion, isolated: two causes that differ in that respect alone;
then the textbook cases on the real graph."""

from __future__ import annotations

import pytest

from b12kg.graph.tables import DecisionTables, Frequency
from b12kg.questions.differential import Differential, rank_causes

from .tiny_graph import tiny_graph

LOW, HIGH, MMA_UP, MMA_DOWN, HCY_UP = (
    "serum_b12_decreased",
    "serum_b12_increased",
    "mma_increased",
    "mma_decreased",
    "hcy_increased",
)


def graph(causes: dict, frequencies: list[Frequency] = ()):
    kg = tiny_graph(causes)
    kg._tables = DecisionTables(frequencies=list(frequencies))
    return kg


def order(causes: dict, findings: list[str], **kw) -> list[str]:
    return [c.cause.id for c in rank_causes(graph(causes), findings, **kw).candidates]


def test_sections_keep_causes_reported_associations_and_disputed_apart() -> None:
    causes = {
        "aaa_association": [("associatedWith", LOW, "established")],
        "bbb_disputed": [("hasDisputedMechanism", LOW, "disputed")],
        "ccc_reported": [("hasReportedMechanism", LOW, "limited")],
        "zzz_causal": [("hasMechanism", LOW, "established")],
    }
    result = rank_causes(graph(causes), [LOW])
    assert [(c.cause.id, c.section) for c in result.candidates] == [
        ("zzz_causal", "cause"),
        ("ccc_reported", "reported"),
        ("aaa_association", "association"),
        ("bbb_disputed", "disputed"),
    ]
    assert all(c.rank == 1 for c in result.candidates), "ranked within each section"


def test_inputs_the_patient_has_rank_first() -> None:
    causes = {
        "aaa_not_taken": [("hasMechanism", LOW, "established")],
        "zzz_taken": [("hasMechanism", LOW, "probable")],
    }
    kg = graph(causes)
    result = rank_causes(kg, [LOW], inputs=[kg.entities["zzz_taken"]])
    assert [c.cause.id for c in result.candidates] == ["zzz_taken", "aaa_not_taken"]
    assert result.candidates[0].is_input


def test_explaining_the_serum_b12_result_ranks_first() -> None:
    causes = {
        "aaa_mma_and_hcy": [
            ("hasMechanism", MMA_UP, "established"),
            ("hasMechanism", HCY_UP, "established"),
        ],
        "zzz_low_b12": [("hasMechanism", LOW, "established")],
    }
    assert order(causes, [LOW, MMA_UP, HCY_UP]) == ["zzz_low_b12", "aaa_mma_and_hcy"]


def test_more_given_findings_explained_ranks_first() -> None:
    causes = {
        "aaa_one_finding": [("hasMechanism", LOW, "established")],
        "zzz_two_findings": [
            ("hasMechanism", LOW, "established"),
            ("hasMechanism", MMA_UP, "established"),
        ],
    }
    assert order(causes, [LOW, MMA_UP]) == ["zzz_two_findings", "aaa_one_finding"]


def test_a_mechanism_that_moves_b12_the_other_way_explains_nothing() -> None:
    # one mechanism lowers B12 and raises MMA: in a patient with HIGH B12 it explains no MMA
    causes = {"lowers": [("hasMechanism", LOW, "established")]}
    kg = graph(causes)
    mechanism = "lowers_mechanism_0"
    from b12kg.graph.edges import EdgeIndex

    rows = [
        {
            "subject": kg.entities[s].iri,
            "relation": "https://w3id.org/b12kg/" + r,
            "object": kg.entities[o].iri,
            "edge_kind": "causal",
            "source": "https://w3id.org/b12kg/source/test",
            "strength": "established",
        }
        for s, r, o in [
            ("lowers", "hasMechanism", mechanism),
            (mechanism, "leadsTo", LOW),
            (mechanism, "leadsTo", MMA_UP),
        ]
    ]
    kg._edges = EdgeIndex.from_rows(kg.entities, rows)
    assert rank_causes(kg, [HIGH, MMA_UP]).candidates == ()
    assert [c.cause.id for c in rank_causes(kg, [LOW, MMA_UP]).candidates] == ["lowers"]


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
    result = rank_causes(graph(causes), [LOW, MMA_UP])
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
    (only,) = rank_causes(graph(causes), [LOW, MMA_UP]).candidates
    assert only.conflicts == ()


def test_stronger_evidence_ranks_first() -> None:
    causes = {
        "aaa_probable": [("hasMechanism", LOW, "probable")],
        "zzz_established": [("hasMechanism", LOW, "established")],
    }
    assert order(causes, [LOW]) == ["zzz_established", "aaa_probable"]


def test_a_sourced_frequency_ranks_a_common_cause_first() -> None:
    causes = {
        "aaa_rare": [("hasMechanism", LOW, "established")],
        "zzz_common": [("hasMechanism", LOW, "established")],
    }
    common = Frequency("zzz_common", LOW, "60 %", "somewhere", "src", 60.0)
    result = rank_causes(graph(causes, [common]), [LOW])
    assert [c.cause.id for c in result.candidates] == ["zzz_common", "aaa_rare"]
    assert result.candidates[0].frequencies == (common,)


def test_moving_b12_one_way_only_is_more_specific() -> None:
    causes = {
        "aaa_both_ways": [
            ("hasMechanism", LOW, "established"),
            ("hasMechanism", HIGH, "established"),
        ],
        "zzz_one_way": [("hasMechanism", LOW, "established")],
    }
    assert order(causes, [LOW]) == ["zzz_one_way", "aaa_both_ways"]


def test_ties_share_a_rank_and_are_not_broken_by_name() -> None:
    causes = {
        "aaa": [("hasMechanism", LOW, "established"), ("hasMechanism", HCY_UP, "established")],
        "zzz": [("hasMechanism", LOW, "established")],
    }
    result = rank_causes(graph(causes), [LOW])
    assert [c.rank for c in result.candidates] == [1, 1], "predictions not given never lower a rank"


def test_a_tie_is_never_cut_by_the_limit() -> None:
    causes = {f"cause_{i}": [("hasMechanism", LOW, "established")] for i in range(4)}
    assert len(rank_causes(graph(causes), [LOW], limit=2).candidates) == 4


def test_a_cause_explaining_none_of_the_findings_is_not_a_candidate() -> None:
    causes = {"only_hcy": [("hasMechanism", HCY_UP, "established")]}
    assert order(causes, [LOW]) == []


def test_the_tests_that_separate_the_leaders_are_the_predictions_only_some_make() -> None:
    causes = {
        "with_mma": [("hasMechanism", LOW, "established"), ("hasMechanism", MMA_UP, "established")],
        "with_hcy": [("hasMechanism", LOW, "established"), ("hasMechanism", HCY_UP, "established")],
    }
    result = rank_causes(graph(causes), [LOW])
    tests = {finding.id: sorted(c.id for c in by) for finding, by in result.tests}
    assert tests == {MMA_UP: ["with_mma"], HCY_UP: ["with_hcy"]}


def test_the_rule_is_stated_in_the_result() -> None:
    rule = Differential.rule
    for criterion in (
        "inputs the patient has first",
        "explains the serum B12 result given",
        "most given findings explained",
        "fewest given findings contradicted",
        "strongest evidence",
        "highest sourced frequency",
        "most specific",
        "not broken by name",
    ):
        assert criterion in rule


# --- textbook cases on the real graph ----------------------------------------------------------

LOW_CAUSES_ONLY = {
    "pernicious_anemia",
    "food_cobalamin_malabsorption_syndrome",
    "metformin",
    "vegan_diet",
    "proton_pump_inhibitor",
    "nitrous_oxide",
}


def ids(candidates) -> list[str]:
    return [c.cause.id for c in candidates]


def test_low_b12_mma_and_if_antibodies_put_pernicious_anemia_first(kg) -> None:
    result = kg.rank_causes(
        ["low", "methylmalonic acid increased", "intrinsic factor antibody positive"]
    )
    assert result.candidates[0].cause.id == "pernicious_anemia"
    assert result.candidates[0].section == "cause"


@pytest.mark.parametrize("extra", [[], ["methylmalonic acid increased"]])
def test_high_b12_is_led_by_the_common_causes_of_high_and_never_a_cause_of_low(kg, extra) -> None:
    result = kg.rank_causes(["high", *extra])
    causes = ids(result.section("cause"))
    assert ids(result.section("exogenous cobalamin")) == ["cobalamin"], "intake, not a disease"
    assert result.candidates[0].cause.id == "cobalamin", "supplementation: the commonest, first"
    for common in (
        "chronic_liver_disease",
        "chronic_kidney_disease",
        "myeloproliferative_neoplasm",
        "solid_malignant_neoplasm",
    ):
        assert common in causes
    assert not set(ids(result.candidates)) & LOW_CAUSES_ONLY
    assert ids(result.section("misleading result")) == ["macro_vitamin_b12"]
    if extra:
        assert causes[0] == "chronic_kidney_disease", "explains both the high B12 and the MMA"


def test_low_b12_in_a_metformin_user_puts_metformin_first(kg) -> None:
    result = kg.rank_causes(["low"], inputs=[kg.find("metformin")])
    assert result.candidates[0].cause.id == "metformin" and result.candidates[0].is_input
