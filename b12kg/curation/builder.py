"""Turn the curated sources into the two release artifacts.

`b12kg.owl` (RDF/XML) holds the OWL 2 DL axioms only: what Protégé and HermiT read.
`b12kg.ttl` holds the same axioms plus plain edge triples (`X b12:hasMechanism M`), each a
shorthand for the axiom `X SubClassOf (hasMechanism some M)`, and the precomputed closure
(`X b12:contributesTo F`) that HermiT would infer from the property chain. SPARQL users and
`b12kg.load()` read the .ttl and never have to decode an OWL restriction.

Both files are written deterministically (blank nodes get ids derived from their content)
and atomically (temporary file, then `os.replace`), and only after every check passed.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from b12kg.curation.exports.rdfxml import to_rdfxml
from b12kg.curation.exports.release import release_files
from b12kg.curation.exports.turtle import to_turtle
from b12kg.curation.obsoletes import ObsoleteRecord, obsolete_problems, read_obsoletes
from b12kg.curation.publish import publish, recover
from b12kg.curation.qc import graph_problems
from b12kg.curation.tables import (
    CAUSE_KINDS,
    KINDS,
    TIERED_PROPERTIES,
    TIERS,
    Curation,
    LinkRecord,
    ReferenceRecord,
    ancestors,
    read_curation,
)
from b12kg.errors import CurationError, Problem
from b12kg.resources import output_dir, sources_dir
from b12kg.version import RELEASE_DATE
from b12kg.vocabulary import (
    B12,
    BASE,
    DEFINITION,
    OBOINOWL,
    PREFIXES,
    entity_iri,
    source_iri,
)

OWL_FILE = "b12kg.owl"
TTL_FILE = "b12kg.ttl"
INDEX_FILE = "b12kg.index.json"  # b12kg.graph.snapshot.INDEX_FILE
TABLES_FILE = "b12kg.tables.json"  # b12kg.curation.decision_tables.TABLES_FILE

#: CURIE prefixes whose identifiers have a well-known IRI form, used for skos mappings.
#: Others (ICD10, ATC, HGNC, LOINC, UniProt …) are kept as oboInOwl:hasDbXref strings only.
IRI_PREFIXES = {
    **{
        p: f"http://purl.obolibrary.org/obo/{p}_"
        for p in ("DOID", "MONDO", "HP", "CHEBI", "UBERON", "CL", "GO", "NCIT", "PR")
    },
    "MESH": "http://id.nlm.nih.gov/mesh/",
}
MATCH_PROPERTY = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch, "broad": SKOS.broadMatch}
#: Mechanisms shared by at least this many causes get a defined class "acts through M".
SHARED_MECHANISM_MIN_CAUSES = 2


def xref_iri(curie: str) -> URIRef | None:
    prefix, _, local = curie.partition(":")
    base = IRI_PREFIXES.get(prefix.upper())
    return URIRef(base + local) if base else None


def _some(graph: Graph, prop: URIRef, filler: URIRef) -> BNode:
    restriction = BNode()
    graph.add((restriction, RDF.type, OWL.Restriction))
    graph.add((restriction, OWL.onProperty, prop))
    graph.add((restriction, OWL.someValuesFrom, filler))
    return restriction


def _annotate(graph: Graph, node: BNode, link: LinkRecord) -> None:
    for source in link.sources:
        graph.add((node, B12.source, source_iri(source)))
    for quote in link.quotes:
        graph.add((node, B12.quote, Literal(quote)))
    if link.strength:
        graph.add((node, B12.strength, Literal(link.strength)))
    if link.notes:
        graph.add((node, B12.evidenceNote, Literal(link.notes)))
    if link.conditions:
        graph.add((node, B12.condition, Literal(link.conditions)))


def _axiom(
    graph: Graph, source: URIRef, prop: URIRef, target: URIRef | BNode, link: LinkRecord
) -> None:
    """Annotate an axiom (OWL 2 reification), the shape Protégé shows as axiom annotations."""
    node = BNode()
    graph.add((node, RDF.type, OWL.Axiom))
    graph.add((node, OWL.annotatedSource, source))
    graph.add((node, OWL.annotatedProperty, prop))
    graph.add((node, OWL.annotatedTarget, target))
    _annotate(graph, node, link)


#: The OBO namespace of every term (`default-namespace` of the .obo file).
OBO_NAMESPACE = "b12kg"
#: oboInOwl property of each synonym scope (entities.tsv: `name [RELATED]`; default EXACT).
SYNONYM_PROPERTY = {
    "EXACT": "hasExactSynonym",
    "RELATED": "hasRelatedSynonym",
    "BROAD": "hasBroadSynonym",
    "NARROW": "hasNarrowSynonym",
}
#: IAO:0100001 'term replaced by' (OBO's successor of a deprecated term).
REPLACED_BY = URIRef("http://purl.obolibrary.org/obo/IAO_0100001")


def _add_obo_fields(graph: Graph) -> None:
    """oboInOwl:id and hasOBONamespace on every class and property of ours (curated, model,
    generated or obsolete), as the OWL API's OBO parser writes them for each term."""
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.AnnotationProperty):
        for local in sorted(_ours(graph, kind)):
            iri = entity_iri(local)
            graph.add((iri, OBOINOWL.id, Literal("b12:" + local)))
            graph.add((iri, OBOINOWL.hasOBONamespace, Literal(OBO_NAMESPACE)))


