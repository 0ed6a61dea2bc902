"""explain(): what a clinician reads for a patient's list of conditions and drugs."""

from __future__ import annotations

import pytest

from b12kg.errors import UnknownEntity, UsageError


def test_causes_come_first_ordered_by_evidence_and_shared_mechanisms_are_named_once(kg) -> None:
    text = kg.explain("omeprazole", "pernicious anemia", "metformin").text
    low = text.split("Serum vitamin B12 increased")[0]
    assert low.index("pernicious anemia — cause, established") < low.index(
        "omeprazole — cause, probable"
    )
    assert (
        low.count("reduced cobalamin absorption (as above)") == 2
    )  # spelled out once, then referred to
    assert "Shared mechanisms" in text


def test_an_association_is_never_called_a_cause(kg) -> None:
    text = kg.explain("systemic lupus erythematosus").text
    assert "association only — not shown to cause it" in text
    assert "lupus erythematosus — cause" not in text


def test_pernicious_anemia_brings_the_folate_caution_with_its_seed_quote(kg) -> None:
    explanation = kg.explain("pernicious anemia")
    cautions = {c.caution.id: c for c in explanation.cautions}
    folate = cautions["caution_no_folic_acid_alone_in_pernicious_anemia"]
    assert any("should never be prescribed for pernicious anemia" in q for q in folate.quotes)
    assert "Folic acid must not be given alone" in explanation.text


def test_functional_deficiency_is_explained_even_without_a_serum_b12_path(kg) -> None:
    text = kg.explain("nitrous oxide").text
    assert "Functional cobalamin deficiency — serum B12 may be normal" in text
    assert "nitrous oxide — cause" in text
    assert "Not accounted for" not in text
    assert "subacute combined degeneration" in text  # the consequence's caution applies


def test_a_condition_specific_caution_appears_only_with_that_condition(kg) -> None:
    pregnancy_caution = "caution_pregnancy_serum_b12_falls"
    assert pregnancy_caution in {c.caution.id for c in kg.explain("pregnancy").cautions}
    assert pregnancy_caution not in {c.caution.id for c in kg.explain("vegan diet").cautions}


def test_an_input_with_no_path_is_reported_not_dropped(kg) -> None:
    explanation = kg.explain("pernicious anemia", "folic acid")
    assert [e.id for e in explanation.unexplained] == ["folic_acid"]
    assert "Not accounted for by the graph: folic acid" in explanation.text


def test_json_record_has_paths_in_the_documented_shape(kg) -> None:
    record = kg.explain("Crohn's disease").to_record()
    assert record["paths"] and {"source", "steps", "finding", "direction", "kind"} <= set(
        record["paths"][0]
    )
    assert record["text"].startswith("Serum vitamin B12 decreased")


def test_bad_inputs_are_clear_errors(kg) -> None:
    with pytest.raises(UnknownEntity):
        kg.explain("pernishus anemia")
    with pytest.raises(UsageError, match="explain takes conditions and drugs"):
        kg.explain("hypochlorhydria")


def test_reported_and_disputed_claims_are_never_called_causes(kg) -> None:
    text = kg.explain("colchicine", "ascorbic acid", "pernicious anemia").text
    assert "0 of" not in text.splitlines()[0]
    assert "1 of 3 input(s) can account for it" in text.splitlines()[0]
    assert "colchicine — reported only, not a cause" in text
    assert "ascorbic acid — disputed, not a cause" in text


def test_explain_says_when_a_link_holds(kg) -> None:
    text = kg.explain("metformin", "Crohn's disease").text
    assert "holds when: risk rises with dose" in text
    assert "holds when: mainly terminal-ileal resection of more than about 20 cm" in text
    assert "holds when" not in kg.explain("pernicious anemia").text


FOLATE = "caution_no_folic_acid_alone_in_pernicious_anemia"


@pytest.mark.parametrize("name", ["metformin", "gastrectomy", "vegan diet", "omeprazole"])
def test_every_cause_of_true_deficiency_brings_the_folate_caution(kg, name: str) -> None:
    explanation = kg.explain(name)
    assert FOLATE in {c.caution.id for c in explanation.cautions}, name
    assert "Folic acid must not be given alone" in explanation.text


@pytest.mark.parametrize(
    "name",
    ["haptocorrin deficiency", "liver cirrhosis", "pregnancy", "cyanocobalamin", "vitamin C"],
)
def test_no_folate_caution_where_there_is_no_true_deficiency(kg, name: str) -> None:
    assert FOLATE not in {c.caution.id for c in kg.explain(name).cautions}, name


def test_explain_never_calls_a_low_haptocorrin_or_a_supplement_a_disease_cause(kg) -> None:
    text = kg.explain("combined oral contraceptive", "pregnancy").text
    assert "combined oral contraceptive — accounts for the result, probable evidence; " in text
    assert "binding-protein change — low serum B12 without tissue deficiency" in text
    assert "pregnancy — accounts for the result" in text and "— cause" not in text
    text = kg.explain("cyanocobalamin").text
    assert "exogenous cobalamin (supplements or injections) — intake, not disease" in text


@pytest.mark.parametrize("name", ["colchicine", "Zollinger-Ellison syndrome"])
def test_no_folate_caution_for_a_reported_only_route(kg, name: str) -> None:
    explanation = kg.explain(name)
    # the routes do pass cobalamin depletion, but none is a supported cause of true deficiency
    via = [p for p in explanation.paths if "cobalamin_depletion" in {m.id for m in p.mechanisms}]
    assert via and "cause" not in {p.section for p in via}
    assert FOLATE not in {c.caution.id for c in explanation.cautions}
    assert "Folic acid must not be given alone" not in explanation.text


def test_explain_csv_is_one_row_per_path_used(kg, capsys) -> None:
    import csv
    import io

    from b12kg.cli import main

    assert main(["explain", "pernicious anemia", "haptocorrin deficiency", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    explanation = kg.explain("pernicious anemia", "haptocorrin deficiency")
    assert len(rows) == len(explanation.paths)
    assert list(rows[0])[:3] == ["section", "source_id", "source"]
    assert [(r["source_id"], r["finding_id"], r["nature"]) for r in rows] == [
        (p.source.id, p.finding.id, p.nature) for p in explanation.paths
    ]
    hc = [r for r in rows if r["source_id"] == "haptocorrin_deficiency"]
    assert {(r["section"], r["nature"]) for r in hc} == {
        ("binding-protein change", "binding-protein change")
    }
    assert "Cautions:" not in out  # not the text form
