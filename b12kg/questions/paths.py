"""Walking the causal graph: condition or drug → mechanisms → lab finding, and back.

The walk runs on an in-memory index of the edges returned by `queries/causal-edges.rq`, so
a trace costs microseconds and never evaluates a property path at call time. What a path is
follows from its first step and the mechanisms it passes:

* kind — `causal` (starts with has-mechanism and every step is supported: strength established
  or probable with a non-seed source), `reported` (its weakest step is limited or seed-only),
  `disputed` (a step is disputed) — the same rule and property chains HermiT uses —,
  `association` (starts with associated-with:
  never presented as a cause) or `consequence` (the source results from a deficiency that
  also lowers B12, e.g. megaloblastic anemia);
* nature — `mechanism unknown` (no mechanism on the path, e.g. a bare association),
  `true deficiency` (passes cobalamin depletion), `functional deficiency` (cells lack
  cobalamin with stores intact), `physiological` (a physiological mechanism, e.g. pregnancy),
  `binding-protein change` (a low haptocorrin lowers the inactive, bound fraction of serum
  B12 without deficiency: inherited haptocorrin deficiency, oral contraceptives),
  `exogenous` (cobalamin given as supplements or injections),
  `assay artefact` (an artefact mechanism: the result, not the patient, changes) or
  `pathological` (a disease process without deficiency, e.g. release from hepatocytes).

A condition inherits the mechanisms of the classes it belongs to (omeprazole is a proton pump
inhibitor), exactly as an OWL reasoner would; such a path begins with an `is a` step.
"""

from __future__ import annotations

import itertools

from b12kg.errors import UsageError
from b12kg.frozen import frozen
from b12kg.graph.edges import STRENGTH_ORDER, Evidence
from b12kg.vocabulary import CAUSE_KINDS, MECHANISM_KINDS

TYPE_CHECKING = False  # typing's own flag, without importing typing on the trace path
if TYPE_CHECKING:
    from b12kg.graph.entities import Entity
    from b12kg.graph.index import GraphIndex

RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

RELATION_LABELS = {
    "hasMechanism": "has mechanism",
    "hasReportedMechanism": "has reported mechanism",
    "hasDisputedMechanism": "has disputed mechanism",
    "leadsTo": "leads to",
    "reportedlyLeadsTo": "reportedly leads to",
    "disputedlyLeadsTo": "disputedly leads to",
    "lacksMechanism": "lacks mechanism",
    "associatedWith": "associated with",
    "isConsequenceOf": "is consequence of",
    "locatedIn": "located in",
    "hasCausalAgent": "has causal agent",
    "involves": "involves",
    "appliesTo": "applies to",
    "subClassOf": "is a",
    "hasSubtype": "includes",
}
FIRST_STEP_KIND = {
    "hasMechanism": "causal",
    "hasReportedMechanism": "causal",
    "hasDisputedMechanism": "causal",
    "associatedWith": "association",
    "isConsequenceOf": "consequence",
}
#: The evidence tier each causal property stands for (the builder's rule, ontology/src/README):
#: supported = established or probable AND a non-seed source; reported = limited or seed-only.
RELATION_TIER = {
    "hasMechanism": "supported",
    "leadsTo": "supported",
    "hasReportedMechanism": "reported",
    "reportedlyLeadsTo": "reported",
    "hasDisputedMechanism": "disputed",
    "disputedlyLeadsTo": "disputed",
}
LEADS_TO = frozenset({"leadsTo", "reportedlyLeadsTo", "disputedlyLeadsTo"})
TIER_ORDER = ("supported", "reported", "disputed")
#: A causal path's kind by its weakest tier: only a supported path is presented as a cause.
CAUSAL_KIND = {"supported": "causal", "reported": "reported", "disputed": "disputed"}
DEFAULT_TARGETS = (
    "serum_b12_decreased",
    "serum_b12_increased",
    "serum_b12_falsely_normal",
    "serum_b12_falsely_increased",
)
#: What `trace` follows when serum B12 is not reached: the other markers of B12 status.
STATUS_TARGETS = (
    "methylmalonic_acid_increased",
    "homocysteine_increased",
    "holotranscobalamin_decreased",
    "intracellular_cobalamin_deficiency",
)
#: The kinds a finding (a target, `causes`, `--via`) may be; sources are CAUSE_KINDS.
FINDING_KINDS = frozenset({"lab_finding"}) | MECHANISM_KINDS
DEPLETION, INTRACELLULAR = "cobalamin_depletion", "intracellular_cobalamin_deficiency"


