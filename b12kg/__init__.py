"""b12kg: why is this patient's serum vitamin B12 low — or high?

The public API. Importing the package is cheap: the heavy parts (owlready2, SPARQLWrapper,
the HTTP server) load only when a call needs them.
"""

from __future__ import annotations

from b12kg.errors import (
    B12kgError,
    ComponentUnavailable,
    CurationError,
    EndpointError,
    OntologyInconsistent,
    Problem,
    QuerySyntaxError,
    ReasonerUnavailable,
    UnknownEntity,
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "B12kgError",
    "ComponentUnavailable",
    "CurationError",
    "EndpointError",
    "OntologyInconsistent",
    "Problem",
    "QuerySyntaxError",
    "ReasonerUnavailable",
    "UnknownEntity",
    "UsageError",
    "__version__",
    "build",
    "validate",
]


def build(sources=None, output=None, *, check: bool = False):
    """Validate the curated sources and write ontology/b12kg.owl and .ttl (see b12kg.build)."""
    from b12kg.build import build as _build
    from b12kg.resources import REPOSITORY_DIR, sources_dir

    return _build(sources or sources_dir(), output or REPOSITORY_DIR / "ontology", check=check)


def validate(sources=None, *, owl: bool = True):
    """Check the curated sources and the ontology they build; writes nothing (see b12kg.checks)."""
    from b12kg.checks import validate as _validate
    from b12kg.resources import sources_dir

    return _validate(sources or sources_dir(), owl=owl)
