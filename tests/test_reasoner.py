"""HermiT (through owlready2) and the path walk must agree, cause by cause."""

from __future__ import annotations

import pytest

from b12kg.errors import ReasonerUnavailable
from b12kg.vocabulary import CAUSE_KINDS

from .conftest import requires_java

DEFINED = {
    # defined class -> (target the walk must reach, path kinds that count)
    "CauseOfDecreasedSerumB12": ("serum_b12_decreased", ("causal",)),
    "CauseOfIncreasedSerumB12": ("serum_b12_increased", ("causal",)),
    "ReportedCauseOfDecreasedSerumB12": ("serum_b12_decreased", ("reported",)),
    "DisputedCauseOfDecreasedSerumB12": ("serum_b12_decreased", ("disputed",)),
    "ReportedCauseOfIncreasedSerumB12": ("serum_b12_increased", ("reported",)),
    "CauseOfFalselyNormalSerumB12": ("serum_b12_falsely_normal", ("causal",)),
    "CauseOfFalselyIncreasedSerumB12": ("serum_b12_falsely_increased", ("causal",)),
    "CauseOfCobalaminDeficiency": ("cobalamin_depletion", ("causal",)),
    "CauseOfIntracellularCobalaminDeficiency": ("intracellular_cobalamin_deficiency", ("causal",)),
    "AssociatedWithDecreasedSerumB12": ("serum_b12_decreased", ("association",)),
}


@pytest.fixture(scope="module")
def report():
    import b12kg

    return b12kg.reason()


def _walked(kg, target: str, kinds: tuple[str, ...]) -> set[str]:
    """Causes with a path of these kinds, not counting a grouping's 'includes' step (HermiT
    rightly infers nothing about a group from one of its subtypes)."""
    found = set()
    for entity in kg.entities.values():
        if entity.kind in CAUSE_KINDS:
            for path in kg.paths(entity, target):
                if path.kind in kinds and all(s.relation != "hasSubtype" for s in path.steps):
                    found.add(entity.id)
    return found


@requires_java
def test_ontology_is_consistent_and_coherent(report) -> None:
    assert report.consistent
    assert report.unsatisfiable == []


@requires_java
@pytest.mark.parametrize("defined", sorted(DEFINED))
def test_reasoner_agrees_with_the_walk(report, kg, defined: str) -> None:
    target, kinds = DEFINED[defined]
    inferred = set(report.members[defined])
    walked = _walked(kg, target, kinds)
    assert inferred == walked, (
        f"HermiT only: {sorted(inferred - walked)}; walk only: {sorted(walked - inferred)}"
    )
    assert inferred, f"{defined} is empty"


def _walked_to_kind(kg, mechanism_kind: str) -> set[str]:
    found: set[str] = set()
    for mechanism in kg.entities.values():
        if mechanism.kind == mechanism_kind:
            found |= _walked(kg, mechanism.id, ("causal",))
    return found


@requires_java
def test_reasoner_agrees_with_the_walk_for_artefacts_physiology_and_consequences(
    report, kg
) -> None:
    assert set(report.members["ArtefactualSerumB12Change"]) == _walked_to_kind(kg, "assay_artefact")
    assert set(report.members["PhysiologicalSerumB12Change"]) == _walked_to_kind(
        kg, "physiological_mechanism"
    )
    assert set(report.members["BindingProteinSerumB12Change"]) == _walked_to_kind(
        kg, "binding_protein_change"
    )
    assert set(report.members["ExogenousSerumB12Change"]) == _walked_to_kind(
        kg, "exogenous_mechanism"
    )
    deficiency = {"cobalamin_depletion", "intracellular_cobalamin_deficiency"}
    consequences = {
        e.id
        for e in kg.entities.values()
        if e.kind in CAUSE_KINDS
        for edge in kg.edges.outgoing.get(e.id, ())
        if edge.relation == "isConsequenceOf" and edge.object in deficiency
    }
    assert set(report.members["ConsequenceOfCobalaminDeficiency"]) == consequences


