"""`kgx/b12kg_nodes.tsv` and `kgx/b12kg_edges.tsv`: the graph as KGX TSV with Biolink terms.

So that a merge with the Monarch KG joins, a node is named by a standard CURIE where
xrefs.tsv has an EXACT mapping to a prefix Biolink lists for the node's category (the first in
Biolink's own `id_prefixes` order: MONDO before DOID and MESH for a disease, CHEBI before MESH
for a drug, HP for a finding); otherwise by its `b12:` CURIE. The `b12:` CURIE and the other
exact mappings are kept in `xref`, and every edge keeps the curated `b12:` subject, relation
and object as `original_subject` / `original_predicate` / `original_object`.

Categories (Biolink 4.4.6, the model the `biolink-model` wheel ships):
diseases and infections `Disease`; lab findings, surgical and physiological states
`PhenotypicFeature` (as Monarch files HP terms); diets and behaviours `BehavioralFeature`;
pathological mechanisms `PathologicalProcess`; physiological ones and binding-protein changes
`PhysiologicalProcess`; assay artefacts and exogenous intake `Phenomenon` (not a biological
process); drugs `Drug`, drug classes `ChemicalEntity`;
anatomy `AnatomicalEntity`; organisms `OrganismTaxon`; proteins `Protein`. Clinical cautions
are advice, not entities Biolink has a concrete category for (`InformationContentEntity` is
abstract), so they and their `applies_to` links stay in the OWL/Turtle only.

Predicates: `has_mechanism` (acts at least partly through) → `contributes_to`; `leads_to`
(a mechanism causes) → `causes`; `associated_with` → `associated_with` (never read as a cause);
`is_consequence_of` and `has_causal_agent` → `causes` in Biolink's canonical direction (the
mechanism or the organism is the subject); `located_in` → `disease_has_location` from a
disease, `occurs_in` from a process, `located_in` otherwise; `involves` (a mechanism disturbs or
acts on a protein) → `affects`; `lacks_mechanism` → `contributes_to` with `negated` true;
a curated parent → `subclass_of`.

Every edge is a `knowledge_assertion` by a `manual_agent` (hand curation);
`primary_knowledge_source` is `infores:b12kg` — ours, NOT registered in the Information
Resource Registry. `publications` lists the PMID: and doi: identifiers of the cited
references that have them (none is invented: seeds and web pages have none). The curated
strength and the evidence tier of the evidence rule are the edge attributes `b12kg_strength`
and `b12kg_evidence_tier`.
"""

from __future__ import annotations

from b12kg.curation.tables import RELATIONS, Curation, EntityRecord, LinkRecord
from b12kg.vocabulary import MECHANISM_KINDS

KGX_DIR = "kgx"
NODES_FILE = f"{KGX_DIR}/b12kg_nodes.tsv"
EDGES_FILE = f"{KGX_DIR}/b12kg_edges.tsv"
INFORES = "infores:b12kg"

#: kind → Biolink category.
CATEGORY = {
    "disease": "biolink:Disease",
    "infection": "biolink:Disease",
    "surgical_state": "biolink:PhenotypicFeature",
    "physiological_state": "biolink:PhenotypicFeature",
    "lab_finding": "biolink:PhenotypicFeature",
    "diet": "biolink:BehavioralFeature",
    "behaviour": "biolink:BehavioralFeature",
    "mechanism": "biolink:PathologicalProcess",
    "physiological_mechanism": "biolink:PhysiologicalProcess",
    "binding_protein_change": "biolink:PhysiologicalProcess",
    "exogenous_mechanism": "biolink:Phenomenon",
    "assay_artefact": "biolink:Phenomenon",
    "drug": "biolink:Drug",
    "drug_class": "biolink:ChemicalEntity",
    "anatomy": "biolink:AnatomicalEntity",
    "organism": "biolink:OrganismTaxon",
    "protein": "biolink:Protein",
}
#: For each category, the prefixes of our exact xrefs that may name a node, in the order of the
#: category's Biolink `id_prefixes` (tests/test_exports.py checks it against the model).
ID_PREFIXES = {
    "biolink:Disease": ("MONDO", "DOID", "MESH", "NCIT", "ICD10", "HP"),
    "biolink:PhenotypicFeature": ("HP", "NCIT", "MESH"),
    "biolink:Drug": ("CHEBI", "MESH"),
    "biolink:ChemicalEntity": ("CHEBI", "MESH"),
    "biolink:AnatomicalEntity": ("UBERON", "GO", "CL", "MESH", "NCIT"),
    "biolink:OrganismTaxon": ("MESH",),
    "biolink:Protein": ("UniProtKB", "PR", "NCIT", "MESH"),
}
NODE_COLUMNS = ("id", "category", "name", "description", "synonym", "xref", "provided_by")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "category",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "negated",
    "original_subject",
    "original_predicate",
    "original_object",
    "b12kg_strength",
    "b12kg_evidence_tier",
)
#: relations whose Biolink predicate runs the other way (object is the Biolink subject).
INVERTED = {"is_consequence_of", "has_causal_agent"}
PREDICATE = {
    "has_mechanism": "biolink:contributes_to",
    "lacks_mechanism": "biolink:contributes_to",
    "leads_to": "biolink:causes",
    "associated_with": "biolink:associated_with",
    "is_consequence_of": "biolink:causes",
    "has_causal_agent": "biolink:causes",
    "involves": "biolink:affects",
}


