"""Read the curated tables in ontology/src/ into typed records, or say precisely what is wrong.

Every problem names file, line and field, and all problems are collected before anything is
raised, so a curator fixes a whole batch in one pass. Nothing here writes a file: the build
only starts from a `Curation` that passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from b12kg.errors import CurationError, Problem
from b12kg.vocabulary import CAUSE_KINDS, CONDITION_KINDS, DRUG_KINDS, MECHANISM_KINDS

MULTI_SEPARATOR = "|"

KINDS: dict[str, str] = {
    # kind -> class local name in model.ttl
    "disease": "Disease",
    "infection": "Infection",
    "surgical_state": "SurgicalState",
    "physiological_state": "PhysiologicalState",
    "diet": "Diet",
    "behaviour": "Behaviour",
    "mechanism": "PathologicalMechanism",
    "physiological_mechanism": "PhysiologicalMechanism",
    "binding_protein_change": "BindingProteinChange",
    "exogenous_mechanism": "ExogenousMechanism",
    "assay_artefact": "AssayArtefact",
    "lab_finding": "LabFinding",
    "drug": "Drug",
    "drug_class": "Drug",
    "anatomy": "AnatomicalEntity",
    "organism": "Organism",
    "protein": "Protein",
    "caution": "ClinicalCaution",
}
FINDING_KINDS = frozenset({"lab_finding"})
ANY_KIND = frozenset(KINDS)


def kind_family(kind: str) -> str:
    """Kinds that may be each other's parents (a condition under a condition, …)."""
    if kind in CONDITION_KINDS:
        return "condition"
    if kind in MECHANISM_KINDS:
        return "mechanism"
    if kind in DRUG_KINDS:
        return "drug"
    return kind


@dataclass(frozen=True)
class RelationSpec:
    """What a relation name in links.tsv means and which kinds it may join."""

    name: str
    property: str  # local name in model.ttl
    subject_kinds: frozenset[str]
    object_kinds: frozenset[str]
    evidence_required: bool


RELATIONS: dict[str, RelationSpec] = {
    spec.name: spec
    for spec in (
        RelationSpec("has_mechanism", "hasMechanism", CAUSE_KINDS, MECHANISM_KINDS, True),
        RelationSpec("leads_to", "leadsTo", MECHANISM_KINDS, MECHANISM_KINDS | FINDING_KINDS, True),
        RelationSpec(
            "associated_with", "associatedWith", CAUSE_KINDS, MECHANISM_KINDS | FINDING_KINDS, True
        ),
        RelationSpec(
            "is_consequence_of", "isConsequenceOf", CONDITION_KINDS, MECHANISM_KINDS, True
        ),
        RelationSpec(
            "located_in",
            "locatedIn",
            CONDITION_KINDS | MECHANISM_KINDS,
            frozenset({"anatomy"}),
            False,
        ),
        RelationSpec(
            "has_causal_agent", "hasCausalAgent", CONDITION_KINDS, frozenset({"organism"}), False
        ),
        RelationSpec("involves", "involves", MECHANISM_KINDS, frozenset({"protein"}), False),
        RelationSpec("applies_to", "appliesTo", frozenset({"caution"}), ANY_KIND, False),
        RelationSpec("lacks_mechanism", "lacksMechanism", CAUSE_KINDS, MECHANISM_KINDS, True),
    )
}

#: Evidence tiers. A causal link is *supported* when its strength is established or probable
#: AND at least one source is not a seed; *disputed* when its strength is disputed; otherwise
#: (limited, or only seeds cited) it is *reported*. Only supported links make a cause.
TIERS = ("supported", "reported", "disputed")
SUPPORTING_STRENGTHS = frozenset({"established", "probable"})
#: (relation, tier) -> the OWL property the builder emits. Other relations keep one property.
TIERED_PROPERTIES = {
    ("has_mechanism", "supported"): "hasMechanism",
    ("has_mechanism", "reported"): "hasReportedMechanism",
    ("has_mechanism", "disputed"): "hasDisputedMechanism",
    ("leads_to", "supported"): "leadsTo",
    ("leads_to", "reported"): "reportedlyLeadsTo",
    ("leads_to", "disputed"): "disputedlyLeadsTo",
}

