"""Shared fixtures: the shipped artifact, a small real curation set, and Java detection."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
SOURCES = REPOSITORY / "ontology" / "src"
ONTOLOGY = REPOSITORY / "ontology"
MINI = Path(__file__).resolve().parent / "data" / "curation-mini"
SHARED = REPOSITORY.parent / "shared"
IN_CI = bool(os.environ.get("CI"))


def copy_mini(target: Path) -> Path:
    """The mini curation set plus the real upper model, in a folder the test may change."""
    shutil.copytree(MINI, target)
    shutil.copy(SOURCES / "model.ttl", target / "model.ttl")
    return target


@pytest.fixture
def mini_sources(tmp_path: Path) -> Path:
    return copy_mini(tmp_path / "src")


@pytest.fixture(scope="session")
def curation():
    from b12kg.curation.tables import read_curation

    return read_curation(SOURCES)


@pytest.fixture(scope="session")
def kg():
    """The knowledge graph as a user gets it: `b12kg.load()` on the packaged artifact."""
    import b12kg

    return b12kg.load()


def java_available() -> bool:
    return shutil.which("java") is not None


requires_java = pytest.mark.skipif(
    not java_available() and not IN_CI, reason="needs Java (apt-get install default-jre-headless)"
)