def source_xref(reference: ReferenceRecord) -> str:
    """The CURIE OBO tools read for a source: its verified DOI or PMID, else our `src:` id."""
    if reference.doi:
        return f"DOI:{reference.doi}"
    if reference.pmid:
        return f"PMID:{reference.pmid}"
    return f"src:{reference.id}"


def _add_definition(graph: Graph, iri: URIRef, text: str, sources: list[ReferenceRecord]) -> None:
    """IAO:0000115 with its curated definition sources (entities.tsv `definition_source`) as
    axiom annotations: oboInOwl:hasDbXref (what ROBOT, OAK and the OBO format read as
    `def: "…" [DOI:…]`) and b12:source (our Source record).

    Only a source the text was taken from is named: the papers an entity's links cite back
    the link, not the wording, so a definition without a curated source names none (the
    curators' own text, as the ontology header says) rather than borrowing them."""
    definition = Literal(text, lang="en")
    graph.add((iri, DEFINITION, definition))
    if not sources:
        return
    axiom = BNode()
    graph.add((axiom, RDF.type, OWL.Axiom))
    graph.add((axiom, OWL.annotatedSource, iri))
    graph.add((axiom, OWL.annotatedProperty, DEFINITION))
    graph.add((axiom, OWL.annotatedTarget, definition))
    for reference in sources:
        graph.add((axiom, OBOINOWL.hasDbXref, Literal(source_xref(reference))))
        graph.add((axiom, B12.source, source_iri(reference.id)))


def _add_entities(graph: Graph, curation: Curation) -> None:
    for entity in curation.entities.values():
        iri = entity_iri(entity.id)
        graph.add((iri, RDF.type, OWL.Class))
        graph.add((iri, RDFS.subClassOf, B12[KINDS[entity.kind]]))
        for parent in entity.parents:
            graph.add((iri, RDFS.subClassOf, entity_iri(parent)))
        graph.add((iri, RDFS.label, Literal(entity.label, lang="en")))
        sources = [curation.references[r] for r in entity.definition_sources]
        _add_definition(graph, iri, entity.definition, sources)
        graph.add((iri, B12.kind, Literal(entity.kind)))
        for synonym in entity.synonyms:
            graph.add((iri, OBOINOWL.hasExactSynonym, Literal(synonym, lang="en")))
        for synonym, scope in entity.scoped_synonyms:
            graph.add((iri, OBOINOWL[SYNONYM_PROPERTY[scope]], Literal(synonym, lang="en")))
        if entity.analyte:
            graph.add((iri, B12.analyte, Literal(entity.analyte)))
            graph.add((iri, B12.direction, Literal(entity.direction)))
        if entity.notes:
            graph.add((iri, RDFS.comment, Literal(entity.notes, lang="en")))
    for xref in curation.xrefs:
        iri = entity_iri(xref.entity)
        graph.add((iri, OBOINOWL.hasDbXref, Literal(xref.curie)))
        # Confidence and provenance travel with every xref, IRI form or not (ICD-10, ATC …).
        axiom = BNode()
        graph.add((axiom, RDF.type, OWL.Axiom))
        graph.add((axiom, OWL.annotatedSource, iri))
        graph.add((axiom, OWL.annotatedProperty, OBOINOWL.hasDbXref))
        graph.add((axiom, OWL.annotatedTarget, Literal(xref.curie)))
        graph.add((axiom, B12.mappingConfidence, Literal(xref.confidence)))
        graph.add((axiom, B12.mappingSource, Literal(xref.source)))
        target = xref_iri(xref.curie)
        if target is not None:
            graph.add((iri, MATCH_PROPERTY[xref.confidence], target))