@frozen
class Step:
    """One step of a path: (subject, relation, object) with the evidence for it."""

    subject: Entity
    relation: str
    object: Entity
    evidence: Evidence | None = None

    @property
    def relation_label(self) -> str:
        return RELATION_LABELS.get(self.relation, self.relation)

    def to_record(self, kg: GraphIndex | None = None) -> dict[str, object]:
        relation_id = {"subClassOf": "rdfs:subClassOf", "hasSubtype": "^rdfs:subClassOf"}.get(
            self.relation, f"b12:{self.relation}"
        )
        return {
            "subject": self.subject.ref(),
            "relation": {"id": relation_id, "label": self.relation_label},
            "object": self.object.ref(),
            "evidence": [self.evidence.to_record(kg.sources if kg else None)]
            if self.evidence
            else [],
        }


@frozen(hidden=("kg",))
class CausalPath:
    """A path from a condition or drug to a finding, step by step, with its evidence."""

    source: Entity
    steps: tuple[Step, ...]
    finding: Entity
    direction: str  # decreased | increased | normal | positive ("" for a mechanism)
    kind: str  # causal | reported | disputed | association | consequence
    nature: str  # true deficiency | functional deficiency | physiological | binding-protein
    # change | exogenous | assay artefact | pathological | mechanism unknown
    kg: GraphIndex | None = None

    def __repr__(self) -> str:
        return (
            f"<CausalPath {self.source.label} → {self.finding.label}: {self.kind}, "
            f"{self.nature}, {self.strength or 'no strength'}, {len(self.steps)} steps>"
        )

    @property
    def mechanisms(self) -> tuple[Entity, ...]:
        return tuple(s.object for s in self.steps if s.object.kind in MECHANISM_KINDS)

    @property
    def strength(self) -> str:
        """The weakest evidence on the path: a chain is only as strong as its weakest link."""
        strengths = [s.evidence.strength for s in self.steps if s.evidence and s.evidence.strength]
        return min(strengths, key=lambda s: STRENGTH_ORDER.get(s, -1)) if strengths else ""

    @property
    def evidence(self) -> str:
        """supported | reported | disputed: the weakest evidence tier of the path's steps."""
        tiers = [RELATION_TIER.get(s.relation, "supported") for s in self.steps]
        return max(tiers, key=TIER_ORDER.index) if tiers else "supported"

    @property
    def strength_rank(self) -> int:
        return STRENGTH_ORDER.get(self.strength, -1)

    @property
    def section(self) -> str:
        """exogenous cobalamin | cause | physiological change | binding-protein change |
        misleading result | reported | association | disputed
        ("" for a consequence): how `causes`, `differential` and `assess` file this path."""
        return section_of(self.kind, self.nature)

    def describe(self) -> str:
        """One line: 'omeprazole —is a→ proton pump inhibitor —has mechanism→ hypochlorhydria …'."""
        parts = [self.source.label]
        for step in self.steps:
            parts.append(f"—{step.relation_label}→ {step.object.label}")
        return " ".join(parts)

    def to_record(self) -> dict[str, object]:
        return {
            "source": self.source.ref(),
            "steps": [s.to_record(self.kg) for s in self.steps],
            "finding": self.finding.ref(),
            "direction": self.direction or None,
            "kind": self.kind,
            "evidence": self.evidence,
            "nature": self.nature,
            "strength": self.strength or None,
            "mechanisms": [m.ref() for m in self.mechanisms],
        }

    def to_flat_record(self) -> dict[str, object]:
        """One flat row (for tables, CSV and DataFrames).

        `source_id`/`source` and `finding_id`/`finding` are the id and label of each end;
        `direction`, `kind`, `nature`, `strength` are strings ("" when unknown);
        `mechanisms` and `mechanism_ids` are lists in path order; `sources` a sorted list of
        reference ids; `via` the is-a route ("" when the source's own link starts the path).
        """
        return {
            "source_id": self.source.id,
            "source": self.source.label,
            "finding_id": self.finding.id,
            "finding": self.finding.label,
            "direction": self.direction,
            "kind": self.kind,
            "evidence": self.evidence,
            "nature": self.nature,
            "strength": self.strength,
            "mechanisms": [m.label for m in self.mechanisms],
            "mechanism_ids": [m.id for m in self.mechanisms],
            "via": " → ".join(s.object.label for s in self.steps if s.relation == "subClassOf"),
            "sources": sorted({s for st in self.steps if st.evidence for s in st.evidence.sources}),
        }


