"""A notebook's view: results iterate as rows, convert to DataFrames, and print short."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

import b12kg

from .conftest import REPOSITORY


def test_reprs_are_short(kg) -> None:
    assert repr(kg).startswith("<KnowledgeGraph ") and len(repr(kg)) < 100, repr(kg)
    assert f"{len(kg.entities)} entities" in repr(kg) and "from b12kg.ttl" in repr(kg)
    assert repr(kg.find("PA")) == "<Entity pernicious_anemia 'pernicious anemia' (disease)>"
    for value in (
        kg.paths("pernicious anemia"),
        kg.query("causes-of-low-b12"),
        kg.rank_causes(["low", "MMA"]),
        kg.explain("pernicious anemia", "metformin"),
        kg.sources["seed-000"],
    ):
        assert len(repr(value)) < 2_000, type(value)


def test_a_query_result_is_a_dataframe_in_one_call(kg) -> None:
    result = kg.query("causes-of-low-b12")
    frame = pd.DataFrame(result)
    assert list(frame.columns) == result.columns and len(frame) == len(result)
    assert result.to_dataframe().equals(frame)
    assert next(iter(result)) == result[0] and set(result[0]) == set(result.columns)


def test_paths_differentials_and_explanations_convert(kg) -> None:
    paths = kg.paths("omeprazole")
    frame = paths.to_dataframe()
    assert len(frame) == len(paths)
    assert {"source_id", "source", "mechanisms", "mechanism_ids", "via"} <= set(frame.columns)
    assert frame.loc[0, "source_id"] == "omeprazole"
    assert frame.loc[0, "mechanisms"][0] == "hypochlorhydria"  # a list, in path order
    assert pd.DataFrame(paths.records()).equals(frame)
    ranked = pd.DataFrame(kg.rank_causes(["low", "intrinsic factor antibody positive"]))
    assert ranked.loc[0, "cause_id"] == "pernicious_anemia"
    assert len(kg.explain("pernicious anemia").to_dataframe()) > 0


def test_pandas_is_imported_only_when_asked() -> None:
    code = (
        "import sys, b12kg; kg = b12kg.load(); r = kg.query('causes-of-low-b12');"
        "list(r); kg.paths('omeprazole'); assert 'pandas' not in sys.modules;"
        "r.to_dataframe(); assert 'pandas' in sys.modules"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPOSITORY, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_the_package_is_typed() -> None:
    from pathlib import Path

    assert (Path(b12kg.__file__).parent / "py.typed").is_file()