STRENGTHS = ("established", "probable", "limited", "disputed")
DIRECTIONS = ("decreased", "increased", "normal", "positive")
CONFIDENCES = ("exact", "close", "broad")
#: `web_page`: a secondary page (a laboratory's test information, a summary of an algorithm),
#: cited only for figures and always shown as secondary; never the support of a causal claim
#: on its own.
REFERENCE_KINDS = ("seed", "review", "guideline", "study", "textbook", "web_page")

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
REFERENCE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CURIE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]*:[A-Za-z0-9._-]+$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_PATTERN = re.compile(r"^\d{1,9}$")


@dataclass(frozen=True)
class EntityRecord:
    id: str
    kind: str
    label: str
    definition: str
    parents: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()  # exact synonyms
    analyte: str = ""
    direction: str = ""
    notes: str = ""
    line: int = 0
    #: (text, scope) of the non-exact synonyms, scope RELATED | BROAD | NARROW: a name that is
    #: exact for another entity ("macro-B12") is only related here (OBO: one class per exact synonym).
    scoped_synonyms: tuple[tuple[str, str], ...] = ()
    #: references.tsv ids of the documents the definition text was taken from (checked to state
    #: it); empty for a definition the curators wrote themselves. The sources of the entity's
    #: links are not definition sources: they were checked for the claim, not for the wording.
    definition_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkRecord:
    subject: str
    relation: str
    object: str
    sources: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    strength: str = ""
    notes: str = ""
    conditions: str = ""  # when the link holds (ileal involvement, dose, latency …), sourced
    line: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.subject, self.relation, self.object)

    def tier(self, references: dict[str, ReferenceRecord]) -> str:
        """supported | reported | disputed: the evidence rule (see TIERS)."""
        if self.strength == "disputed":
            return "disputed"
        independent = any(s in references and references[s].kind != "seed" for s in self.sources)
        if self.strength in SUPPORTING_STRENGTHS and independent:
            return "supported"
        return "reported"

    def property(self, references: dict[str, ReferenceRecord]) -> str:
        """The OWL property of this link: tiered for has_mechanism and leads_to."""
        tiered = TIERED_PROPERTIES.get((self.relation, self.tier(references)))
        return tiered or RELATIONS[self.relation].property


@dataclass(frozen=True)
class ReferenceRecord:
    id: str
    kind: str
    title: str
    citation: str = ""
    doi: str = ""
    pmid: str = ""
    seed_file: str = ""
    verified_in: str = ""
    line: int = 0


@dataclass(frozen=True)
class XrefRecord:
    entity: str
    curie: str
    target_label: str
    confidence: str
    source: str
    line: int = 0


@dataclass
class Curation:
    """Everything curated, validated and cross-checked; the build's only input besides model.ttl."""

    directory: Path
    entities: dict[str, EntityRecord] = field(default_factory=dict)
    links: list[LinkRecord] = field(default_factory=list)
    references: dict[str, ReferenceRecord] = field(default_factory=dict)
    xrefs: list[XrefRecord] = field(default_factory=list)
    seeds: dict[str, str] = field(default_factory=dict)

    @property
    def model_path(self) -> Path:
        return self.directory / "model.ttl"


# --- reading ----------------------------------------------------------------------------------


