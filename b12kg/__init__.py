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
from b12kg.version import __version__

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


def load(source=None, *, graph: str | None = None, timeout: float = 60.0):
    """Load the graph: None = the packaged b12kg.ttl; a path; or an http(s) SPARQL endpoint URL.

    >>> import b12kg
    >>> kg = b12kg.load()
    >>> [p.direction for p in kg.paths("Addison-Biermer disease")][0]
    'decreased'
    """
    from b12kg.knowledge import load as _load

    return _load(source, graph=graph, timeout=timeout)


def reason(owl_file=None):
    """Run HermiT on the packaged ontology (needs Java); see b12kg.owl.reasoner.ReasonerReport."""
    from b12kg.owl.reasoner import reason as _reason

    return _reason(owl_file)


def records(items):
    """Plain dicts from results, for `pandas.DataFrame(b12kg.records(kg.paths(...)))`."""
    from b12kg.cli.render import records as _records

    return _records(items)


def build(sources=None, output=None, *, check: bool = False):
    """Validate the curated sources and write ontology/b12kg.owl and .ttl (see b12kg.curation.builder)."""
    from b12kg.curation.builder import build as _build

    return _build(sources, output, check=check)


def validate(sources=None, *, owl: bool = True):
    """Check the curated sources and the ontology they build; writes nothing (see b12kg.curation.validation)."""
    from b12kg.curation.validation import validate as _validate

    return _validate(sources, owl=owl)
