"""Where the packaged ontology and query library live, in a checkout or an installed wheel.

A wheel carries them under `b12kg/_data/` (see pyproject's force-include); a checkout or an
editable install finds them at the repository root. One function per resource, so nothing
else needs to know which case applies.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPOSITORY_DIR = PACKAGE_DIR.parent
_PACKAGED = PACKAGE_DIR / "_data"


def repository_dir() -> Path | None:
    """The checkout this package runs from, or None for an installed wheel."""
    return REPOSITORY_DIR if (REPOSITORY_DIR / "ontology" / "src").is_dir() else None


def ontology_file(name: str = "b12kg.ttl") -> Path:
    """The released artifact `name` (b12kg.ttl or b12kg.owl)."""
    packaged = _PACKAGED / name
    if packaged.exists():
        return packaged
    return REPOSITORY_DIR / "ontology" / name


def queries_dir() -> Path:
    """The query library (`*.rq`, with `checks/`)."""
    packaged = _PACKAGED / "queries"
    if packaged.is_dir():
        return packaged
    return REPOSITORY_DIR / "queries"


def sources_dir() -> Path:
    """The curated sources; only a checkout has them."""
    return REPOSITORY_DIR / "ontology" / "src"