def _add_obsoletes(graph: Graph, obsoletes: list[ObsoleteRecord]) -> None:
    """Retired terms keep their IRI: deprecated, 'obsolete ' label, successor or candidates."""
    for record in obsoletes:
        iri = entity_iri(record.id)
        graph.add((iri, RDF.type, OWL.Class))
        graph.add((iri, OWL.deprecated, Literal(True)))
        graph.add((iri, RDFS.label, Literal(f"obsolete {record.label}", lang="en")))
        graph.add(
            (
                iri,
                RDFS.comment,
                Literal(f"Obsolete since release {record.retired_in}. {record.reason}", lang="en"),
            )
        )
        if record.replaced_by:
            graph.add((iri, REPLACED_BY, entity_iri(record.replaced_by)))
        for candidate in record.consider:
            graph.add((iri, OBOINOWL.consider, entity_iri(candidate)))


_AUTHOR = re.compile(r"^((?:[a-z]+ )*[^\W\d_][\w'’-]*) [A-Z]{1,4}\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def source_labels(references: dict[str, ReferenceRecord]) -> dict[str, str]:
    """A label per source that no entity or other source shares: its title with the first
    author and year from the citation ("Vitamin B12 deficiency (Stabler 2013)"), or with its id
    where the citation names neither or two sources would still read the same."""
    labels: dict[str, str] = {}
    for reference in references.values():
        author = _AUTHOR.match(reference.citation)
        year = _YEAR.search(reference.citation)
        who = f"{author[1]} {year[1]}" if author and year else reference.id
        labels[reference.id] = f"{reference.title} ({who})"
    counts: dict[str, int] = defaultdict(int)
    for label in labels.values():
        counts[label] += 1
    return {
        r: label if counts[label] == 1 else f"{references[r].title} ({r})"
        for r, label in labels.items()
    }


def _add_sources(graph: Graph, curation: Curation) -> None:
    labels = source_labels(curation.references)
    for reference in curation.references.values():
        iri = source_iri(reference.id)
        graph.add((iri, RDF.type, OWL.NamedIndividual))
        graph.add((iri, RDF.type, B12.Source))
        graph.add((iri, RDFS.label, Literal(labels[reference.id])))
        graph.add((iri, DCTERMS.title, Literal(reference.title)))
        if reference.citation:
            graph.add((iri, DCTERMS.bibliographicCitation, Literal(reference.citation)))
        if reference.doi:
            graph.add((iri, DCTERMS.identifier, Literal(f"doi:{reference.doi}")))
            graph.add((iri, RDFS.seeAlso, URIRef(f"https://doi.org/{reference.doi}")))
        if reference.pmid:
            graph.add((iri, DCTERMS.identifier, Literal(f"pmid:{reference.pmid}")))
        if reference.seed_file:
            graph.add((iri, B12.seedFile, Literal(reference.seed_file)))


@dataclass
class Claims:
    """The causal links as the builder states them, after contrary statements are applied.

    A has_mechanism (or associated_with) link on a class whose member `lacks_mechanism` the same
    mechanism is not
    universal, so it is not stated as `C SubClassOf (p some M)`: the class gets
    `C SubClassOf ((p some M) or D …)` (its excepted members D), its other members get the
    claim stated on them, and each D gets `D SubClassOf not (… some M)`.
    """

    links: list[LinkRecord]  # every link to emit as an edge / existential
    excepted: list[tuple[LinkRecord, tuple[str, ...]]]  # class claims with their exceptions
    contrary: list[LinkRecord]  # the lacks_mechanism links


def _descendants(curation: Curation, entity_id: str) -> set[str]:
    return {e for e in curation.entities if entity_id in ancestors(curation.entities, e)}


def claims(curation: Curation) -> Claims:
    entities = curation.entities
    contrary = [link for link in curation.links if link.relation == "lacks_mechanism"]
    lacks: dict[str, set[str]] = defaultdict(set)
    for link in contrary:
        lacks[link.object].add(link.subject)
    own = {link.key for link in curation.links}
    links: list[LinkRecord] = []
    excepted: list[tuple[LinkRecord, tuple[str, ...]]] = []
    for link in curation.links:
        if link.relation == "lacks_mechanism":
            continue
        inheritable = link.relation in ("has_mechanism", "associated_with")
        below = _descendants(curation, link.subject) if inheritable else set()
        exceptions = tuple(sorted(below & lacks.get(link.object, set())))
        if not exceptions:
            links.append(link)
            continue
        excepted.append((link, exceptions))
        label = entities[link.subject].label
        for member in sorted(below):
            member_up = ancestors(entities, member)
            if member in exceptions or member_up & set(exceptions):
                continue
            if any(member in ancestors(entities, e) for e in exceptions):
                continue  # above an exception: its claim would reach the exception again
            if (member, link.relation, link.object) in own:
                continue
            note = f"Stated for the class '{label}' (links.tsv line {link.line})."
            links.append(replace(link, subject=member, notes=f"{note} {link.notes}".strip()))
    return Claims(links=links, excepted=excepted, contrary=contrary)


def _union(graph: Graph, members: list[URIRef | BNode]) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, OWL.Class))
    items = BNode()
    Collection(graph, items, members)
    graph.add((node, OWL.unionOf, items))
    return node