#: Longer than any definition or note a curator writes; guards against a pasted file.
MAX_FIELD_CHARS = 20_000
#: C0 controls but tab (the separator) and the line ends, DEL, and C1 controls: they break
#: RDF/XML (XML 1.0 forbids most) and are never meant.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _decoded_lines(path: Path, problems: list[Problem]) -> list[tuple[int, str]] | None:
    """The numbered lines of a UTF-8 file; a decoding error names the line and byte."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(Problem(path.name, 1, "(file)", "UTF-16 text; save it as UTF-8"))
        return None
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append((number, raw.decode("utf-8")))
        except UnicodeDecodeError as error:
            problems.append(
                Problem(
                    path.name,
                    number,
                    "(encoding)",
                    f"not UTF-8: byte {raw[error.start : error.start + 1]!r} at position "
                    f"{error.start + 1} (is the file Latin-1 or Windows-1252?)",
                )
            )
            return None
    if lines and lines[0][1].startswith("\ufeff"):
        lines[0] = (1, lines[0][1][1:])  # a UTF-8 byte-order mark is harmless
    return lines


def _rows(
    path: Path, columns: dict[str, bool], problems: list[Problem]
) -> Iterator[tuple[int, dict]]:
    """Yield (line number, row) for each data row; header problems stop the file early."""
    name = path.name
    if not path.exists():
        problems.append(Problem(name, None, "(file)", f"missing: {path}"))
        return
    lines = _decoded_lines(path, problems)
    if lines is None:
        return
    content = [(n, t) for n, t in lines if t.strip() and not t.lstrip().startswith("#")]
    if not content:
        problems.append(Problem(name, None, "(file)", "no header row"))
        return
    header_line, header_text = content[0]
    header = header_text.rstrip("\r\n").split("\t")  # TSV without quoting: a tab is a tab
    header = [h.strip() for h in header]
    missing = [c for c, required in columns.items() if required and c not in header]
    unknown = [h for h in header if h not in columns]
    for column in missing:
        problems.append(Problem(name, header_line, column, "required column missing from header"))
    for column in unknown:
        problems.append(
            Problem(name, header_line, column, f"unknown column; expected {', '.join(columns)}")
        )
    if missing:
        return
    for number, text in content[1:]:
        cells = text.rstrip("\r\n").split("\t")
        if len(cells) > len(header):
            problems.append(
                Problem(name, number, "(row)", f"{len(cells)} cells but {len(header)} columns")
            )
            continue
        cells += [""] * (len(header) - len(cells))
        bad = False
        for column, cell in zip(header, cells, strict=True):
            if len(cell) > MAX_FIELD_CHARS:
                problems.append(
                    Problem(
                        name,
                        number,
                        column,
                        f"{len(cell):,} characters; the limit is {MAX_FIELD_CHARS:,}",
                    )
                )
                bad = True
            elif control := CONTROL_CHARACTER.search(cell):
                problems.append(
                    Problem(
                        name,
                        number,
                        column,
                        f"control character U+{ord(control.group()):04X} at position {control.start() + 1}",
                    )
                )
                bad = True
        if bad:
            continue
        row = dict.fromkeys(columns, "")
        row.update({h: c.strip() for h, c in zip(header, cells, strict=True)})
        yield number, row


def _multi(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(MULTI_SEPARATOR) if part.strip())


#: `IF antibodies [RELATED]` in a synonyms cell: the synonym's OBO scope (default EXACT).
SYNONYM_SCOPES = ("RELATED", "BROAD", "NARROW")
SCOPE_PATTERN = re.compile(r"^(?P<text>.*?)\s*\[(?P<scope>[A-Za-z]+)\]$")


def _synonyms(
    value: str, file: str, line: int, problems: list[Problem]
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(exact synonyms, (text, scope) of the others) of a synonyms cell."""
    exact: list[str] = []
    scoped: list[tuple[str, str]] = []
    for part in _multi(value):
        match = SCOPE_PATTERN.match(part)
        if not match:
            exact.append(part)
        elif match["scope"] in SYNONYM_SCOPES and match["text"]:
            scoped.append((match["text"], match["scope"]))
        else:
            allowed = ", ".join(SYNONYM_SCOPES)
            problems.append(Problem(file, line, "synonyms", f"'{part}': scope is one of {allowed}"))
    return tuple(exact), tuple(scoped)


def _require(
    row: dict, fields: tuple[str, ...], file: str, line: int, problems: list[Problem]
) -> bool:
    ok = True
    for name in fields:
        if not row.get(name):
            problems.append(Problem(file, line, name, "required value is empty"))
            ok = False
    return ok


def _choice(
    value: str,
    allowed: tuple[str, ...] | frozenset[str],
    file: str,
    line: int,
    field_name: str,
    problems: list[Problem],
) -> bool:
    if value not in allowed:
        problems.append(
            Problem(
                file, line, field_name, f"'{value}' is not one of: {', '.join(sorted(allowed))}"
            )
        )
        return False
    return True


