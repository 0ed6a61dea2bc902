"""Formats and content negotiation: which serialisation an answer is sent in.

Its own module because the choice depends only on the query kind, the `Accept` header and
any `format=` parameter, and both the HTTP layer (which picks a format) and the workers
(which serialise in it) need the same tables.
"""

from __future__ import annotations

from b12kg.endpoint.guard import Refused

# key -> (media type sent, pyoxigraph format name)
RESULT_FORMATS = {
    "json": ("application/sparql-results+json", "JSON"),
    "xml": ("application/sparql-results+xml", "XML"),
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "tsv": ("text/tab-separated-values; charset=utf-8", "TSV"),
}
GRAPH_FORMATS = {
    "turtle": ("text/turtle; charset=utf-8", "TURTLE"),
    "ntriples": ("application/n-triples", "N_TRIPLES"),
    "jsonld": ("application/ld+json", "JSON_LD"),
    "rdfxml": ("application/rdf+xml", "RDF_XML"),
}
_RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",  # Turtle is a subset of N3
    "text/rdf+n3": "turtle",
    "application/n3": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
_FORMAT_NAMES = {
    "results": {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", **_RESULT_MEDIA},
    "graph": {
        "turtle": "turtle",
        "ttl": "turtle",
        "n3": "turtle",
        "nt": "ntriples",
        "ntriples": "ntriples",
        "n-triples": "ntriples",
        "jsonld": "jsonld",
        "json-ld": "jsonld",
        "json": "jsonld",
        "rdfxml": "rdfxml",
        "rdf+xml": "rdfxml",
        "rdf": "rdfxml",
        "xml": "rdfxml",
        **_GRAPH_MEDIA,
    },
}


def _accept_ranges(accept: str) -> list[str]:
    """Media ranges of an Accept header, best first (stable for equal q); q=0 dropped."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        fields = part.strip().split(";")
        media = fields[0].strip().lower()
        if not media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, media))
    return [media for _, _, media in sorted(ranked)]


#: When an Accept names only the other kind's formats, the answer comes in the nearest format
#: of the right kind instead of a 406: a client asking a CONSTRUCT for SPARQL JSON (rdflib's
#: SPARQLStore, YASGUI) can read JSON-LD, one asking for XML can read RDF/XML, and a SELECT
#: asked for Turtle or JSON-LD gets SPARQL JSON. The Content-Type says what was sent.
_CROSS = {
    "graph": {
        "application/sparql-results+json": "jsonld",
        "application/sparql-results+xml": "rdfxml",
        "text/csv": "turtle",
        "text/tab-separated-values": "turtle",
    },
    "results": {
        "text/turtle": "json",
        "application/turtle": "json",
        "application/x-turtle": "json",
        "text/n3": "json",
        "text/rdf+n3": "json",
        "application/n3": "json",
        "application/n-triples": "tsv",
        "application/ld+json": "json",
        "application/x-json+ld": "json",
        "application/rdf+xml": "xml",
        "text/plain": "tsv",
    },
}


def negotiate(kind: str, accept: str | None, format_values: list[str]) -> str:
    """The format key for `kind` ("results" or "graph"); Refused(406) if nothing fits.

    A `format=` parameter wins over Accept. Within Accept, a format of the query's own kind
    wins over any other (whatever their q); failing that, a SPARQL format of the other kind
    falls back to its nearest counterpart (`_CROSS`); only an Accept naming no SPARQL or RDF
    format at all is refused."""
    table = RESULT_FORMATS if kind == "results" else GRAPH_FORMATS
    if format_values:
        names = _FORMAT_NAMES[kind]
        for value in format_values:
            key = names.get(value.strip().lower()) or _CROSS[kind].get(value.strip().lower())
            if key:
                return key
        raise Refused(
            406,
            f"format={format_values[0]!r} is not available for this query; "
            f"use one of: {', '.join(table)}",
        )
    if not accept or not accept.strip():
        return next(iter(table))
    media_table = _RESULT_MEDIA if kind == "results" else _GRAPH_MEDIA
    ranges = _accept_ranges(accept)
    for media in ranges:
        if media in media_table:
            return media_table[media]
        if media == "*/*":
            return next(iter(table))
        if media.endswith("/*"):
            for key, (sent, _) in table.items():
                if sent.startswith(media[:-1]):
                    return key
    for media in ranges:
        if media in _CROSS[kind]:
            return _CROSS[kind][media]
    offered = ", ".join(sent.split(";")[0] for sent, _ in table.values())
    raise Refused(406, f"cannot answer in any format of Accept: {accept}; available: {offered}")
