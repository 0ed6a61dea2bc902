"""The curated tables: a bad record is named by file, line and field, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from b12kg.curation.tables import read_curation
from b12kg.errors import CurationError


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_mini_fixture_reads_into_typed_records(mini_sources: Path) -> None:
    curation = read_curation(mini_sources)
    assert curation.entities["pernicious_anemia"].synonyms == (
        "Addison-Biermer disease",
        "Biermer anemia",
    )
    assert curation.entities["serum_b12_decreased"].direction == "decreased"
    link = next(x for x in curation.links if x.subject == "pernicious_anemia")
    assert (link.relation, link.object, link.strength) == (
        "has_mechanism",
        "intrinsic_factor_antibodies",
        "established",
    )
    assert link.sources == ("seed-000",)


# (file, text to replace, replacement, expected file, expected line, expected field)
BAD_RECORDS = [
    pytest.param(
        "entities.tsv",
        "\tdisease\tliver cirrhosis\t",
        "\tdisease\t\t",
        "entities.tsv",
        3,
        "label",
        id="empty-label",
    ),
    pytest.param(
        "entities.tsv",
        "liver_cirrhosis\tdisease",
        "liver_cirrhosis\tailment",
        "entities.tsv",
        3,
        "kind",
        id="unknown-kind",
    ),
    pytest.param(
        "entities.tsv",
        "liver_cirrhosis\t",
        "Liver Cirrhosis\t",
        "entities.tsv",
        3,
        "id",
        id="id-not-snake-case",
    ),
    pytest.param(
        "entities.tsv",
        "serum total vitamin B12\tdecreased",
        "serum total vitamin B12\tlowish",
        "entities.tsv",
        8,
        "direction",
        id="bad-direction",
    ),
    pytest.param(
        "links.tsv",
        "liver_cirrhosis\thas_mechanism",
        "liver_cirrhosis\tcauses",
        "links.tsv",
        6,
        "relation",
        id="unknown-relation",
    ),
    pytest.param(
        "links.tsv",
        "cobalamin_release_from_hepatocytes\tleads_to\tserum_b12_increased",
        "cobalamin_release_from_hepatocytes\tleads_to\tserum_b12_sky_high",
        "links.tsv",
        7,
        "object",
        id="dangling-object",
    ),
    pytest.param(
        "links.tsv",
        "stabler-2013\t\tprobable",
        "stabler-2013\t\t",
        "links.tsv",
        7,
        "strength",
        id="causal-link-without-strength",
    ),
    pytest.param(
        "links.tsv",
        "\tseed-000\tChronic liver disease (liver cirrhosis)",
        "\t\tChronic liver disease (liver cirrhosis)",
        "links.tsv",
        6,
        "sources",
        id="causal-link-without-source",
    ),
    pytest.param(
        "links.tsv",
        "Chronic liver disease (liver cirrhosis)",
        "Liver cirrhosis raises B12 a lot",
        "links.tsv",
        6,
        "quote",
        id="quote-not-in-seed",
    ),
    pytest.param(
        "links.tsv",
        "pernicious_anemia\thas_mechanism\tintrinsic_factor_antibodies",
        "pernicious_anemia\thas_mechanism\tserum_b12_decreased",
        "links.tsv",
        2,
        "object",
        id="relation-kind-mismatch",
    ),
    pytest.param(
        "links.tsv",
        "\tseed-000\tChronic liver disease (liver cirrhosis)\tprobable",
        "\tseed-000\t\tprobable",
        "links.tsv",
        6,
        "quote",
        id="seed-cited-without-quote",
    ),
    pytest.param(
        "links.tsv",
        "cobalamin_depletion\tleads_to\tserum_b12_decreased\tstabler-2013\t\t",
        "cobalamin_depletion\tleads_to\tserum_b12_decreased\tstabler-2013\tBody stores last years\t",
        "links.tsv",
        4,
        "quote",
        id="quote-without-a-seed-source",
    ),
    pytest.param(
        "links.tsv",
        "\tseed-000\tChronic liver disease (liver cirrhosis)\t",
        "\tseed-000\tChronic atrophic autoimmune gastritis is an autoimmune condition\t",
        "links.tsv",
        6,
        "quote",
        id="quote-from-a-seed-not-cited",
    ),
    pytest.param(
        "references.tsv",
        "stabler-2013\treview",
        "stabler-2013\tweb_page",
        "links.tsv",
        4,
        "sources",
        id="web-page-as-sole-support",
    ),
    pytest.param(
        "references.tsv",
        "10.1056/NEJMcp1113996",
        "doi:10.1056/NEJMcp1113996",
        "references.tsv",
        3,
        "doi",
        id="doi-not-bare",
    ),
    pytest.param(
        "xrefs.tsv", "DOID:13381", "DOID 13381", "xrefs.tsv", 2, "curie", id="curie-malformed"
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "where", "line", "field"), BAD_RECORDS)
def test_bad_record_names_file_line_and_field(
    mini_sources: Path, file: str, old: str, new: str, where: str, line: int, field: str
) -> None:
    _edit(mini_sources / file, old, new)
    with pytest.raises(CurationError) as raised:
        read_curation(mini_sources)
    located = {(p.file, p.line, p.field) for p in raised.value.problems}
    assert (where, line, field) in located, raised.value.problems
    assert f"{where}:{line}: {field}:" in str(raised.value)


def test_duplicate_id_points_at_first_definition(mini_sources: Path) -> None:
    entities = mini_sources / "entities.tsv"
    lines = entities.read_text(encoding="utf-8").splitlines()
    entities.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(CurationError) as raised:
        read_curation(mini_sources)
    assert any("already defined at line 2" in p.message for p in raised.value.problems)


def test_missing_column_is_reported_at_the_header(mini_sources: Path) -> None:
    _edit(mini_sources / "links.tsv", "\tstrength\t", "\tconfidence\t")
    with pytest.raises(CurationError) as raised:
        read_curation(mini_sources)
    assert ("links.tsv", 1, "confidence") in {
        (p.file, p.line, p.field) for p in raised.value.problems
    }


def test_all_problems_are_reported_in_one_pass(mini_sources: Path) -> None:
    _edit(mini_sources / "entities.tsv", "\tdisease\tliver cirrhosis\t", "\tdisease\t\t")
    _edit(mini_sources / "links.tsv", "liver_cirrhosis\thas_mechanism", "liver_cirrhosis\tcauses")
    with pytest.raises(CurationError) as raised:
        read_curation(mini_sources)
    assert {p.file for p in raised.value.problems} >= {"entities.tsv", "links.tsv"}


def test_every_seed_quote_in_the_shipped_sources_is_verbatim(curation) -> None:
    """read_curation rejects a paraphrase; here we also check the quotes are not trivial."""
    quoted = [q for link in curation.links for q in link.quotes]
    assert len(quoted) >= 20
    seeds = " ".join(" ".join(text.split()) for text in curation.seeds.values())
    for quote in quoted:
        assert len(quote) >= 5, "a quote is a phrase or a table cell, not a fragment"
        assert " ".join(quote.split()) in seeds


# --- class claims and a member's own contrary evidence (tracker issue 8) --------------------------


@pytest.fixture
def shipped_sources(tmp_path: Path) -> Path:
    import shutil

    from b12kg.resources import sources_dir

    return Path(shutil.copytree(sources_dir(), tmp_path / "src"))


def _without_row(path: Path, prefix: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(prefix)]
    assert len(kept) == len(lines) - 1, prefix
    path.write_text("".join(kept), encoding="utf-8")


def test_an_inherited_claim_the_members_note_contradicts_is_flagged(
    shipped_sources: Path,
) -> None:
    _without_row(shipped_sources / "links.tsv", "methotrexate\tlacks_mechanism\t")
    with pytest.raises(CurationError) as raised:
        read_curation(shipped_sources)
    messages = [p for p in raised.value.problems if p.field == "notes"]
    assert messages and "methotrexate" in messages[0].message
    assert "impaired_terminal_ileal_absorption" in messages[0].message


def test_a_lacks_mechanism_row_must_block_an_inherited_claim(shipped_sources: Path) -> None:
    _edit(
        shipped_sources / "links.tsv",
        "methotrexate\tlacks_mechanism\timpaired_terminal_ileal_absorption\t",
        "methotrexate\tlacks_mechanism\thypochlorhydria\t",
    )
    with pytest.raises(CurationError) as raised:
        read_curation(shipped_sources)
    assert any("nothing to block" in p.message for p in raised.value.problems)


def test_the_evidence_rule(curation) -> None:
    links = {link.key: link for link in curation.links}
    refs = curation.references
    tier = {key: link.tier(refs) for key, link in links.items()}
    # limited, seed and a review
    assert tier[("neomycin", "has_mechanism", "impaired_terminal_ileal_absorption")] == "reported"
    # limited, even with publications
    assert tier[("cholestyramine", "has_mechanism", "reduced_cobalamin_absorption")] == "reported"
    assert (
        tier[("ascorbic_acid", "has_mechanism", "in_vitro_cobalamin_degradation_by_ascorbic_acid")]
        == "disputed"
    )
    assert (
        tier[("pernicious_anemia", "has_mechanism", "intrinsic_factor_antibodies")] == "supported"
    )


# --- files that are not what they claim to be (tracker issue 12) ---------------------------------


def _problems(mini_sources: Path) -> list:
    with pytest.raises(CurationError) as raised:
        read_curation(mini_sources)
    return raised.value.problems


def test_a_latin1_file_is_named_with_line_and_byte(mini_sources: Path) -> None:
    path = mini_sources / "entities.tsv"
    text = path.read_text(encoding="utf-8").replace("liver cirrhosis\t", "liver cirrhosé\t", 1)
    path.write_bytes(text.encode("latin-1"))
    located = [(p.file, p.field) for p in _problems(mini_sources)]
    assert ("entities.tsv", "(encoding)") in located
    message = next(str(p) for p in _problems(mini_sources) if p.field == "(encoding)")
    assert "entities.tsv:3:" in message and "b'\\xe9'" in message


def test_a_utf16_file_is_named(mini_sources: Path) -> None:
    path = mini_sources / "links.tsv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert any(p.file == "links.tsv" and "UTF-16" in p.message for p in _problems(mini_sources))


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x85"])
def test_a_control_character_is_refused_with_its_position(mini_sources: Path, character) -> None:
    path = mini_sources / "entities.tsv"
    text = path.read_text(encoding="utf-8").replace(
        "\tdisease\tliver cirrhosis\t", f"\tdisease\tliver{character} cirrhosis\t", 1
    )
    path.write_text(text, encoding="utf-8")
    problem = next(p for p in _problems(mini_sources) if p.field == "label")
    assert (problem.file, problem.line) == ("entities.tsv", 3)
    assert f"U+{ord(character):04X}" in problem.message and "position 6" in problem.message


def test_an_oversized_field_is_refused(mini_sources: Path) -> None:
    path = mini_sources / "links.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1] + "x" * 200_000  # the notes column of the first link
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = next(p for p in _problems(mini_sources) if p.field == "notes")
    assert (problem.file, problem.line) == ("links.tsv", 2)
    assert "the limit is 20,000" in problem.message


def test_an_is_a_cycle_is_refused_and_named(mini_sources: Path) -> None:
    path = mini_sources / "entities.tsv"
    rows = path.read_text(encoding="utf-8").splitlines()
    header = rows[0].split("\t")
    column = header.index("parents")
    cells = {r.split("\t")[0]: r.split("\t") for r in rows[1:]}
    cells["liver_cirrhosis"][column] = "megaloblastic_anemia"
    cells["megaloblastic_anemia"][column] = "liver_cirrhosis"
    path.write_text(
        "\n".join([rows[0], *("\t".join(c) for c in cells.values())]) + "\n", encoding="utf-8"
    )
    cycle = [p for p in _problems(mini_sources) if "is-a cycle" in p.message]
    assert len(cycle) == 1
    assert "liver_cirrhosis" in cycle[0].message and "megaloblastic_anemia" in cycle[0].message


def test_an_unknown_definition_source_names_its_file_line_and_field(mini_sources: Path) -> None:
    entities = mini_sources / "entities.tsv"
    lines = entities.read_text(encoding="utf-8").splitlines()
    lines[0] += "\tdefinition_source"
    lines[1] += "\tstabler-2013 | no-such-paper"
    entities.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CurationError) as caught:
        read_curation(mini_sources)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("entities.tsv", 2, "definition_source")
    assert "'no-such-paper'" in problem.message


# --- coverage.tsv ---------------------------------------------------------------------------

COVERAGE_HEADER = "review\tcategory\tcause\tentity\tdecision\treason\n"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("no-such-review\tlow_serum_b12\tPA\tpernicious_anemia\tcovered\t", "review", "unknown"),
        ("stabler-2013\tlow_serum_b12\tPA\tno_such_entity\tcovered\t", "entity", "unknown"),
        ("stabler-2013\tlow_b12\tPA\tpernicious_anemia\tcovered\t", "category", "not one of"),
        ("stabler-2013\tlow_serum_b12\tPA\tpernicious_anemia\tmaybe\t", "decision", "not one of"),
        ("stabler-2013\tlow_serum_b12\tPA\t\tcovered\t", "entity", "required"),
        ("stabler-2013\tlow_serum_b12\ttea\t\tleft_out\t", "reason", "required"),
        (
            "stabler-2013\tlow_serum_b12\tPA\tpernicious_anemia\tleft_out\tdup",
            "entity",
            "no entity",
        ),
    ],
)
def test_a_bad_coverage_row_names_file_line_and_field(
    mini_sources: Path, row: str, field: str, message: str
) -> None:
    """A coverage row claims what the graph covers; one naming nothing real must not pass."""
    good = "stabler-2013\tlow_serum_b12\tpernicious anemia\tpernicious_anemia\tcovered\tseen\n"
    (mini_sources / "coverage.tsv").write_text(COVERAGE_HEADER + good + row + "\n", "utf-8")
    [problem] = _problems(mini_sources)
    assert (problem.file, problem.line, problem.field) == ("coverage.tsv", 3, field)
    assert message in problem.message


def test_a_good_coverage_table_passes(mini_sources: Path) -> None:
    rows = (
        "stabler-2013\tlow_serum_b12\tpernicious anemia\tpernicious_anemia\tcovered\tseen\n"
        "stabler-2013\tlow_serum_b12\ttea\t\tleft_out\tno source on a mechanism\n"
    )
    (mini_sources / "coverage.tsv").write_text(COVERAGE_HEADER + rows, "utf-8")
    assert read_curation(mini_sources).entities