ENTITY_COLUMNS = {
    "id": True,
    "kind": True,
    "label": True,
    "definition": True,
    "parents": False,
    "synonyms": False,
    "analyte": False,
    "direction": False,
    "notes": False,
    "definition_source": False,
}
LINK_COLUMNS = {
    "subject": True,
    "relation": True,
    "object": True,
    "sources": False,
    "quote": False,
    "strength": False,
    "notes": False,
    "conditions": False,
}
REFERENCE_COLUMNS = {
    "id": True,
    "kind": True,
    "title": True,
    "citation": False,
    "doi": False,
    "pmid": False,
    "seed_file": False,
    "verified_in": False,
}
XREF_COLUMNS = {
    "entity": True,
    "curie": True,
    "target_label": True,
    "confidence": True,
    "source": True,
}


def _read_entities(path: Path, problems: list[Problem]) -> dict[str, EntityRecord]:
    entities: dict[str, EntityRecord] = {}
    name = path.name
    for line, row in _rows(path, ENTITY_COLUMNS, problems):
        if not _require(row, ("id", "kind", "label", "definition"), name, line, problems):
            continue
        if not ID_PATTERN.match(row["id"]):
            problems.append(Problem(name, line, "id", f"'{row['id']}' is not snake_case ASCII"))
            continue
        if row["id"] in entities:
            first = entities[row["id"]].line
            problems.append(
                Problem(name, line, "id", f"'{row['id']}' already defined at line {first}")
            )
            continue
        if not _choice(row["kind"], tuple(KINDS), name, line, "kind", problems):
            continue
        if row["kind"] == "lab_finding":
            if _require(row, ("analyte", "direction"), name, line, problems):
                _choice(row["direction"], DIRECTIONS, name, line, "direction", problems)
        else:
            for column in ("analyte", "direction"):
                if row[column]:
                    problems.append(Problem(name, line, column, "only lab findings have this"))
        synonyms, scoped_synonyms = _synonyms(row["synonyms"], name, line, problems)
        entities[row["id"]] = EntityRecord(
            id=row["id"],
            kind=row["kind"],
            label=row["label"],
            definition=row["definition"],
            parents=_multi(row["parents"]),
            synonyms=synonyms,
            analyte=row["analyte"],
            direction=row["direction"],
            notes=row["notes"],
            line=line,
            scoped_synonyms=scoped_synonyms,
            definition_sources=_multi(row["definition_source"]),
        )
    return entities


def _read_links(path: Path, problems: list[Problem]) -> list[LinkRecord]:
    links: list[LinkRecord] = []
    seen: dict[tuple[str, str, str], int] = {}
    name = path.name
    for line, row in _rows(path, LINK_COLUMNS, problems):
        if not _require(row, ("subject", "relation", "object"), name, line, problems):
            continue
        if not _choice(row["relation"], tuple(RELATIONS), name, line, "relation", problems):
            continue
        if RELATIONS[row["relation"]].evidence_required:
            _require(row, ("sources", "strength"), name, line, problems)
        if row["strength"]:
            _choice(row["strength"], STRENGTHS, name, line, "strength", problems)
        link = LinkRecord(
            subject=row["subject"],
            relation=row["relation"],
            object=row["object"],
            sources=_multi(row["sources"]),
            quotes=_multi(row["quote"]),
            strength=row["strength"],
            notes=row["notes"],
            conditions=row["conditions"],
            line=line,
        )
        if link.key in seen:
            problems.append(Problem(name, line, "(row)", f"same link as line {seen[link.key]}"))
            continue
        seen[link.key] = line
        links.append(link)
    return links