# --- the forward walk ---------------------------------------------------------------------------


def _nature(node_ids: list[str], kg: GraphIndex) -> str:
    kinds = {kg.entities[n].kind for n in node_ids}
    if not kinds & MECHANISM_KINDS:
        return "mechanism unknown"
    if "assay_artefact" in kinds:
        return "assay artefact"
    if "physiological_mechanism" in kinds:
        return "physiological"
    if "binding_protein_change" in kinds:
        return "binding-protein change"
    if "exogenous_mechanism" in kinds:
        return "exogenous"
    if DEPLETION in node_ids:
        return "true deficiency"
    if INTRACELLULAR in node_ids:
        return "functional deficiency"
    return "pathological"


def _is_a_chains(kg: GraphIndex, entity_id: str) -> list[list[str]]:
    """[entity], [entity, parent], [entity, parent, grandparent] …: every is-a route upward."""
    chains: list[list[str]] = []

    def walk(chain: list[str]) -> None:
        chains.append(chain)
        for parent in sorted(kg.parents.get(chain[-1], ())):
            if parent not in chain:
                walk([*chain, parent])

    walk([entity_id])
    return chains


def walk(
    kg: GraphIndex, source_id: str, targets: set[str], *, via: str | None = None
) -> list[CausalPath]:
    index = kg.edges
    found: list[CausalPath] = []
    source = kg.entities[source_id]
    for chain in _is_a_chains(kg, source_id):
        prefix = [
            Step(kg.entities[a], "subClassOf", kg.entities[b]) for a, b in itertools.pairwise(chain)
        ]
        start = chain[-1]
        for first in index.outgoing.get(start, ()):
            if first.relation not in FIRST_STEP_KIND:
                continue
            first_step = Step(
                kg.entities[start], first.relation, kg.entities[first.object], first.evidence
            )
            stack: list[tuple[str, list[Step]]] = [(first.object, [*prefix, first_step])]
            while stack:
                node, steps = stack.pop()
                visited = [s.object.id for s in steps]
                if node in targets and (via is None or via in visited):
                    finding = kg.entities[node]
                    kind = FIRST_STEP_KIND[first.relation]
                    if kind == "causal":
                        tiers = [RELATION_TIER.get(s.relation, "supported") for s in steps]
                        kind = CAUSAL_KIND[max(tiers, key=TIER_ORDER.index)]
                    found.append(
                        CausalPath(
                            source=source,
                            steps=tuple(steps),
                            finding=finding,
                            direction=finding.direction,
                            kind=kind,
                            nature=_nature(visited, kg),
                            kg=kg,
                        )
                    )
                    continue
                for edge in reversed(index.outgoing.get(node, ())):
                    if edge.relation in LEADS_TO and edge.object not in visited:
                        step = Step(
                            kg.entities[node],
                            edge.relation,
                            kg.entities[edge.object],
                            edge.evidence,
                        )
                        stack.append((edge.object, [*steps, step]))
    found.sort(key=lambda p: (KIND_ORDER[p.kind], -p.strength_rank, len(p.steps), p.describe()))
    return found


