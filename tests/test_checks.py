"""`b12kg validate`: the QC queries catch what row-level checks cannot."""

from __future__ import annotations

from pathlib import Path

from b12kg.curation.validation import validate

from .conftest import SOURCES, requires_java


def _append(path: Path, row: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")


def test_mini_sources_pass_every_layer(mini_sources: Path) -> None:
    report = validate(mini_sources, owl=False)
    assert report.ok, report.problems
    assert report.ran == ["curation", "decision-tables", "qc-queries"]


def test_a_cycle_in_a_mechanism_chain_is_reported(mini_sources: Path) -> None:
    _append(
        mini_sources / "links.tsv",
        "cobalamin_depletion\tleads_to\tintrinsic_factor_antibodies\tstabler-2013\t\tlimited\t",
    )
    report = validate(mini_sources, owl=False)
    assert {p.file for p in report.problems} == {"check:mechanism-cycle"}
    assert {p.field for p in report.problems} >= {
        "cobalamin_depletion",
        "intrinsic_factor_antibodies",
    }


def test_a_cause_reaching_no_finding_is_reported(mini_sources: Path) -> None:
    _append(
        mini_sources / "entities.tsv",
        "crohns_disease\tdisease\tCrohn's disease\tA chronic inflammatory bowel disease.\t\t\t\t\t",
    )
    report = validate(mini_sources, owl=False)
    assert [(p.file, p.field) for p in report.problems] == [
        ("check:cause-not-reaching-finding", "crohns_disease")
    ]


def test_shipped_sources_pass_curation_and_qc() -> None:
    report = validate(SOURCES, owl=False)
    assert report.ok, "\n".join(map(str, report.problems))


@requires_java
def test_shipped_ontology_is_owl2_dl_consistent_and_coherent() -> None:
    report = validate(SOURCES, owl=True)
    assert report.ok, "\n".join(map(str, report.problems))
    assert "owl-dl-profile+hermit" in report.ran


@requires_java
def test_an_artifact_the_owl_api_cannot_read_fails_validation_rather_than_skipping() -> None:
    from b12kg.owl.profile import owl_problems

    problems = owl_problems(b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='oops'><broken")
    assert len(problems) == 1
    assert problems[0].field == "OWL 2 DL"
    assert problems[0].message.startswith("the OWL API could not read the ontology")