def _add_link_axioms(graph: Graph, curation: Curation, stated: Claims) -> None:
    refs = curation.references
    for link in stated.links:
        prop = B12[link.property(refs)]
        subject, target = entity_iri(link.subject), entity_iri(link.object)
        restriction = _some(graph, prop, target)
        graph.add((subject, RDFS.subClassOf, restriction))
        _axiom(graph, subject, RDFS.subClassOf, restriction, link)
    for link, exceptions in stated.excepted:
        prop = B12[link.property(refs)]
        subject = entity_iri(link.subject)
        either = _union(
            graph,
            [_some(graph, prop, entity_iri(link.object)), *(entity_iri(e) for e in exceptions)],
        )
        graph.add((subject, RDFS.subClassOf, either))
        _axiom(graph, subject, RDFS.subClassOf, either, link)
    for link in stated.contrary:
        subject, target = entity_iri(link.subject), entity_iri(link.object)
        graph.add((subject, B12.lacksMechanism, target))
        _axiom(graph, subject, B12.lacksMechanism, target, link)
        props = sorted({v for (r, _), v in TIERED_PROPERTIES.items() if r == "has_mechanism"})
        denied = BNode()
        graph.add((denied, RDF.type, OWL.Class))
        graph.add(
            (denied, OWL.complementOf, _union(graph, [_some(graph, B12[p], target) for p in props]))
        )
        graph.add((subject, RDFS.subClassOf, denied))


# --- closure: what HermiT infers through the property chains, computed once at build time ------

#: The OWL property of the closure for each tier of a causal path.
CLOSURE_PROPERTY = {
    "supported": "contributesTo",
    "reported": "reportedlyContributesTo",
    "disputed": "disputedlyContributesTo",
}