def _read_references(path: Path, problems: list[Problem]) -> dict[str, ReferenceRecord]:
    references: dict[str, ReferenceRecord] = {}
    name = path.name
    for line, row in _rows(path, REFERENCE_COLUMNS, problems):
        if not _require(row, ("id", "kind", "title"), name, line, problems):
            continue
        if not REFERENCE_ID_PATTERN.match(row["id"]):
            problems.append(Problem(name, line, "id", f"'{row['id']}' is not kebab-case"))
            continue
        if row["id"] in references:
            problems.append(Problem(name, line, "id", f"'{row['id']}' defined twice"))
            continue
        _choice(row["kind"], REFERENCE_KINDS, name, line, "kind", problems)
        if row["doi"] and not DOI_PATTERN.match(row["doi"]):
            problems.append(
                Problem(name, line, "doi", f"'{row['doi']}' is not a bare DOI (10.…/…)")
            )
        if row["pmid"] and not PMID_PATTERN.match(row["pmid"]):
            problems.append(Problem(name, line, "pmid", f"'{row['pmid']}' is not a PubMed id"))
        if (row["doi"] or row["pmid"]) and not row["verified_in"]:
            problems.append(
                Problem(name, line, "verified_in", "a DOI or PMID needs the place it was verified")
            )
        if row["kind"] == "seed" and not row["seed_file"]:
            problems.append(Problem(name, line, "seed_file", "a seed needs its file name"))
        references[row["id"]] = ReferenceRecord(
            id=row["id"],
            kind=row["kind"],
            title=row["title"],
            citation=row["citation"],
            doi=row["doi"],
            pmid=row["pmid"],
            seed_file=row["seed_file"],
            verified_in=row["verified_in"],
            line=line,
        )
    return references


def _read_xrefs(path: Path, problems: list[Problem]) -> list[XrefRecord]:
    xrefs: list[XrefRecord] = []
    seen: set[tuple[str, str]] = set()
    name = path.name
    for line, row in _rows(path, XREF_COLUMNS, problems):
        if not _require(row, tuple(XREF_COLUMNS), name, line, problems):
            continue
        if not CURIE_PATTERN.match(row["curie"]):
            problems.append(Problem(name, line, "curie", f"'{row['curie']}' is not a CURIE"))
            continue
        _choice(row["confidence"], CONFIDENCES, name, line, "confidence", problems)
        if (row["entity"], row["curie"]) in seen:
            problems.append(
                Problem(name, line, "curie", f"{row['curie']} listed twice for {row['entity']}")
            )
            continue
        seen.add((row["entity"], row["curie"]))
        xrefs.append(
            XrefRecord(
                row["entity"],
                row["curie"],
                row["target_label"],
                row["confidence"],
                row["source"],
                line,
            )
        )
    return xrefs


# --- cross-checks -----------------------------------------------------------------------------


def fold_whitespace(text: str) -> str:
    """Seed quotes are compared with runs of white space folded to one space."""
    return " ".join(text.split())