@requires_java
def test_every_defined_class_is_compared(report) -> None:
    compared = set(DEFINED) | {
        "ArtefactualSerumB12Change",
        "PhysiologicalSerumB12Change",
        "BindingProteinSerumB12Change",
        "ExogenousSerumB12Change",
        "ConsequenceOfCobalaminDeficiency",
    }
    assert {k for k in report.members if not k.startswith("acts_through_")} == compared


# Corrected memberships (tracker issue 8): each must fail if it regresses, in HermiT and walk.
NOT_CAUSES_OF_LOW = ("methotrexate", "aminoglycoside_antibiotic", "ascorbic_acid")


@requires_java
@pytest.mark.parametrize("cause", NOT_CAUSES_OF_LOW)
def test_weak_or_contradicted_claims_are_not_causes_of_low_b12(report, kg, cause) -> None:
    assert cause not in report.members["CauseOfDecreasedSerumB12"]
    assert cause not in _walked(kg, "serum_b12_decreased", ("causal",))


@requires_java
def test_pernicious_anemia_masks_a_low_and_never_raises_b12(report, kg) -> None:
    assert "pernicious_anemia" not in report.members["CauseOfIncreasedSerumB12"]
    assert "pernicious_anemia" not in report.members["ReportedCauseOfIncreasedSerumB12"]
    assert "pernicious_anemia" in report.members["CauseOfFalselyNormalSerumB12"]
    assert "pernicious_anemia" in report.members["CauseOfDecreasedSerumB12"]
    assert "macro_vitamin_b12" in report.members["CauseOfFalselyIncreasedSerumB12"]
    assert "macro_vitamin_b12" not in report.members["CauseOfIncreasedSerumB12"]
    assert not [p for p in kg.causes_of("high") if p.source.id == "pernicious_anemia"]


@requires_java
def test_seed_only_and_disputed_claims_have_classes_of_their_own(report) -> None:
    reported = report.members["ReportedCauseOfDecreasedSerumB12"]
    for cause in ("neomycin", "colchicine", "cholestyramine", "giardiasis"):
        assert cause in reported
    for cause in ("phenytoin", "phenobarbital"):  # associations since the curator's decision
        assert cause not in reported
        assert cause in report.members["AssociatedWithDecreasedSerumB12"]
    assert report.members["DisputedCauseOfDecreasedSerumB12"] == ["ascorbic_acid"]
    assert "acute_myeloid_leukemia" in report.members["ReportedCauseOfIncreasedSerumB12"]
    assert "acute_myeloid_leukemia" not in report.members["CauseOfIncreasedSerumB12"]


@requires_java
def test_a_members_contrary_statement_blocks_the_class_claim(report) -> None:
    holding = [k for k, members in report.members.items() if "methotrexate" in members]
    assert not [k for k in holding if "SerumB12" in k or "impaired_terminal_ileal" in k]
    assert "antineoplastic_agent" not in report.members["ReportedCauseOfDecreasedSerumB12"]


@requires_java
def test_reasoner_agrees_with_the_walk_for_every_shared_mechanism(report, kg) -> None:
    groupings = {k: v for k, v in report.members.items() if k.startswith("acts_through_")}
    assert "acts_through_hypochlorhydria" in groupings
    assert "acts_through_impaired_terminal_ileal_absorption" in groupings
    for name, members in groupings.items():
        mechanism = name.removeprefix("acts_through_")
        assert set(members) == _walked(kg, mechanism, ("causal",)), name