def _weakest(a: str, b: str) -> str:
    return max(a, b, key=TIERS.index)


def closure(curation: Curation, stated: Claims | None = None) -> dict[str, dict[str, set[str]]]:
    """For each cause: what it contributes to, by tier ('supported', 'reported', 'disputed'),
    and what it correlates with ('associated_with').

    A causal path is as weak as its weakest link, as the property chains of model.ttl say.
    Includes what a cause inherits from the classes it belongs to (omeprazole from proton
    pump inhibitor), as HermiT infers: X SubClassOf Y, Y SubClassOf (r some Z) gives X r Z.
    """
    stated = stated or claims(curation)
    refs = curation.references
    leads: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for link in stated.links:
        if link.relation == "leads_to":
            leads[link.subject].append((link.object, link.tier(refs)))

    def reach(start: str, tier: str) -> set[tuple[str, str]]:
        seen: set[tuple[str, str]] = set()
        queue = deque([(start, tier)])
        while queue:
            state = queue.popleft()
            if state in seen:
                continue
            seen.add(state)
            node, so_far = state
            for target, step in leads.get(node, ()):
                queue.append((target, _weakest(so_far, step)))
        return seen

    direct: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for link in stated.links:
        if link.relation == "has_mechanism":
            for node, tier in reach(link.object, link.tier(refs)):
                direct[link.subject][tier].add(node)
        elif link.relation == "associated_with":
            direct[link.subject]["associated_with"] |= {
                n for n, _ in reach(link.object, "supported")
            }
    result: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for entity_id in curation.entities:
        for holder in (entity_id, *sorted(ancestors(curation.entities, entity_id))):
            for relation, targets in direct.get(holder, {}).items():
                result[entity_id][relation] |= targets
    return result


def _add_edges(
    graph: Graph, curation: Curation, stated: Claims, reach: dict[str, dict[str, set[str]]]
) -> None:
    """Plain edge triples with their evidence (the property of their evidence tier), plus the
    materialised contributesTo / reportedly… / disputedly… / correlatesWith closure."""
    for link in stated.links:
        prop = B12[link.property(curation.references)]
        subject, target = entity_iri(link.subject), entity_iri(link.object)
        graph.add((subject, prop, target))
        _axiom(graph, subject, prop, target, link)
    for cause, by_relation in reach.items():
        for relation, targets in by_relation.items():
            prop = B12[CLOSURE_PROPERTY.get(relation, "correlatesWith")]
            for target in targets:
                graph.add((entity_iri(cause), prop, entity_iri(target)))


def _add_mechanism_groupings(
    graph: Graph, curation: Curation, reach: dict[str, dict[str, set[str]]]
) -> None:
    """A defined class per shared mechanism, so HermiT lists 'causes acting through M'."""
    causes_per_mechanism: dict[str, set[str]] = defaultdict(set)
    for cause, by_relation in reach.items():
        for target in by_relation.get("supported", ()):
            causes_per_mechanism[target].add(cause)
    for mechanism, causes in sorted(causes_per_mechanism.items()):
        entity = curation.entities[mechanism]
        if entity.kind == "lab_finding" or len(causes) < SHARED_MECHANISM_MIN_CAUSES:
            continue
        # OWL's RDF mapping forbids sharing an anonymous class between axioms: one union each.
        cause_union = BNode()
        graph.add((cause_union, RDF.type, OWL.Class))
        union_members = BNode()
        Collection(graph, union_members, [B12.Condition, B12.Drug])
        graph.add((cause_union, OWL.unionOf, union_members))
        iri = URIRef(f"{BASE}acts_through_{mechanism}")
        graph.add((iri, RDF.type, OWL.Class))
        graph.add((iri, RDFS.subClassOf, B12.DefinedGrouping))
        graph.add((iri, RDFS.label, Literal(f"acts through {entity.label}", lang="en")))
        graph.add(
            (
                iri,
                DEFINITION,
                Literal(
                    f"A condition or drug that contributes, through a causal chain, to {entity.label}.",
                    lang="en",
                ),
            )
        )
        intersection = BNode()
        members = BNode()
        Collection(
            graph, members, [cause_union, _some(graph, B12.contributesTo, entity_iri(mechanism))]
        )
        graph.add((intersection, RDF.type, OWL.Class))
        graph.add((intersection, OWL.intersectionOf, members))
        graph.add((iri, OWL.equivalentClass, intersection))