def _cross_check(curation: Curation, problems: list[Problem]) -> None:
    entities, references = curation.entities, curation.references
    for entity in entities.values():
        for source in entity.definition_sources:
            if source not in references:
                problems.append(
                    Problem(
                        "entities.tsv",
                        entity.line,
                        "definition_source",
                        f"unknown reference '{source}'",
                    )
                )
        for parent in entity.parents:
            if parent not in entities:
                problems.append(
                    Problem("entities.tsv", entity.line, "parents", f"unknown id '{parent}'")
                )
            elif kind_family(entities[parent].kind) != kind_family(entity.kind):
                problems.append(
                    Problem(
                        "entities.tsv",
                        entity.line,
                        "parents",
                        f"'{parent}' is a {entities[parent].kind}, not a {kind_family(entity.kind)}",
                    )
                )
    for link in curation.links:
        spec = RELATIONS[link.relation]
        for end, kinds in (("subject", spec.subject_kinds), ("object", spec.object_kinds)):
            local = getattr(link, end)
            if local not in entities:
                problems.append(
                    Problem("links.tsv", link.line, end, f"unknown entity id '{local}'")
                )
            elif entities[local].kind not in kinds:
                problems.append(
                    Problem(
                        "links.tsv",
                        link.line,
                        end,
                        f"'{local}' is a {entities[local].kind}; {link.relation} needs "
                        f"{' or '.join(sorted(kinds))}",
                    )
                )
        seeds_cited = []
        for source in link.sources:
            if source not in references:
                problems.append(
                    Problem("links.tsv", link.line, "sources", f"unknown reference '{source}'")
                )
            elif references[source].kind == "seed":
                seeds_cited.append(references[source])
        known = [references[s] for s in link.sources if s in references]
        if known and all(r.kind == "web_page" for r in known):
            problems.append(
                Problem(
                    "links.tsv",
                    link.line,
                    "sources",
                    "a web page alone cannot support a link; cite a publication or a seed",
                )
            )
        if seeds_cited and not link.quotes:
            problems.append(
                Problem("links.tsv", link.line, "quote", "a seed is cited but no quote given")
            )
        seed_texts = [fold_whitespace(curation.seeds.get(s.seed_file, "")) for s in seeds_cited]
        for quote in link.quotes:
            if not seeds_cited:
                problems.append(
                    Problem(
                        "links.tsv", link.line, "quote", "a quote needs a seed among the sources"
                    )
                )
                break
            if not any(fold_whitespace(quote) in text for text in seed_texts):
                problems.append(
                    Problem(
                        "links.tsv",
                        link.line,
                        "quote",
                        f"not found verbatim in {', '.join(s.id for s in seeds_cited)}: '{quote[:60]}'",
                    )
                )
    _check_contrary_links(curation, problems)
    for reference in references.values():
        if (
            reference.kind == "seed"
            and reference.seed_file
            and reference.seed_file not in curation.seeds
        ):
            problems.append(
                Problem(
                    "references.tsv",
                    reference.line,
                    "seed_file",
                    f"no file seeds/{reference.seed_file}",
                )
            )
    for xref in curation.xrefs:
        if xref.entity not in entities:
            problems.append(
                Problem("xrefs.tsv", xref.line, "entity", f"unknown entity id '{xref.entity}'")
            )


