"""A patient's list of conditions and drugs, explained the way a clinician would accept it.

For each direction (low, then high serum B12) the inputs that can account for it are listed
causes first, strongest evidence first, each with the mechanism chain and its sources. A
mechanism reached by several inputs is spelled out once and referred to afterwards.
Associations are listed apart and never called causes; consequences (megaloblastic anemia)
are said to follow from the deficiency, not to cause it. The clinical cautions that apply to
any input, mechanism or finding on the way close the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from b12kg.errors import UsageError
from b12kg.questions.paths import (
    DEFAULT_TARGETS,
    INTRACELLULAR,
    KIND_ORDER,
    CausalPath,
    paths,
    resolve_finding,
)
from b12kg.vocabulary import CAUSE_KINDS, MECHANISM_KINDS

if TYPE_CHECKING:
    from b12kg.graph.entities import Entity
    from b12kg.graph.index import GraphIndex

NATURE_NOTE = {
    "true deficiency": "true deficiency",
    "functional deficiency": "functional deficiency (serum B12 may be normal)",
    "physiological": "physiological — not a tissue deficiency",
    "binding-protein change": "binding-protein change — low serum B12 without tissue deficiency",
    "exogenous": "exogenous cobalamin (supplements or injections) — intake, not disease",
    "assay artefact": "assay artefact — the result changes, not the patient's cobalamin status",
    "pathological": "no deficiency implied",
    "mechanism unknown": "mechanism not established",
}


@dataclass(frozen=True)
class Caution:
    caution: Entity
    applies_to: tuple[Entity, ...]
    quotes: tuple[str, ...]
    sources: tuple[str, ...]

    def to_record(self) -> dict[str, object]:
        return {
            "caution": self.caution.ref(),
            "text": self.caution.definition,
            "applies_to": [e.ref() for e in self.applies_to],
            "quotes": list(self.quotes),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Explanation:
    """Structured result plus `text`; `paths` is every path used, in the documented JSON shape."""

    inputs: tuple[Entity, ...]
    paths: tuple[CausalPath, ...]
    shared: tuple[tuple[Entity, tuple[Entity, ...]], ...]
    unexplained: tuple[Entity, ...]
    cautions: tuple[Caution, ...]
    text: str

    def __iter__(self) -> Iterator[dict[str, object]]:
        """The paths used, as flat rows (`CausalPath.to_flat_record`): `pd.DataFrame(result)`."""
        return iter([p.to_flat_record() for p in self.paths])

    def to_dataframe(self):  # -> pandas.DataFrame (pandas is imported only here)
        import pandas as pd

        return pd.DataFrame.from_records(list(self))

    def __repr__(self) -> str:
        names = ", ".join(e.label for e in self.inputs)
        return f"<Explanation of {names}: {len(self.paths)} paths, {len(self.cautions)} cautions>"

    def __str__(self) -> str:
        return self.text

    def to_record(self) -> dict[str, object]:
        return {
            "inputs": [e.ref() for e in self.inputs],
            "paths": [p.to_record() for p in self.paths],
            "shared_mechanisms": [
                {"mechanism": m.ref(), "inputs": [e.ref() for e in by]} for m, by in self.shared
            ],
            "unexplained": [e.ref() for e in self.unexplained],
            "cautions": [c.to_record() for c in self.cautions],
            "text": self.text,
        }


def _best(found: list[CausalPath]) -> CausalPath:
    return min(found, key=lambda p: (KIND_ORDER[p.kind], -p.strength_rank, len(p.steps)))


def _chain_text(path: CausalPath, described: set[str]) -> str:
    """'through A → B → C'; stops at a mechanism already spelled out ('… → B (as above)')."""
    parts: list[str] = []
    for step in path.steps:
        if step.relation == "subClassOf":
            parts.append(f"is a {step.object.label};")
            continue
        target = step.object
        if target.kind == "lab_finding":
            break
        if target.id in described:
            parts.append(f"{target.label} (as above)")
            break
        parts.append(target.label)
        described.add(target.id)
    lead = parts[0] if parts and parts[0].startswith("is a ") else None
    chain = [p for p in parts if not p.startswith("is a ")]
    text = ("through " + " → ".join(chain)) if chain else "directly"
    return f"{lead} {text}" if lead else text


def _sources_text(path: CausalPath) -> str:
    sources = sorted({s for step in path.steps if step.evidence for s in step.evidence.sources})
    return ", ".join(sources)


def _quote(path: CausalPath) -> str:
    for step in path.steps:
        if step.evidence and step.evidence.quotes:
            return step.evidence.quotes[0]
    return ""


def _caution_sentence(definition: str) -> str:
    """'A clinical caution that folic acid must not …' reads better as 'Folic acid must not …'."""
    for prefix in ("A clinical caution that ", "A caution that "):
        if definition.startswith(prefix):
            rest = definition[len(prefix) :]
            return rest[:1].upper() + rest[1:]
    return definition


SPECIFIC_KINDS = frozenset({"physiological_state", "drug", "drug_class"})


def _consequences(kg: GraphIndex, mechanism_ids: set[str]) -> set[str]:
    """Conditions that follow from these mechanisms (subacute combined degeneration …)."""
    return {
        edge.subject
        for m in mechanism_ids
        for edge in kg.edges.incoming.get(m, ())
        if edge.relation == "isConsequenceOf"
    }


def deficiency_mechanisms(found: list[CausalPath]) -> set[str]:
    """The mechanisms reached by the paths filed as causes of true deficiency.

    Only these make a mechanism-linked caution apply (folic acid alone, spinal cord damage,
    both linked to cobalamin depletion): a reported-only route through cobalamin depletion
    (colchicine, Zollinger-Ellison syndrome) or a binding-protein change is no deficiency to
    treat, so its mechanisms must not bring them."""
    return {m.id for p in found if p.section == "cause" for m in p.mechanisms}


def _cautions(kg: GraphIndex, relevant: set[str], inputs: set[str]) -> list[Caution]:
    found: list[Caution] = []
    for entity in sorted(kg.entities.values(), key=lambda e: e.label):
        if entity.kind != "caution":
            continue
        edges = [e for e in kg.edges.outgoing.get(entity.id, ()) if e.relation == "appliesTo"]
        hits = [e for e in edges if e.object in relevant]
        # A caution about a physiological state or a drug (pregnancy, B12 supplements) belongs
        # with that input; one that cites a disease as its example stays general. A hit on a
        # mechanism the inputs' routes pass (cobalamin depletion) is reason enough on its own:
        # the folic-acid caution names folic acid, yet it holds for every cause of true
        # deficiency, not only for pernicious anaemia.
        specific = any(
            kg.entities[e.object].kind in SPECIFIC_KINDS and e.object not in inputs for e in edges
        )
        through_mechanism = any(kg.entities[e.object].kind in MECHANISM_KINDS for e in hits)
        if hits and (through_mechanism or not specific or any(e.object in inputs for e in hits)):
            found.append(
                Caution(
                    caution=entity,
                    applies_to=tuple(kg.entities[e.object] for e in hits),
                    quotes=tuple(sorted({q for e in hits for q in e.evidence.quotes})),
                    sources=tuple(sorted({s for e in hits for s in e.evidence.sources})),
                )
            )
    return found


def explain(
    kg: GraphIndex, names: list[str | Entity], *, finding: str | Entity | None = None
) -> Explanation:
    """Explain how the inputs (conditions, drugs) can account for a low or high serum B12."""
    if not names:
        raise UsageError("name at least one condition or drug")
    inputs = [kg.find(n, kinds=CAUSE_KINDS) if isinstance(n, str) else n for n in names]
    targets = (
        [resolve_finding(kg, finding)]
        if finding is not None
        else [kg.entities[t] for t in DEFAULT_TARGETS if t in kg.entities]
    )
    lines: list[str] = []
    used: list[CausalPath] = []
    described: set[str] = set()
    reached_by: dict[str, list[Entity]] = {}
    relevant: set[str] = {e.id for e in inputs}
    explained_ids: set[str] = set()
    for target in targets:
        rows: list[tuple[Entity, CausalPath, list[CausalPath]]] = []
        for entity in inputs:
            if entity.kind not in CAUSE_KINDS:
                raise UsageError(
                    f"'{entity.label}' is a {entity.kind}; explain takes conditions and drugs"
                )
            found = paths(kg, entity, target)
            if found:
                rows.append((entity, _best(found), found))
        if not rows:
            continue
        rows.sort(key=lambda r: (KIND_ORDER[r[1].kind], -r[1].strength_rank, r[0].label.casefold()))
        relevant.add(target.id)
        causes = [r for r in rows if r[1].kind == "causal"]
        others = [r for r in rows if r[1].kind != "causal"]
        lines.append(
            f"{target.label[0].upper()}{target.label[1:]} — "
            f"{len(causes)} of {len(inputs)} input(s) can account for it"
            + (
                f"; {len(others)} more only on weak evidence, by association or as a consequence"
                if others
                else ""
            )
            + ":"
        )
        for number, (entity, best, found) in enumerate(rows, start=1):
            explained_ids.add(entity.id)
            used.extend(found)
            relevant |= deficiency_mechanisms(found)
            for mechanism in best.mechanisms:  # the route shown; its mechanisms are named once
                by = reached_by.setdefault(mechanism.id, [])
                if entity not in by:
                    by.append(entity)
            label = {
                "causal": "cause",
                "reported": "reported only, not a cause (limited or seed-only evidence)",
                "disputed": "disputed, not a cause (contradicted by better evidence)",
                "association": "association only — not shown to cause it",
                "consequence": "a consequence of deficiency, not a cause of low B12",
            }[best.kind]
            if best.section in ("physiological change", "binding-protein change"):
                label = "accounts for the result"  # the nature says: not a tissue deficiency
            elif best.section == "misleading result":
                label = "misleading result"
            strength = f", {best.strength} evidence" if best.strength else ""
            nature = f"; {NATURE_NOTE[best.nature]}" if best.kind != "association" else ""
            lines.append(f"  {number}. {entity.label} — {label}{strength}{nature}")
            chain = _chain_text(best, described)
            if chain == "directly":
                chain = "reported together with it; no mechanism established"
            lines.append(f"     {chain}")
            for condition in dict.fromkeys(
                c for step in best.steps if step.evidence for c in step.evidence.conditions
            ):
                lines.append(f"     holds when: {condition}")
            quote = _quote(best)
            lines.append(
                f"     sources: {_sources_text(best)}" + (f' — "{quote}"' if quote else "")
            )
            if len(found) > 1:
                lines.append(
                    f'     ({len(found) - 1} further route(s): `b12kg trace "{entity.label}"`)'
                )
        lines.append("")
    shared = tuple(
        (kg.entities[m], tuple(by)) for m, by in sorted(reached_by.items()) if len(by) > 1
    )
    if shared:
        lines.append("Shared mechanisms (each named once above):")
        for mechanism, by in shared:
            lines.append(f"  - {mechanism.label}: {', '.join(e.label for e in by)}")
        lines.append("")
    if finding is None:
        # Functional deficiency: cells lack cobalamin while serum B12 may stay normal (N2O,
        # transcobalamin II deficiency). Not a serum-B12 path, and too important to omit.
        functional = []
        for entity in inputs:
            if entity.id in explained_ids:
                continue
            found = [p for p in paths(kg, entity, INTRACELLULAR) if p.kind == "causal"]
            if found:
                functional.append((entity, _best(found), found))
        if functional:
            lines.append(
                "Functional cobalamin deficiency — serum B12 may be normal; "
                "methylmalonic acid and homocysteine are the informative tests:"
            )
            for number, (entity, best, found) in enumerate(functional, start=1):
                explained_ids.add(entity.id)
                used.extend(found)
                relevant |= deficiency_mechanisms(found)
                strength = f", {best.strength} evidence" if best.strength else ""
                lines.append(f"  {number}. {entity.label} — cause{strength}")
                lines.append(f"     {_chain_text(best, described)}")
                lines.append(f"     sources: {_sources_text(best)}")
            lines.append("")
    unexplained = tuple(e for e in inputs if e.id not in explained_ids)
    if unexplained:
        lines.append("Not accounted for by the graph: " + ", ".join(e.label for e in unexplained))
        lines.append("")
    input_ids = {e.id for e in inputs}
    relevant |= _consequences(kg, relevant)
    cautions = sorted(
        _cautions(kg, relevant, input_ids),
        key=lambda c: (not any(a.id in input_ids for a in c.applies_to), c.caution.label),
    )
    if cautions:
        lines.append("Cautions:")
        for caution in cautions:
            lines.append(f"  - {_caution_sentence(caution.caution.definition)}")
            if caution.quotes:
                lines.append(f'    ({", ".join(caution.sources)}: "{caution.quotes[0]}")')
    if not used:
        lines.insert(
            0, "None of the inputs has a path to " + " or ".join(t.label for t in targets) + "."
        )
    return Explanation(
        inputs=tuple(inputs),
        paths=tuple(used),
        shared=shared,
        unexplained=unexplained,
        cautions=tuple(cautions),
        text="\n".join(lines).rstrip() + "\n",
    )