def version_iri(date: str = RELEASE_DATE) -> URIRef:
    return URIRef(f"{BASE}releases/{date}/b12kg.owl")


def _add_release(graph: Graph) -> None:
    """The dated version IRI, owl:versionInfo and dcterms:modified of this release, and the
    header fields OBO tools read (format version, default namespace)."""
    for ontology in graph.subjects(RDF.type, OWL.Ontology):
        for prop in (OWL.versionIRI, OWL.versionInfo, DCTERMS.modified):
            graph.remove((ontology, prop, None))
        graph.add((ontology, OWL.versionIRI, version_iri()))
        graph.add((ontology, OWL.versionInfo, Literal(RELEASE_DATE)))
        graph.add((ontology, DCTERMS.modified, Literal(RELEASE_DATE, datatype=XSD.date)))
        graph.add((ontology, OBOINOWL.hasOBOFormatVersion, Literal("1.4")))
        graph.add((ontology, OBOINOWL["default-namespace"], Literal(OBO_NAMESPACE)))


def _ours(graph: Graph, kind: URIRef) -> set[str]:
    return {
        str(s)[len(BASE) :]
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(BASE)
    }


def build_graphs(curation: Curation) -> tuple[Graph, Graph]:
    """(axioms, axioms + edges): the content of b12kg.owl and of b12kg.ttl.

    Raises CurationError when obsoletes.tsv retires a term that is live again, or names a
    successor that is not live.
    """
    axioms = Graph()
    axioms.parse(curation.model_path, format="turtle")
    _add_release(axioms)
    stated = claims(curation)
    _add_entities(axioms, curation)
    _add_sources(axioms, curation)
    _add_link_axioms(axioms, curation, stated)
    reach = closure(curation, stated)
    _add_mechanism_groupings(axioms, curation, reach)
    obsoletes = read_obsoletes(curation.directory)
    problems = obsolete_problems(obsoletes, _ours(axioms, OWL.Class))
    if problems:
        raise CurationError(problems)
    _add_obsoletes(axioms, obsoletes)
    _add_obo_fields(axioms)
    full = Graph()
    for triple in axioms:
        full.add(triple)
    _add_edges(full, curation, stated, reach)
    return axioms, full


