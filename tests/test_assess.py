"""`assess`: lab values classified against the sourced thresholds, ranked with the inputs;
cohorts: a long table in, one row per patient and candidate out, bad rows reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from b12kg.cli import main
from b12kg.errors import CurationError, UsageError


def lab(kg, text):
    (result,) = kg.assess(text).labs
    return result


def test_each_value_names_the_band_and_source_that_classified_it(kg) -> None:
    b12 = lab(kg, "B12=150 pmol/L")
    assert (b12.status, b12.threshold.source, b12.threshold.describe()) == (
        "indeterminate",
        "nice-2024",
        "133-258 pmol/L",
    )
    assert b12.indeterminate and b12.finding.id == "serum_b12_decreased"
    assert any("indeterminate" in n for n in b12.notes)
    assert lab(kg, "B12 220 ng/L").threshold.describe() == "180-350 ng/L"
    assert lab(kg, "holoTC 20 pmol/L").status == "deficient"
    mma = lab(kg, "MMA 0.6 umol/L")
    assert mma.finding.id == "methylmalonic_acid_increased" and mma.compared_as == "600 nmol/L"
    hcy = lab(kg, "tHcy 18")
    assert hcy.finding.id == "homocysteine_increased" and "no unit given" in hcy.notes[0]


@pytest.mark.parametrize("value", [140, 147, 150, 200, 259])
def test_a_lowered_level_by_nhg_is_never_what_classifies_a_value(kg, value) -> None:
    """NHG 2014's < 148 pmol/L is a lowered level, not a deficiency with symptoms: its row
    sits in band 'deficient' only for want of a 'lowered' band, so it must not decide."""
    b12 = lab(kg, f"B12 {value} pmol/L")
    assert b12.threshold.source == "nice-2024"
    assert b12.status == ("normal" if value >= 258 else "indeterminate")
    (nhg,) = [t for t in kg.tables.thresholds if t.source == "nhg-2014" and t.band == "deficient"]
    assert "not by itself a deficiency" in nhg.note


def test_unit_conversion_uses_the_tables_factor(kg) -> None:
    # 100 ng/L x 0.738 = 73.8 pmol/L: the pmol/L-only source (qi-2013) is not needed, but a
    # high B12 in ng/L reaches the pmol/L study band through the table's factor
    high = lab(kg, "B12 1500 ng/L")
    assert high.status == "high" and high.finding.id == "serum_b12_increased"
    own = lab(kg, "B12 1200 pmol/L")
    assert own.threshold.source == "high-cobalamin-plos-2012" and own.threshold.unit == "pmol/L"
    assert lab(kg, "B12 400 pmol/L").finding is None


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("B12 150 furlongs", "unknown unit 'furlongs'"),
        ("B12 abc pmol/L", "'abc' is not a number"),
        ("B12 150", "give a unit"),
        ("metformin maybe", "maybe"),
    ],
)
def test_a_bad_value_is_a_clear_error_naming_the_item(kg, item, message) -> None:
    with pytest.raises(Exception, match=message) as caught:
        kg.assess(item)
    assert item.split()[0] in str(caught.value)


def test_textbook_low_b12_in_a_metformin_user(kg) -> None:
    a = kg.assess("B12=120 pmol/L", "metformin")
    assert a.candidates[0].cause.id == "metformin" and a.candidates[0].is_input


def test_textbook_nitrous_oxide_with_normal_b12_and_high_mma(kg) -> None:
    a = kg.assess("nitrous oxide", "B12 400 pmol/L", "MMA 0.8 umol/L")
    first = a.candidates[0]
    assert first.cause.id == "nitrous_oxide" and first.nature == "functional deficiency"
    assert "caution_nitrous_oxide_normal_serum_b12" in {c.caution.id for c in a.cautions}
    assert all("serum total vitamin B12" not in f.analyte for f, _ in a.tests), "B12 was measured"


def test_textbook_pernicious_anemia(kg) -> None:
    a = kg.assess("B12 90 pmol/L", "MMA 900 nmol/L", "intrinsic factor antibody positive")
    assert a.candidates[0].cause.id == "pernicious_anemia"


def test_python_result_is_typed_and_tabular(kg) -> None:
    a = kg.assess("B12=150 pmol/L", "metformin")
    record = a.to_record()
    assert record["labs"][0]["threshold"]["source"] == "nice-2024"
    assert {c["section"] for c in record["candidates"]} >= {"cause"}
    frame = a.to_dataframe()
    assert list(frame.columns[:3]) == ["section", "rank", "cause_id"]


def test_cli_assess_table_json_csv(capsys) -> None:
    assert main(["assess", "B12=150 pmol/L", "MMA 0.6 umol/L", "metformin"]) == 0
    out = capsys.readouterr().out
    assert "indeterminate (133-258 pmol/L, nice-2024)" in out and "== causes ==" in out
    assert "metformin (input)" in out
    assert main(["assess", "B12=150 pmol/L", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["labs"][0]["status"] == "indeterminate"
    assert main(["assess", "B12=150 pmol/L", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("section,rank,cause")
    assert main(["assess", "B12 150 furlongs"]) == 2


COHORT = """patient_id,item,value,unit
p1,B12,150,pmol/L
p1,MMA,0.6,umol/L
p1,metformin,,
p2,B12,1200,pmol/L
p3,B12,abc,pmol/L
p3,B12,400,pmol/L
,B12,100,pmol/L
p4,B12,100,furlongs
p5,B12,400,pmol/L
"""


def test_cohort_reports_bad_rows_and_processes_the_rest(tmp_path: Path, capsys) -> None:
    source = tmp_path / "cohort.csv"
    source.write_text(COHORT)
    out = tmp_path / "out.jsonl"
    assert main(["assess", "--cohort", str(source), "--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert "row 6 (patient p3) skipped: B12: 'abc' is not a number" in err
    assert "row 8 skipped: no patient_id" in err
    assert "row 9 (patient p4) skipped" in err and "unknown unit" in err
    assert "3 input rows skipped" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["patient_id"] for r in rows} == {"p1", "p2", "p3", "p4", "p5"}
    p1 = [r for r in rows if r["patient_id"] == "p1"]
    assert p1[0]["cause_id"] == "metformin" and p1[0]["input"] is True
    p2 = [(r["section"], r["cause_id"]) for r in rows if r["patient_id"] == "p2"]
    assert p2[0] == ("exogenous cobalamin", "cobalamin"), "supplements: asked about first"
    (p5,) = [r for r in rows if r["patient_id"] == "p5"]
    assert p5["cause_id"] == "" and "nothing to explain" in p5["note"]
    (p4,) = [r for r in rows if r["patient_id"] == "p4"]
    assert "every row skipped" in p4["note"]


def test_cohort_from_a_dataframe_and_parquet(kg, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        [("a", "B12", 150, "pmol/L"), ("a", "DOID:13381", "yes", None), ("b", "tHcy", "x", None)],
        columns=["patient_id", "item", "value", "unit"],
    )
    result = kg.assess_cohort(frame)
    assert result.summary["rows_skipped"] == 1 and result.skipped[0].row == 3
    assert result.to_dataframe().iloc[0]["cause_id"] == "pernicious_anemia"
    pytest.importorskip("pyarrow")
    from b12kg.questions.cohort import read_long_table, write_rows

    frame.astype(str).to_parquet(tmp_path / "in.parquet")
    again = kg.assess_cohort(read_long_table(tmp_path / "in.parquet"))
    assert again.summary["patients"] == 2
    write_rows(again.rows, tmp_path / "out.parquet", "parquet")
    assert len(pd.read_parquet(tmp_path / "out.parquet")) == len(again.rows)


def test_cohort_file_without_the_columns_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("id,thing\n1,2\n")
    assert main(["assess", "--cohort", str(source)]) == 2


def test_decision_tables_are_checked_at_build(tmp_path: Path) -> None:
    from b12kg.curation.decision_tables import read_decision_tables

    (tmp_path / "thresholds.tsv").write_text(
        "analyte\tunit\tband\tlower\tupper\tsource\tquote_or_note\n"
        "serum total vitamin B12\tpmol/L\tlowish\tx\t133\tnowhere\tnote\n"
    )
    (tmp_path / "frequencies.tsv").write_text(
        "cause\tcategory\tfrequency_text\tpopulation\tsource\nno_such\tlow_serum_b12\t5 %\tp\tref\n"
    )
    with pytest.raises(CurationError) as caught:
        read_decision_tables(tmp_path, {"pernicious_anemia"}, {"ref"})
    text = str(caught.value)
    for expected in (
        "thresholds.tsv:2: source",
        "thresholds.tsv:2: band",
        "thresholds.tsv:2: lower",
        "frequencies.tsv:2: cause",
    ):
        assert expected in text
    assert UsageError  # imported for the error family


def test_validate_reports_a_bad_decision_table_row(mini_sources: Path) -> None:
    from b12kg.curation.validation import validate

    (mini_sources / "frequencies.tsv").write_text(
        "cause\tcategory\tfrequency_text\tpopulation\tsource\nno_such\tlow_serum_b12\t5 %\tp\tnowhere\n"
    )
    report = validate(mini_sources, owl=False)
    assert "decision-tables" in report.ran
    assert {(p.file, p.line, p.field) for p in report.problems} >= {
        ("frequencies.tsv", 2, "cause"),
        ("frequencies.tsv", 2, "source"),
    }


def test_causes_files_paths_in_sections(capsys) -> None:
    assert main(["causes", "high", "--format", "json"]) == 0
    paths = json.loads(capsys.readouterr().out)["paths"]
    sections = {p["source"]["id"]: p["section"] for p in paths}
    assert sections["macro_vitamin_b12"] == "misleading result"
    assert sections["cobalamin"] == "exogenous cobalamin", "intake, listed but not as disease"
    assert sections["chronic_kidney_disease"] == "cause"
    assert "pernicious_anemia" not in sections, "a masked low is not a cause of high B12"
    assert main(["causes", "high"]) == 0
    table = capsys.readouterr().out
    first, causes = table.split("== causes ==")
    assert "chronic kidney disease" in causes and "cyanocobalamin" not in causes
    assert "== exogenous cobalamin (supplements, injections: intake, not disease) ==" in first
    assert "vitamin B12" in first and "chronic kidney disease" not in first
    assert main(["causes", "low"]) == 0
    table = capsys.readouterr().out
    physiological = table.split("== physiological changes (not a tissue deficiency) ==")[1]
    physiological, binding = physiological.split("== binding-protein changes")
    assert "pregnancy" in physiological and "haptocorrin deficiency" not in physiological
    assert "oral contraceptive" not in physiological
    binding = binding.split("== misleading")[0]
    assert "haptocorrin deficiency" in binding and "combined oral contraceptive" in binding
    assert "pregnancy" not in binding
