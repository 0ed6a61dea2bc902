"""`b12kg diff OLD NEW`: the changes between two releases, found in their .ttl files."""

from __future__ import annotations

import json
from pathlib import Path

from b12kg.cli import main
from b12kg.curation.builder import build
from b12kg.curation.diff import diff


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_diff_finds_each_kind_of_change(mini_sources: Path, tmp_path: Path, capsys) -> None:
    build(mini_sources, tmp_path / "old")
    _edit(mini_sources / "entities.tsv", "\tpernicious anemia\t", "\tpernicious anaemia\t")
    links = mini_sources / "links.tsv"
    _edit(
        links,
        "cobalamin_depletion\tleads_to\tserum_b12_decreased\tstabler-2013\t\testablished",
        "cobalamin_depletion\tleads_to\tserum_b12_decreased\tstabler-2013\t\tprobable",
    )
    _edit(
        mini_sources / "xrefs.tsv",
        "DOID:13381\tpernicious anemia\texact",
        "DOID:13381\tpernicious anemia\tclose",
    )
    build(mini_sources, tmp_path / "new")
    result = diff(tmp_path / "old" / "b12kg.ttl", tmp_path / "new")
    assert result.entities_relabelled == [
        {
            "entity": "pernicious_anemia",
            "old_label": "pernicious anemia",
            "new_label": "pernicious anaemia",
        }
    ]
    assert result.strengths_changed == [
        {
            "subject": "cobalamin_depletion",
            "relation": "leadsTo",
            "object": "serum_b12_decreased",
            "old_strength": "established",
            "new_strength": "probable",
        }
    ]
    assert result.xrefs_changed == [
        {
            "entity": "pernicious_anemia",
            "xref": "DOID:13381",
            "old_confidence": "exact",
            "new_confidence": "close",
        }
    ]
    assert not result.links_added and not result.links_removed and not result.entities_added
    assert diff(tmp_path / "new", tmp_path / "new").empty
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["counts"]["strengths_changed"] == 1
