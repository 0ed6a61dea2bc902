"""The release number and date: read by the package, the CLI, the build and the build backend
(one place). The date names the ontology's version IRI
(https://w3id.org/b12kg/releases/<date>/b12kg.owl), its owl:versionInfo and dcterms:modified;
it changes when a release is cut, never with the clock, so a rebuild is byte-identical."""

__version__ = "0.1.0"
RELEASE_DATE = "2026-12-01"