def read_curation(directory: Path | str) -> Curation:
    """Read and validate every curated table in `directory`; raise CurationError listing all problems."""
    directory = Path(directory)
    problems: list[Problem] = []
    seeds_dir = directory / "seeds"
    seeds: dict[str, str] = {}
    for seed in sorted(seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else ():
        try:
            seeds[seed.name] = seed.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            problems.append(
                Problem(f"seeds/{seed.name}", None, "(encoding)", f"not UTF-8: {error.reason}")
            )
    curation = Curation(
        directory=directory,
        entities=_read_entities(directory / "entities.tsv", problems),
        links=_read_links(directory / "links.tsv", problems),
        references=_read_references(directory / "references.tsv", problems),
        xrefs=_read_xrefs(directory / "xrefs.tsv", problems),
        seeds=seeds,
    )
    if not curation.model_path.exists():
        problems.append(Problem("model.ttl", None, "(file)", f"missing: {curation.model_path}"))
    _cross_check(curation, problems)
    _check_coverage(curation, problems)
    _check_is_a_cycles(curation.entities, problems)
    if problems:
        raise CurationError(problems)
    return curation


COVERAGE_FILE = "coverage.tsv"
COVERAGE_COLUMNS = {
    "review": True,
    "category": True,
    "cause": True,
    "entity": False,
    "decision": True,
    "reason": False,
}
#: What a review lists causes of (coverage.tsv `category`).
COVERAGE_CATEGORIES = (
    "low_serum_b12",
    "high_serum_b12",
    "functional_deficiency_normal_serum_b12",
    "misleading_result",
)
#: covered: the graph had it; added: added for this review; left_out: not modelled, reason given.
COVERAGE_DECISIONS = ("covered", "added", "left_out")


def _check_coverage(curation: Curation, problems: list[Problem]) -> None:
    """coverage.tsv (optional): each cause a review lists, and what the graph did with it.

    Its rows are claims about the graph ("covered by X"), so a row naming an unknown review or
    entity, or a decision the table does not define, would report coverage that is not there.
    """
    path = curation.directory / COVERAGE_FILE
    if not path.is_file():
        return
    name = path.name
    for line, row in _rows(path, COVERAGE_COLUMNS, problems):
        if not _require(row, ("review", "category", "cause", "decision"), name, line, problems):
            continue
        if row["review"] not in curation.references:
            problems.append(Problem(name, line, "review", f"unknown reference '{row['review']}'"))
        _choice(row["category"], COVERAGE_CATEGORIES, name, line, "category", problems)
        if not _choice(row["decision"], COVERAGE_DECISIONS, name, line, "decision", problems):
            continue
        if row["decision"] == "left_out":
            _require(row, ("reason",), name, line, problems)
            if row["entity"]:
                problems.append(Problem(name, line, "entity", "a cause left out names no entity"))
        elif (
            _require(row, ("entity",), name, line, problems)
            and row["entity"] not in curation.entities
        ):
            problems.append(Problem(name, line, "entity", f"unknown entity id '{row['entity']}'"))


def _check_is_a_cycles(entities: dict[str, EntityRecord], problems: list[Problem]) -> None:
    """An entity that is its own ancestor makes every is-a walk meaningless; name the cycle."""
    reported: set[frozenset[str]] = set()
    for entity_id, entity in entities.items():
        stack = [(parent, (entity_id, parent)) for parent in entity.parents]
        seen: set[str] = set()
        while stack:
            node, route = stack.pop()
            if node == entity_id:
                cycle = frozenset(route)
                if cycle not in reported:
                    reported.add(cycle)
                    problems.append(
                        Problem(
                            "entities.tsv",
                            entity.line,
                            "parents",
                            "is-a cycle: " + " → ".join(route),
                        )
                    )
                break
            if node in seen or node not in entities:
                continue
            seen.add(node)
            stack.extend((parent, (*route, parent)) for parent in entities[node].parents)


def ancestors(entities: dict[str, EntityRecord], entity_id: str) -> set[str]:
    """Every is-a ancestor of `entity_id` (not itself)."""
    seen: set[str] = set()
    frontier = list(entities[entity_id].parents) if entity_id in entities else []
    while frontier:
        parent = frontier.pop()
        if parent not in seen and parent in entities:
            seen.add(parent)
            frontier.extend(entities[parent].parents)
    return seen


#: A member's own note that says it does not lower serum B12 contradicts an inherited claim.
CONTRARY_NOTE = re.compile(
    r"without lowering serum b12|does not lower serum b12|not due to b12 deficiency", re.I
)


def _check_contrary_links(curation: Curation, problems: list[Problem]) -> None:
    """lacks_mechanism must block something an ancestor claims, and not contradict the member's
    own claim; a member whose own note denies a low B12 must block what it would inherit."""
    entities = curation.entities
    claims: dict[str, set[str]] = {}
    for link in curation.links:  # what a member can inherit: mechanisms and associations
        if link.relation in ("has_mechanism", "associated_with"):
            claims.setdefault(link.subject, set()).add(link.object)
    blocked: dict[str, set[str]] = {}
    for link in curation.links:
        if link.relation != "lacks_mechanism" or link.subject not in entities:
            continue
        blocked.setdefault(link.subject, set()).add(link.object)
        if link.object in claims.get(link.subject, set()):
            problems.append(
                Problem(
                    "links.tsv",
                    link.line,
                    "object",
                    f"'{link.subject}' both has and lacks mechanism '{link.object}'",
                )
            )
        if not any(link.object in claims.get(a, set()) for a in ancestors(entities, link.subject)):
            problems.append(
                Problem(
                    "links.tsv",
                    link.line,
                    "object",
                    f"no ancestor of '{link.subject}' claims '{link.object}'; nothing to block",
                )
            )
    for link in curation.links:
        if link.subject not in entities or not CONTRARY_NOTE.search(link.notes):
            continue
        inherited = {
            m for a in ancestors(entities, link.subject) for m in claims.get(a, set())
        } - blocked.get(link.subject, set())
        if inherited:
            problems.append(
                Problem(
                    "links.tsv",
                    link.line,
                    "notes",
                    f"the note says '{link.subject}' does not lower B12, yet it inherits "
                    f"{', '.join(sorted(inherited))} from a class; add a lacks_mechanism row",
                )
            )