def _cell(value: str) -> str:
    text = " ".join(value.split())  # no tab or newline may reach a TSV cell
    return text.replace("|", "/")  # `|` separates the values of a list cell


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "|".join(_cell(v) for v in values)


def node_ids(curation: Curation) -> dict[str, str]:
    """Our entity id → the CURIE its KGX node is named by (see the module docstring)."""
    exact: dict[str, dict[str, str]] = {}
    owners: dict[str, int] = {}
    for x in curation.xrefs:
        if x.confidence == "exact":
            exact.setdefault(x.entity, {})[x.curie.partition(":")[0]] = x.curie
            owners[x.curie] = owners.get(x.curie, 0) + 1
    ids: dict[str, str] = {}
    for entity in curation.entities.values():
        if entity.kind not in CATEGORY:
            continue
        mine = exact.get(entity.id, {})
        preferred = ID_PREFIXES.get(CATEGORY[entity.kind], ())
        chosen = next(
            (mine[p] for p in preferred if p in mine and owners[mine[p]] == 1),
            f"b12:{entity.id}",
        )
        ids[entity.id] = chosen
    return ids


def _publications(curation: Curation, link: LinkRecord) -> list[str]:
    found: set[str] = set()
    for source in link.sources:
        reference = curation.references.get(source)
        if reference is None:
            continue
        if reference.pmid:
            found.add(f"PMID:{reference.pmid}")
        if reference.doi:
            found.add(f"doi:{reference.doi}")
    return sorted(found)


def _predicate(link: LinkRecord, subject: EntityRecord) -> str:
    if link.relation == "located_in":
        if subject.kind in MECHANISM_KINDS:
            return "biolink:occurs_in"
        if CATEGORY[subject.kind] == "biolink:Disease":
            return "biolink:disease_has_location"
        return "biolink:located_in"
    return PREDICATE[link.relation]


def _node_rows(curation: Curation, ids: dict[str, str]) -> list[tuple[str, ...]]:
    exact: dict[str, list[str]] = {}
    for x in curation.xrefs:
        if x.confidence == "exact":
            exact.setdefault(x.entity, []).append(x.curie)
    rows = []
    for entity_id, curie in ids.items():
        entity = curation.entities[entity_id]
        xrefs = sorted({f"b12:{entity_id}", *exact.get(entity_id, ())} - {curie})
        rows.append(
            (
                curie,
                CATEGORY[entity.kind],
                _cell(entity.label),
                _cell(entity.definition),
                # Biolink's synonym slot has no scope: every name, as before scopes were curated
                _list([*entity.synonyms, *(t for t, _ in entity.scoped_synonyms)]),
                _list(xrefs),
                INFORES,
            )
        )
    return sorted(rows)


def _edge(
    ids: dict[str, str],
    subject: str,
    predicate: str,
    obj: str,
    relation: str,
    *,
    publications: tuple[str, ...] | list[str] = (),
    negated: bool = False,
    strength: str = "",
    tier: str = "",
    inverted: bool = False,
) -> tuple[str, ...]:
    b12_property = "subClassOf" if relation == "is_a" else RELATIONS[relation].property
    original = (f"b12:{subject}", f"b12:{b12_property}", f"b12:{obj}")
    if relation == "is_a":
        original = (f"b12:{subject}", "rdfs:subClassOf", f"b12:{obj}")
    source, target = (obj, subject) if inverted else (subject, obj)
    return (
        f"b12:edge/{subject}/{relation}/{obj}",
        ids[source],
        predicate,
        ids[target],
        "biolink:Association",
        "knowledge_assertion",
        "manual_agent",
        INFORES,
        _list(publications),
        "True" if negated else "",
        *original,
        strength,
        tier,
    )


def _edge_rows(curation: Curation, ids: dict[str, str]) -> list[tuple[str, ...]]:
    rows = []
    for entity in curation.entities.values():
        if entity.id not in ids:
            continue
        for parent in entity.parents:
            if parent in ids:
                rows.append(_edge(ids, entity.id, "biolink:subclass_of", parent, "is_a"))
    for link in curation.links:
        if link.subject not in ids or link.object not in ids:
            continue  # a caution's applies_to (see the module docstring)
        evidence = RELATIONS[link.relation].evidence_required
        rows.append(
            _edge(
                ids,
                link.subject,
                _predicate(link, curation.entities[link.subject]),
                link.object,
                link.relation,
                publications=_publications(curation, link),
                negated=link.relation == "lacks_mechanism",
                strength=link.strength,
                tier=link.tier(curation.references) if evidence else "",
                inverted=link.relation in INVERTED,
            )
        )
    return sorted(rows)


def _tsv(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    lines = ["\t".join(columns), *("\t".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_kgx(curation: Curation) -> dict[str, bytes]:
    """The two KGX TSV files, by their path under `ontology/`."""
    ids = node_ids(curation)
    return {
        NODES_FILE: _tsv(NODE_COLUMNS, _node_rows(curation, ids)),
        EDGES_FILE: _tsv(EDGE_COLUMNS, _edge_rows(curation, ids)),
    }
