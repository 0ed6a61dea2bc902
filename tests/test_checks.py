"""`b12kg validate`: the QC queries catch what row-level checks cannot."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from b12kg.curation.validation import validate
from b12kg.sparql.embedded import run_local
from b12kg.sparql.library import checks
from b12kg.vocabulary import local_name

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


# --- each check on a small bad fixture (tests/data/checks/<check>.ttl) ---------------------------

CHECK_FIXTURES = Path(__file__).parent / "data" / "checks"


def _expected(fixture: Path) -> set[str]:
    """The `# expect: a b …` line: the local names the check must report, and no others."""
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            return set(line.removeprefix("# expect:").split())
    raise AssertionError(f"{fixture} has no '# expect:' line")


@pytest.mark.parametrize("name", sorted(checks()))
def test_each_check_reports_exactly_the_violations_of_its_bad_fixture(name: str) -> None:
    """A fixture holds violations next to near misses (a related synonym beside an exact one,
    a deprecated term beside a live one): the check must name the first and none of the second."""
    fixture = CHECK_FIXTURES / f"{name}.ttl"
    assert fixture.exists(), f"queries/checks/{name}.rq needs a bad fixture {fixture.name}"
    store = ox.Store()
    store.load(fixture.read_bytes(), format=ox.RdfFormat.TURTLE)
    rows = run_local(store, checks()[name].text, source=name).rows
    reported = {local_name(row["entity"]) for row in rows}
    assert reported == _expected(fixture)


@pytest.mark.parametrize("name", sorted(checks()))
def test_each_check_documents_itself_in_its_header(name: str) -> None:
    query = checks()[name]
    assert query.summary and "qc" in query.tags
    assert "every row is a violation" in query.description


def test_validate_runs_the_obo_checks_and_names_each_violation(mini_sources: Path) -> None:
    """A synonym exact on two entities (pernicious anemia has 'Biermer anemia' in the mini
    sources) fails `validate` with the check's name and both entities."""
    _append(
        mini_sources / "entities.tsv",
        "addison_biermer\tdisease\tAddison-Biermer anemia\tAn anemia.\t\tBiermer anemia\t\t\t",
    )
    report = validate(mini_sources, owl=False)
    found = {(p.file, p.field) for p in report.problems}
    assert ("check:duplicate-exact-synonym", "addison_biermer") in found
    assert ("check:duplicate-exact-synonym", "pernicious_anemia") in found


def test_a_synonym_marked_related_passes(mini_sources: Path) -> None:
    _append(
        mini_sources / "entities.tsv",
        "addison_biermer\tdisease\tAddison-Biermer anemia\tAn anemia.\t\tBiermer anemia [RELATED]\t\t\t",
    )
    report = validate(mini_sources, owl=False)
    assert not [p for p in report.problems if "synonym" in p.file], report.problems


def test_validate_reports_a_coverage_row_naming_no_entity(mini_sources: Path) -> None:
    (mini_sources / "coverage.tsv").write_text(
        "review\tcategory\tcause\tentity\tdecision\treason\n"
        "stabler-2013\tlow_serum_b12\tgastrectomy\tgastrectomy\tcovered\tseen\n",
        encoding="utf-8",
    )
    report = validate(mini_sources, owl=False)
    assert [(p.file, p.line, p.field) for p in report.problems] == [("coverage.tsv", 2, "entity")]
    assert not report.ok