@requires_java
def test_reasoner_keeps_consequences_physiology_and_artefacts_apart(report) -> None:
    assert "megaloblastic_anemia" in report.members["ConsequenceOfCobalaminDeficiency"]
    assert "megaloblastic_anemia" not in report.members["CauseOfDecreasedSerumB12"]
    assert "pregnancy" in report.members["PhysiologicalSerumB12Change"]
    assert "pregnancy" not in report.members["CauseOfCobalaminDeficiency"]
    assert "pernicious_anemia" in report.members["ArtefactualSerumB12Change"]
    assert "ascorbic_acid" not in report.members["ArtefactualSerumB12Change"]  # disputed
    assert "systemic_lupus_erythematosus" not in report.members["CauseOfDecreasedSerumB12"]


# A low haptocorrin lowers serum B12 without tissue deficiency; supplements raise it. Each has a
# grouping of its own and stays out of the deficiency classes, in HermiT and in the walk.
BINDING_PROTEIN_LOWS = ("haptocorrin_deficiency", "combined_oral_contraceptive")
EXOGENOUS_HIGHS = ("cobalamin", "cyanocobalamin", "hydroxocobalamin", "methylcobalamin")
DEFICIENCY_CLASSES = {
    "CauseOfCobalaminDeficiency": "cobalamin_depletion",
    "CauseOfIntracellularCobalaminDeficiency": "intracellular_cobalamin_deficiency",
}


@requires_java
@pytest.mark.parametrize("cause", BINDING_PROTEIN_LOWS)
def test_a_low_haptocorrin_is_a_binding_protein_low_not_a_deficiency(report, kg, cause) -> None:
    assert cause in report.members["BindingProteinSerumB12Change"]
    assert cause in report.members["CauseOfDecreasedSerumB12"]  # the serum B12 is truly low
    assert cause not in report.members["PhysiologicalSerumB12Change"]
    assert cause not in report.members["ArtefactualSerumB12Change"]
    assert cause not in report.members["CauseOfIncreasedSerumB12"]
    for defined, mechanism in DEFICIENCY_CLASSES.items():
        assert cause not in report.members[defined]
        assert cause not in _walked(kg, mechanism, ("causal",))
    natures = {p.nature for p in kg.paths(cause, "serum_b12_decreased") if p.kind == "causal"}
    assert natures == {"binding-protein change"}


@requires_java
@pytest.mark.parametrize("cause", EXOGENOUS_HIGHS)
def test_supplements_raise_b12_through_an_exogenous_grouping_not_a_deficiency(
    report, kg, cause
) -> None:
    assert cause in report.members["ExogenousSerumB12Change"]
    assert cause in report.members["CauseOfIncreasedSerumB12"]
    assert cause not in report.members["CauseOfDecreasedSerumB12"]
    assert cause not in report.members["CauseOfFalselyIncreasedSerumB12"]
    assert cause not in report.members["PhysiologicalSerumB12Change"]
    for defined, mechanism in DEFICIENCY_CLASSES.items():
        assert cause not in report.members[defined]
        assert cause not in _walked(kg, mechanism, ("causal",))
    natures = {p.nature for p in kg.paths(cause, "serum_b12_increased") if p.kind == "causal"}
    assert natures == {"exogenous"}


@requires_java
def test_the_new_groupings_hold_nothing_of_another_nature(report) -> None:
    assert "pregnancy" not in report.members["BindingProteinSerumB12Change"]
    assert "pregnancy" in report.members["PhysiologicalSerumB12Change"]
    assert "pernicious_anemia" not in report.members["BindingProteinSerumB12Change"]
    assert "macro_vitamin_b12" not in report.members["ExogenousSerumB12Change"]
    assert not set(report.members["ExogenousSerumB12Change"]) & set(
        report.members["BindingProteinSerumB12Change"]
    )


def test_without_java_the_reasoner_says_so_and_nothing_else_breaks(monkeypatch, kg) -> None:
    import owlready2

    import b12kg

    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ReasonerUnavailable, match="Java not found") as raised:
        b12kg.reason()
    assert raised.value.exit_code == 3
    assert kg.paths("pernicious anemia"), "the walk does not need Java"
