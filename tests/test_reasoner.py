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
    assert len(inferred) >= 3


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
    assert "ascorbic_acid" in report.members["ArtefactualSerumB12Change"]
    assert "systemic_lupus_erythematosus" not in report.members["CauseOfDecreasedSerumB12"]


def test_without_java_the_reasoner_says_so_and_nothing_else_breaks(monkeypatch, kg) -> None:
    import owlready2

    import b12kg

    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ReasonerUnavailable, match="Java not found") as raised:
        b12kg.reason()
    assert raised.value.exit_code == 3
    assert kg.paths("pernicious anemia"), "the walk does not need Java"