#: The labelled sections of `causes`, `differential` and `assess`, in display order:
#: exogenous cobalamin, true causes, physiological changes, binding-protein changes and
#: misleading results (assay artefacts) are causal paths told apart by their nature; weak,
#: associated and disputed paths are never called causes.
SECTIONS = (
    "exogenous cobalamin",
    "cause",
    "physiological change",
    "binding-protein change",
    "misleading result",
    "reported",
    "association",
    "disputed",
)
SECTION_ORDER = {name: number for number, name in enumerate(SECTIONS)}
#: A causal path whose nature is not a disease process is filed apart from the true causes:
#: an artefact is a misleading result; a physiological change (pregnancy) and a binding-protein
#: change (a low haptocorrin, inherited or with oral contraceptives) each change serum B12
#: without deficiency, in their own sections so neither is mistaken for the other. Exogenous
#: cobalamin (supplements, injections) really raises serum B12, so a reader of "causes of high
#: B12" must see it, but as intake, not disease: its own section, listed first, because it is
#: the commonest reason for a high result (frequencies.tsv) and the first to ask about.
NATURE_SECTION = {
    "assay artefact": "misleading result",
    "physiological": "physiological change",
    "binding-protein change": "binding-protein change",
    "exogenous": "exogenous cobalamin",
}


def section_of(kind: str, nature: str) -> str:
    if kind == "causal":
        return NATURE_SECTION.get(nature, "cause")
    return kind if kind in ("reported", "association", "disputed") else ""


KIND_ORDER = {"causal": 0, "reported": 1, "association": 2, "disputed": 3, "consequence": 4}


def _a(entity: Entity) -> str:
    """'an organism', 'an anatomical entity', 'a mechanism': the kind, said properly."""
    from b12kg.graph.names import KIND_NAMES

    kind = KIND_NAMES.get(entity.kind, entity.kind.replace("_", " "))
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _conditions_for(kg: GraphIndex, entity: Entity) -> list[Entity]:
    """Where a name of the wrong kind leads: an organism to the infections it causes, an
    anatomical entity to the conditions and mechanisms located in it."""
    relation = {"organism": "hasCausalAgent", "anatomy": "locatedIn"}.get(entity.kind)
    if relation is None:
        return []
    return sorted(
        {
            kg.entities[e.subject]
            for e in kg.edges.incoming.get(entity.id, ())
            if e.relation == relation
        },
        key=lambda e: e.label.casefold(),
    )


def _wrong_kind(kg: GraphIndex, entity: Entity, wanted: str, verb: str) -> UsageError:
    """A sentence that says what the name is and where to go instead."""
    message = f"'{entity.label}' is {_a(entity)}; {wanted}"
    leads = _conditions_for(kg, entity)
    causes = [e for e in leads if e.kind in CAUSE_KINDS]
    if causes and verb != "trace":
        shown = ", ".join(f"'{e.label}'" for e in causes[:5])
        message += f'. It leads to {shown}: try `b12kg trace "{causes[0].label}"`'
    elif causes:
        shown = ", ".join(f"'{e.label}'" for e in causes[:5])
        message += f"; try one of {shown}"
    elif verb == "trace" and entity.kind in MECHANISM_KINDS | {"lab_finding"}:
        message += f'; try `b12kg causes "{entity.label}"` for what leads to it'
    return UsageError(message)


def _targets(kg: GraphIndex, target: str | Entity | None) -> set[str]:
    if target is None:
        return {t for t in DEFAULT_TARGETS if t in kg.entities}
    entity = kg.find(target, kinds=FINDING_KINDS) if isinstance(target, str) else target
    if entity.kind not in MECHANISM_KINDS and entity.kind != "lab_finding":
        raise _wrong_kind(kg, entity, "a target must be a lab finding or a mechanism", "--to")
    return {entity.id}


