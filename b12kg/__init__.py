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
    "load",
    "reason",
    "records",
    "validate",
]


def load(source=None, *, graph: str | None = None):
    """Load the graph: None = the packaged b12kg.ttl; a path; or an http(s) SPARQL endpoint URL.

    >>> import b12kg
    >>> kg = b12kg.load()
    >>> [p.direction for p in kg.paths("Addison-Biermer disease")][0]
    'decreased'
    """
    from b12kg.graph import load as _load

    return _load(source, graph=graph)


def reason(owl_file=None):
    """Run HermiT on the packaged ontology (needs Java); see b12kg.reason.ReasonerReport."""
    from b12kg.reasoner import reason as _reason

    return _reason(owl_file)


def records(items):
    """Plain dicts from results, for `pandas.DataFrame(b12kg.records(kg.paths(...)))`."""
    from b12kg.render import records as _records

    return _records(items)


def build(sources=None, output=None, *, check: bool = False):
    """Validate the curated sources and write ontology/b12kg.owl and .ttl (see b12kg.build)."""
    from b12kg.builder import build as _build
    from b12kg.resources import REPOSITORY_DIR

    return _build(
        sources or _checkout_sources(), output or REPOSITORY_DIR / "ontology", check=check
    )


def _checkout_sources():
    """The curated sources of this checkout; an installed wheel carries none."""
    from b12kg.resources import repository_dir, sources_dir

    if repository_dir() is None:
        raise UsageError(
            "no curated sources here (an installed package carries only the "
            "built ontology): run from a b12kg checkout or pass --sources DIR"
        )
    return sources_dir()


def validate(sources=None, *, owl: bool = True):
    """Check the curated sources and the ontology they build; writes nothing (see b12kg.checks)."""
    from b12kg.checks import validate as _validate

    return _validate(sources or _checkout_sources(), owl=owl)