def _canonical_bnode_labels(graph: Graph) -> dict[BNode, str]:
    """Label each blank node by what it contains and where it hangs, never by parse order.

    OWL's blank nodes are trees (restrictions, lists, axiom annotations), so a node's content
    (its outgoing triples, recursively) plus its parent's label and predicate identify it.
    Two nodes that would get the same label are an error, not a silent merge.
    """
    outgoing: dict[BNode, list[tuple[object, object]]] = defaultdict(list)
    incoming: dict[BNode, list[tuple[object, object]]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            outgoing[s].append((p, o))
        if isinstance(o, BNode):
            incoming[o].append((s, p))
    shapes: dict[BNode, str] = {}
    labels: dict[BNode, str] = {}

    def shape(node: BNode) -> str:
        if node not in shapes:
            shapes[node] = "cycle"
            parts = sorted(
                f"{p}\x1f{shape(o) if isinstance(o, BNode) else o.n3()}" for p, o in outgoing[node]
            )
            shapes[node] = hashlib.sha1("\x1e".join(parts).encode("utf-8")).hexdigest()
        return shapes[node]

    def label(node: BNode) -> str:
        if node not in labels:
            labels[node] = "cycle"
            context = sorted(
                f"{label(s) if isinstance(s, BNode) else s.n3()}\x1f{p}" for s, p in incoming[node]
            )
            text = shape(node) + "\x1d" + "\x1e".join(context)
            labels[node] = "b" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        return labels[node]

    for node in set(outgoing) | set(incoming):
        label(node)
    if len(set(labels.values())) != len(labels):
        raise ValueError("two distinct blank nodes have the same content and context")
    return labels


def _ox_term(term: object, labels: dict[BNode, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(labels[term])
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def canonical_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples with canonical blank nodes, sorted: named subjects first."""
    labels = _canonical_bnode_labels(graph)
    triples = [
        ox.Triple(_ox_term(s, labels), _ox_term(p, labels), _ox_term(o, labels))
        for s, p, o in graph
    ]
    triples.sort(
        key=lambda t: (
            isinstance(t.subject, ox.BlankNode),
            str(t.subject),
            str(t.predicate),
            str(t.object),
        )
    )
    return triples


def serialize(axioms: Graph, full: Graph) -> dict[str, bytes]:
    """The bytes of each artifact: identical for identical sources, whatever the hash seed."""
    return {
        OWL_FILE: to_rdfxml(canonical_triples(axioms), PREFIXES),
        TTL_FILE: to_turtle(canonical_triples(full), PREFIXES),
    }


def graph_index(ttl: bytes) -> bytes:
    """The precomputed index of the `.ttl` bytes (`b12kg.graph.snapshot`): what `load()` reads
    for the packaged graph instead of parsing Turtle and running the index queries."""
    from b12kg.graph.index import GraphIndex
    from b12kg.graph.snapshot import dump_index
    from b12kg.sparql.embedded import StoreBackend, store_from_bytes

    index = GraphIndex.from_backend(StoreBackend(store_from_bytes(ttl), TTL_FILE))
    return dump_index(index, ttl)


@dataclass
class BuildReport:
    """What a build wrote (or, with check=True, which committed artifacts differ)."""

    output: Path
    written: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def to_record(self) -> dict[str, object]:
        return {
            "output": str(self.output),
            "written": self.written,
            "stale": self.stale,
            "counts": self.counts,
        }


def count_by_kind(curation: Curation) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for entity in curation.entities.values():
        counts[entity.kind] += 1
    for link in curation.links:
        counts[f"link:{link.relation}"] += 1
    counts["references"] = len(curation.references)
    counts["xrefs"] = len(curation.xrefs)
    counts["causes"] = sum(1 for e in curation.entities.values() if e.kind in CAUSE_KINDS)
    return dict(sorted(counts.items()))


def decision_tables(curation: Curation) -> bytes:
    """`b12kg.tables.json`: thresholds.tsv and frequencies.tsv, checked against the curation."""
    from b12kg.curation.decision_tables import tables_document

    return tables_document(curation.directory, set(curation.entities), set(curation.references))


def build(
    sources: Path | str | None = None, output: Path | str | None = None, *, check: bool = False
) -> BuildReport:
    """Validate `sources`, then write the artifacts into `output` (or, with check, compare):
    b12kg.owl, b12kg.ttl and the derived release files (exports.release.RELEASE_FILES).

    Defaults: the `ontology/src` and `ontology/` of the checkout the curator stands in.
    """
    curation = read_curation(sources if sources is not None else sources_dir())
    output = Path(output) if output is not None else output_dir()
    if output.is_dir():
        recover(output)  # finish a publication a kill interrupted, before comparing or writing
    axioms, full = build_graphs(curation)
    problems: list[Problem] = graph_problems(full)
    if problems:
        raise CurationError(problems)
    report = BuildReport(output=output, counts=count_by_kind(curation))
    artifacts = {**serialize(axioms, full), **release_files(curation, axioms)}
    artifacts[INDEX_FILE] = graph_index(artifacts[TTL_FILE])
    artifacts[TABLES_FILE] = decision_tables(curation)
    if check:
        report.stale = [
            name
            for name, data in artifacts.items()
            if not (output / name).exists() or (output / name).read_bytes() != data
        ]
    else:
        publish(output, artifacts)  # all release files together, or none
        report.written = list(artifacts)
    return report
