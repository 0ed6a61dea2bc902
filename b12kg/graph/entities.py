"""What the graph holds about one thing: a curated entity, or a cited source."""

from __future__ import annotations

from b12kg.frozen import frozen


@frozen
class Entity:
    """A curated entity. `id` is the local name (`pernicious_anemia`), `iri` the full IRI."""

    iri: str
    id: str
    label: str
    kind: str
    definition: str = ""
    analyte: str = ""
    direction: str = ""
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<Entity {self.id} {self.label!r} ({self.kind})>"

    def ref(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label}

    def to_record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "iri": self.iri,
            "definition": self.definition,
            "analyte": self.analyte or None,
            "direction": self.direction or None,
            "synonyms": list(self.synonyms),
            "xrefs": list(self.xrefs),
        }


@frozen
class Source:
    """A cited document: a seed or a publication (identifiers only where verified)."""

    iri: str
    id: str
    title: str
    citation: str = ""
    identifiers: tuple[str, ...] = ()
    seed_file: str = ""

    def __repr__(self) -> str:
        return f"<Source {self.id} {self.title[:60]!r}>"

    def to_record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "citation": self.citation or None,
            "identifiers": list(self.identifiers),
            "seed_file": self.seed_file or None,
        }
