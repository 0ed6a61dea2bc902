"""`b12kg diff OLD NEW`: what changed between two releases, read from their `.ttl` files.

OLD and NEW are each a release `b12kg.ttl` or a folder holding one (a checkout's `ontology/`).
Compared: entities (b12 classes with a label; a deprecated one counts as removed) added,
removed, relabelled; curated links (the annotated edge triples, a tiered property such as
`hasReportedMechanism` read as its relation `hasMechanism`) added and removed, and their strength changed; cross-references
(`oboInOwl:hasDbXref`) added, removed, and their confidence changed. The materialised closure
(`contributesTo` …) and the defined groupings are derived, so they are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from b12kg.curation.tables import RELATIONS, TIERED_PROPERTIES
from b12kg.errors import UsageError
from b12kg.vocabulary import BASE

OIO = "http://www.geneontology.org/formats/oboInOwl#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: a tiered property → the relation's own property (hasReportedMechanism → hasMechanism).
BASE_PROPERTY = {
    tiered: RELATIONS[relation].property for (relation, _), tiered in TIERED_PROPERTIES.items()
}
CURATED_PROPERTIES = {spec.property for spec in RELATIONS.values()} | set(BASE_PROPERTY)


@dataclass
class Release:
    """What a diff compares in one release."""

    labels: dict[str, str] = field(default_factory=dict)  # entity → label
    links: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    xrefs: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, curie) → conf.
    version: str = ""


def _local(iri: str) -> str:
    return iri.removeprefix(BASE)


def _ttl(path: Path) -> Path:
    path = Path(path)
    if path.is_dir():
        path = path / "b12kg.ttl"
    if not path.is_file():
        raise UsageError(f"{path}: no such release file (give a b12kg.ttl or its folder)")
    return path


def read_release(path: Path | str) -> Release:
    import pyoxigraph as ox

    store = ox.Store()
    with _ttl(Path(path)).open("rb") as stream:
        store.load(stream, format=ox.RdfFormat.TURTLE)
    release = Release()
    query = f"""SELECT ?e ?l WHERE {{ ?e a <{OWL}Class> ; <{LABEL}> ?l .
        FILTER NOT EXISTS {{ ?e <{OWL}deprecated> true }}
        FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{BASE}")) }}"""
    for row in store.query(query):
        release.labels[_local(row["e"].value)] = row["l"].value
    query = f"""SELECT ?s ?p ?o ?strength WHERE {{
        ?a a <{OWL}Axiom> ; <{OWL}annotatedSource> ?s ; <{OWL}annotatedProperty> ?p ;
           <{OWL}annotatedTarget> ?o .
        ?s ?p ?o .
        OPTIONAL {{ ?a <{BASE}strength> ?strength }}
        FILTER(isIRI(?s) && isIRI(?o) && STRSTARTS(STR(?p), "{BASE}")) }}"""
    for row in store.query(query):
        stated = _local(row["p"].value)
        if stated not in CURATED_PROPERTIES:
            continue
        relation = BASE_PROPERTY.get(stated, stated)
        key = (_local(row["s"].value), relation, _local(row["o"].value))
        strength = row["strength"].value if row["strength"] is not None else ""
        release.links[key] = (strength, stated)
    query = f"""SELECT ?e ?x ?c WHERE {{ ?e <{OIO}hasDbXref> ?x .
        OPTIONAL {{ ?a <{OWL}annotatedSource> ?e ; <{OWL}annotatedProperty> <{OIO}hasDbXref> ;
                      <{OWL}annotatedTarget> ?x ; <{BASE}mappingConfidence> ?c }}
        FILTER(STRSTARTS(STR(?e), "{BASE}")) }}"""
    for row in store.query(query):
        confidence = row["c"].value if row["c"] is not None else ""
        release.xrefs[(_local(row["e"].value), row["x"].value)] = confidence
    query = f"SELECT ?v WHERE {{ ?o a <{OWL}Ontology> ; <{OWL}versionInfo> ?v }}"
    release.version = next((row["v"].value for row in store.query(query)), "")
    return release


@dataclass
class ReleaseDiff:
    old_version: str
    new_version: str
    entities_added: list[dict[str, str]] = field(default_factory=list)
    entities_removed: list[dict[str, str]] = field(default_factory=list)
    entities_relabelled: list[dict[str, str]] = field(default_factory=list)
    links_added: list[dict[str, str]] = field(default_factory=list)
    links_removed: list[dict[str, str]] = field(default_factory=list)
    strengths_changed: list[dict[str, str]] = field(default_factory=list)
    xrefs_added: list[dict[str, str]] = field(default_factory=list)
    xrefs_removed: list[dict[str, str]] = field(default_factory=list)
    xrefs_changed: list[dict[str, str]] = field(default_factory=list)

    SECTIONS = (
        "entities_added",
        "entities_removed",
        "entities_relabelled",
        "links_added",
        "links_removed",
        "strengths_changed",
        "xrefs_added",
        "xrefs_removed",
        "xrefs_changed",
    )

    def to_record(self) -> dict[str, object]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "counts": {s: len(getattr(self, s)) for s in self.SECTIONS},
            **{s: getattr(self, s) for s in self.SECTIONS},
        }

    @property
    def empty(self) -> bool:
        return not any(getattr(self, s) for s in self.SECTIONS)

    def to_markdown(self) -> str:
        lines = [f"Changes from {self.old_version or '?'} to {self.new_version or '?'}:", ""]
        for section in self.SECTIONS:
            rows = getattr(self, section)
            lines.append(f"### {section.replace('_', ' ')} ({len(rows)})")
            lines.append("")
            if rows:
                columns = list(rows[0])
                lines.append("| " + " | ".join(columns) + " |")
                lines.append("|" + "---|" * len(columns))
                for row in rows:
                    cells = (str(row[c]).replace("|", "\\|") for c in columns)
                    lines.append("| " + " | ".join(cells) + " |")
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def _link(key: tuple[str, str, str], value: tuple[str, str]) -> dict[str, str]:
    subject, relation, obj = key
    return {"subject": subject, "relation": relation, "object": obj, "strength": value[0]}


def diff(old: Path | str, new: Path | str) -> ReleaseDiff:
    a, b = read_release(old), read_release(new)
    result = ReleaseDiff(a.version, b.version)
    for entity in sorted(b.labels.keys() - a.labels.keys()):
        result.entities_added.append({"entity": entity, "label": b.labels[entity]})
    for entity in sorted(a.labels.keys() - b.labels.keys()):
        result.entities_removed.append({"entity": entity, "label": a.labels[entity]})
    for entity in sorted(a.labels.keys() & b.labels.keys()):
        if a.labels[entity] != b.labels[entity]:
            result.entities_relabelled.append(
                {"entity": entity, "old_label": a.labels[entity], "new_label": b.labels[entity]}
            )
    for key in sorted(b.links.keys() - a.links.keys()):
        result.links_added.append(_link(key, b.links[key]))
    for key in sorted(a.links.keys() - b.links.keys()):
        result.links_removed.append(_link(key, a.links[key]))
    for key in sorted(a.links.keys() & b.links.keys()):
        if a.links[key][0] != b.links[key][0]:
            subject, relation, obj = key
            result.strengths_changed.append(
                {
                    "subject": subject,
                    "relation": relation,
                    "object": obj,
                    "old_strength": a.links[key][0],
                    "new_strength": b.links[key][0],
                }
            )
    for entity, curie in sorted(b.xrefs.keys() - a.xrefs.keys()):
        confidence = b.xrefs[(entity, curie)]
        result.xrefs_added.append({"entity": entity, "xref": curie, "confidence": confidence})
    for entity, curie in sorted(a.xrefs.keys() - b.xrefs.keys()):
        confidence = a.xrefs[(entity, curie)]
        result.xrefs_removed.append({"entity": entity, "xref": curie, "confidence": confidence})
    for key in sorted(a.xrefs.keys() & b.xrefs.keys()):
        if a.xrefs[key] != b.xrefs[key]:
            result.xrefs_changed.append(
                {
                    "entity": key[0],
                    "xref": key[1],
                    "old_confidence": a.xrefs[key],
                    "new_confidence": b.xrefs[key],
                }
            )
    return result