def paths(
    kg: GraphIndex, source: str | Entity, target: str | Entity | None = None
) -> list[CausalPath]:
    """Every path from `source` (a condition or drug) to `target` (serum total B12 by default)."""
    entity = kg.find(source, kinds=CAUSE_KINDS) if isinstance(source, str) else source
    if entity.kind not in CAUSE_KINDS:
        raise _wrong_kind(kg, entity, "trace starts from a condition or drug", "trace")
    targets = _targets(kg, target)
    found = walk(kg, entity.id, targets)
    if found:
        return found
    # A grouping with no mechanism of its own (the seed's "worm infestation"): show what its
    # subtypes do, behind an explicit "includes" step, never as a claim about the whole group.
    for child in kg.descendants(entity.id):
        for path in walk(kg, child, targets):
            if any(s.relation == "subClassOf" for s in path.steps):
                continue
            step = Step(entity, "hasSubtype", kg.entities[child])
            found.append(
                CausalPath(
                    source=entity,
                    steps=(step, *path.steps),
                    finding=path.finding,
                    direction=path.direction,
                    kind=path.kind,
                    nature=path.nature,
                    kg=kg,
                )
            )
    return found


def status_paths(kg: GraphIndex, source: str | Entity) -> list[CausalPath]:
    """Paths to the other markers of B12 status (MMA, homocysteine, holoTC; else intracellular
    deficiency): what `trace` shows when serum B12 itself is not reached (nitrous oxide)."""
    entity = kg.find(source, kinds=CAUSE_KINDS) if isinstance(source, str) else source
    found: list[CausalPath] = []
    for target in STATUS_TARGETS[:-1]:
        if target in kg.entities:
            found.extend(paths(kg, entity, kg.entities[target]))
    if not found and STATUS_TARGETS[-1] in kg.entities:
        found = paths(kg, entity, kg.entities[STATUS_TARGETS[-1]])
    return found


def causes_of(
    kg: GraphIndex,
    finding: str | Entity,
    *,
    via: str | Entity | None = None,
    kinds: tuple[str, ...] = ("causal", "reported", "disputed", "association"),
) -> list[CausalPath]:
    """Every condition and drug with a path to `finding` (optionally through mechanism `via`).

    Consequences (megaloblastic anemia …) are not causes and are left out unless asked for.
    Reported and disputed paths are listed with that kind, after the causes, never as causes.
    """
    target = resolve_finding(kg, finding)
    via_id = None
    if via is not None:
        via_entity = kg.find(via, kinds=MECHANISM_KINDS) if isinstance(via, str) else via
        if via_entity.kind not in MECHANISM_KINDS:
            raise _wrong_kind(kg, via_entity, "--via needs a mechanism", "--via")
        via_id = via_entity.id
    found: list[CausalPath] = []
    for entity in sorted(kg.entities.values(), key=lambda e: e.label.casefold()):
        if entity.kind in CAUSE_KINDS:
            found.extend(p for p in walk(kg, entity.id, {target.id}, via=via_id) if p.kind in kinds)
    found.sort(
        key=lambda p: (
            KIND_ORDER[p.kind],
            -p.strength_rank,
            p.source.label.casefold(),
            len(p.steps),
        )
    )
    return found


FINDING_ALIASES = {
    "low": "serum_b12_decreased",
    "decreased": "serum_b12_decreased",
    "high": "serum_b12_increased",
    "increased": "serum_b12_increased",
}


def resolve_finding(
    kg: GraphIndex, finding: str | Entity, *, kinds: frozenset[str] = FINDING_KINDS
) -> Entity:
    if isinstance(finding, str) and finding.strip().lower() in FINDING_ALIASES:
        alias = FINDING_ALIASES[finding.strip().lower()]
        if alias not in kg.entities:
            raise UsageError(f"this graph has no '{alias}' finding; is it b12kg?")
        return kg.entities[alias]
    entity = kg.find(finding, kinds=kinds) if isinstance(finding, str) else finding
    if entity.kind not in MECHANISM_KINDS and entity.kind != "lab_finding":
        raise _wrong_kind(kg, entity, "name a lab finding (or 'low'/'high')", "causes")
    return entity
