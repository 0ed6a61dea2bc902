"""Where things live: the packaged ontology and query library, and the checkout a curator edits.

A wheel carries the artifacts under `b12kg/_data/` (see pyproject's force-include); a checkout
or an editable install finds them at the repository root. The curated sources exist only in a
checkout, and the curator's checkout is the one they stand in (the working directory or a
parent of it), never the folder the package happens to be installed in.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPOSITORY_DIR = PACKAGE_DIR.parent
_PACKAGED = PACKAGE_DIR / "_data"


def _is_checkout(folder: Path) -> bool:
    return (folder / "ontology" / "src" / "model.ttl").is_file()


def repository_dir() -> Path | None:
    """The b12kg checkout to curate: the working directory or the nearest parent that is one,
    else the checkout this package runs from (an editable install); None for neither."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if _is_checkout(folder):
            return folder
    return REPOSITORY_DIR if _is_checkout(REPOSITORY_DIR) else None


def _checkout() -> Path:
    from b12kg.errors import UsageError

    checkout = repository_dir()
    if checkout is None:
        raise UsageError(
            "no curated sources here (an installed package carries only the built ontology): "
            "run from a b12kg checkout, or pass --sources DIR (and --output DIR)"
        )
    return checkout


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
    """The curated sources of the checkout (`ontology/src`); UsageError outside one."""
    return _checkout() / "ontology" / "src"


def output_dir() -> Path:
    """Where `build` writes: the checkout's `ontology/`; UsageError outside one."""
    return _checkout() / "ontology"
