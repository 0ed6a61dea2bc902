"""Where things live: the packaged ontology and query library, and the checkout a curator edits.

A wheel carries the artifacts under `b12kg/_data/` (see pyproject's force-include); a checkout
or an editable install finds them at the repository root. The curated sources exist only in a
checkout, and the curator's checkout is the one they stand in (the working directory or a
parent of it), never the folder the package happens to be installed in.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing's own flag, without importing typing on the trace path
if TYPE_CHECKING:
    from pathlib import Path

#: As plain strings: the trace path never imports pathlib (which pulls in urllib.parse).
_PACKAGE = os.path.dirname(os.path.realpath(__file__))
_PACKAGED_DATA = os.path.join(_PACKAGE, "_data")


def __getattr__(name: str) -> object:
    """`PACKAGE_DIR` and `REPOSITORY_DIR` as Paths, made on first use (PEP 562)."""
    if name not in ("PACKAGE_DIR", "REPOSITORY_DIR"):  # e.g. the import system's `__path__`
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from pathlib import Path

    return Path(_PACKAGE) if name == "PACKAGE_DIR" else Path(_PACKAGE).parent


def ontology_path(name: str = "b12kg.ttl") -> str:
    """`ontology_file(name)` as a string, for the start-up path."""
    packaged = os.path.join(_PACKAGED_DATA, name)
    if os.path.exists(packaged):
        return packaged
    return os.path.join(os.path.dirname(_PACKAGE), "ontology", name)


def _is_checkout(folder: Path) -> bool:
    return (folder / "ontology" / "src" / "model.ttl").is_file()


def repository_dir() -> Path | None:
    """The b12kg checkout to curate: the working directory or the nearest parent that is one,
    else the checkout this package runs from (an editable install); None for neither."""
    from pathlib import Path

    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if _is_checkout(folder):
            return folder
    repository = Path(_PACKAGE).parent
    return repository if _is_checkout(repository) else None


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
    """The released artifact `name` (b12kg.ttl, b12kg.owl, b12kg.index.json …)."""
    from pathlib import Path

    return Path(ontology_path(name))


def queries_dir() -> Path:
    """The query library (`*.rq`, with `checks/`)."""
    from pathlib import Path

    packaged = Path(_PACKAGED_DATA) / "queries"
    if packaged.is_dir():
        return packaged
    return Path(_PACKAGE).parent / "queries"


def sources_dir() -> Path:
    """The curated sources of the checkout (`ontology/src`); UsageError outside one."""
    return _checkout() / "ontology" / "src"


def output_dir() -> Path:
    """Where `build` writes: the checkout's `ontology/`; UsageError outside one."""
    return _checkout() / "ontology"
