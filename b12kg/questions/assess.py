"""One patient assessed: conditions, drugs and lab values → findings → ranked causes.

Lab values (`B12=150 pmol/L`, `MMA 0.6 umol/L`, `holoTC 20 pmol/L`, `B12 220 ng/L`,
`tHcy 18`) are classified against the sourced decision bands of `thresholds.tsv` (read from
the built `b12kg.tables.json`), converting pmol/L ↔ ng/L with the table's own conversion row
and SI prefixes (nmol/L ↔ µmol/L) by definition. Which band of which source classified a value
is part of the result; so is an indeterminate band. The findings and the patient's own
conditions and drugs are then ranked together (`differential.rank_causes`, inputs first in
each section), with the tests that would tell the leaders apart and the cautions that apply.

Source precedence: the first source listed for the analyte in thresholds.tsv with a band for
the value (in the value's own unit when that source has it) classifies it — the curators list
the guideline (NICE NG239) first —; when that band is an open-ended "normal" band, a later
source's "high" band for the value is used instead (NICE has no band for a high B12). A value
outside every band but at or above a "normal" band's upper limit (MMA, homocysteine) is
"above the normal limit".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from b12kg.errors import UnknownEntity, UsageError
from b12kg.questions.differential import Differential, rank_causes
from b12kg.questions.explain import Caution, _cautions, _consequences, deficiency_mechanisms
from b12kg.vocabulary import CAUSE_KINDS

if TYPE_CHECKING:
    from b12kg.graph.entities import Entity
    from b12kg.graph.index import GraphIndex
    from b12kg.graph.tables import Threshold

B12 = "serum total vitamin B12"
HOLOTC = "serum holotranscobalamin (active B12)"
MMA = "serum methylmalonic acid"
HCY = "plasma total homocysteine"
#: What people type for each analyte of thresholds.tsv (folded: lower case, letters and digits).
ANALYTE_NAMES = {
    **dict.fromkeys(
        ("b12", "vitb12", "vitaminb12", "serumb12", "totalb12", "cobalamin", "cbl"), B12
    ),
    **dict.fromkeys(("holotc", "holotranscobalamin", "activeb12", "holotcii"), HOLOTC),
    **dict.fromkeys(("mma", "methylmalonicacid", "serummma"), MMA),
    **dict.fromkeys(("thcy", "hcy", "homocysteine", "totalhomocysteine", "plasmahcy"), HCY),
}
#: The graph's lab findings an abnormal value of each analyte stands for.
ANALYTE_FINDINGS = {
    B12: {"low": "serum_b12_decreased", "high": "serum_b12_increased"},
    HOLOTC: {"low": "holotranscobalamin_decreased", "high": "holotranscobalamin_increased"},
    MMA: {"high": "methylmalonic_acid_increased"},
    HCY: {"high": "homocysteine_increased"},
}
BAND_SIDE = {"deficient": "low", "indeterminate": "low", "high": "high"}
MOLAR = {"pmol/l": 1e-12, "nmol/l": 1e-9, "µmol/l": 1e-6, "mmol/l": 1e-3}
MASS = {"ng/l": 1.0, "pg/ml": 1.0}  # 1 ng/L = 1 pg/mL (the conversion row of thresholds.tsv)
YES = {"", "yes", "y", "true", "1", "present", "positive", "pos", "+"}
NO = {"no", "n", "false", "0", "absent", "negative", "neg", "-"}
_ITEM = re.compile(
    r"^\s*(?P<name>.+?)\s*(?:=|:|\s)\s*(?P<value>[<>]?\s*[-+]?\d+(?:[.,]\d+)?)\s*(?P<unit>\S.*)?$"
)


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


@lru_cache(maxsize=1024)
def _unit(text: str) -> str:
    unit = text.strip().replace("μ", "µ").replace("umol", "µmol").replace("mcmol", "µmol")
    return unit.lower().replace(" ", "").replace("per", "/")


def analyte_of(name: str) -> str | None:
    return ANALYTE_NAMES.get(_fold(name))


@dataclass(frozen=True)
class LabResult:
    """One lab value, classified: which band of which source, and the finding it stands for."""

    item: str  # as given
    analyte: str
    value: float
    unit: str  # as given ("" when none)
    status: str  # deficient | indeterminate | normal | high | above normal limit | unclassified
    threshold: Threshold | None  # the band that classified it
    compared_as: str  # the value in the band's unit, e.g. "150 pmol/L"
    finding: Entity | None  # the graph's finding it stands for (None when normal)
    notes: tuple[str, ...] = ()

    @property
    def indeterminate(self) -> bool:
        return self.status == "indeterminate"

    def describe(self) -> str:
        value = f"{self.value:g} {self.unit}".strip()
        if self.threshold is None:
            return f"{self.item}: {value} — {self.status}"
        band = self.threshold.describe()
        word = self.status if self.status != "above normal limit" else "above the normal limit"
        return (
            f"{self.analyte} {value} — {word} ({band}, {self.threshold.source}"
            + (f"; compared as {self.compared_as}" if self.compared_as != value else "")
            + ")"
            + (f" → {self.finding.label}" if self.finding else "")
        )

    def to_record(self) -> dict[str, object]:
        return {
            "item": self.item,
            "analyte": self.analyte,
            "value": self.value,
            "unit": self.unit or None,
            "status": self.status,
            "indeterminate": self.indeterminate,
            "threshold": self.threshold.to_record() if self.threshold else None,
            "compared_as": self.compared_as,
            "finding": self.finding.ref() if self.finding else None,
            "notes": list(self.notes),
        }


def _convert(kg: GraphIndex, analyte: str, value: float, unit: str, target: str) -> float | None:
    u, t = _unit(unit), _unit(target)
    if u == t:
        return value
    if u in MOLAR and t in MOLAR:
        return value * MOLAR[u] / MOLAR[t]
    if u in MASS and t in MASS:
        return value * MASS[u] / MASS[t]
    factor = kg.tables.conversions.get(analyte)
    if factor is None:
        return None
    pmol_per_ngl = factor[0]
    if u in MASS and t in MOLAR:  # ng/L → pmol/L → target
        return _convert(kg, analyte, value * MASS[u] * pmol_per_ngl, "pmol/L", target)
    if u in MOLAR and t in MASS:
        pmol = value * MOLAR[u] / MOLAR["pmol/l"]
        return pmol / pmol_per_ngl / MASS[t]
    return None


def classify(kg: GraphIndex, item: str, analyte: str, value: float, unit: str) -> LabResult:
    """Classify one value against the sourced bands (see the module docstring for precedence)."""
    rows = [t for t in kg.tables.thresholds if t.analyte == analyte]
    if not rows:
        raise UsageError(f"{item}: no sourced thresholds for {analyte} in this graph's tables")
    units = list(dict.fromkeys(t.unit for t in rows))
    notes: list[str] = []
    if not unit:
        if len(units) > 1:
            raise UsageError(
                f"{item}: give a unit ({' or '.join(units)}); the thresholds for {analyte} differ by unit"
            )
        unit = ""
        notes.append(f"no unit given; read as {units[0]}, the only unit its thresholds use")
    given_unit = unit or units[0]
    if not any(_convert(kg, analyte, value, given_unit, u) is not None for u in units):
        raise UsageError(f"{item}: unknown unit '{unit}' for {analyte}; use {' or '.join(units)}")
    readings: list[tuple[Threshold, float]] = []
    above: list[tuple[Threshold, float]] = []
    for source in dict.fromkeys(t.source for t in rows):
        own = [t for t in rows if t.source == source]
        preferred = [t for t in own if _unit(t.unit) == _unit(given_unit)] or own
        for t in preferred:
            converted = _convert(kg, analyte, value, given_unit, t.unit)
            if converted is None:
                continue
            if t.covers(converted):
                readings.append((t, converted))
                break
            if t.band == "normal" and t.upper is not None and converted >= t.upper:
                above.append((t, converted))
    chosen: tuple[Threshold, float] | None = readings[0] if readings else None
    if chosen and chosen[0].band == "normal" and chosen[0].upper is None:
        highs = [r for r in readings[1:] if r[0].band == "high"]
        own_unit = [r for r in highs if _unit(r[0].unit) == _unit(given_unit)]
        chosen = (own_unit or highs or [chosen])[0]
    if chosen is not None:
        threshold, converted = chosen
        status = threshold.band
        side = BAND_SIDE.get(status)
    elif above:
        threshold, converted = above[0]
        status, side = "above normal limit", "high"
    else:
        threshold, converted, status, side = None, value, "unclassified", None
        notes.append("no sourced band covers this value")
    finding_id = ANALYTE_FINDINGS.get(analyte, {}).get(side) if side else None
    finding = kg.entities.get(finding_id) if finding_id else None
    if status == "indeterminate":
        notes.append("indeterminate band: counted as a possible low, not a confirmed one")
    converted_unit = threshold is not None and (not unit or _unit(threshold.unit) != _unit(unit))
    compared = (
        f"{converted:.4g} {threshold.unit}" if converted_unit else f"{value:g} {unit}".strip()
    )
    return LabResult(
        item=item,
        analyte=analyte,
        value=value,
        unit=unit,
        status=status,
        threshold=threshold,
        compared_as=compared,
        finding=finding,
        notes=tuple(notes),
    )


def _number(item: str, text: str) -> float:
    cleaned = text.strip().lstrip("<>").strip().replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise UsageError(f"{item}: '{text}' is not a number") from None


@dataclass(frozen=True)
class Item:
    """One parsed input: a lab value, a condition or drug, or a finding; `present` False = a
    negative answer (recorded, not used)."""

    text: str
    kind: str  # lab | input | finding
    lab: LabResult | None = None
    entity: Entity | None = None
    present: bool = True


def read_item(kg: GraphIndex, name: str, value: str = "", unit: str = "") -> Item:
    """One item as a long table gives it (name or code, value, unit)."""
    text = " ".join(p for p in (name, value, unit) if p).strip()
    if not name.strip():
        raise UsageError(f"{text or '(empty)'}: the item has no name")
    analyte = analyte_of(name)
    if analyte is not None:
        if not value.strip():
            raise UsageError(f"{name}: a lab item needs a value")
        return Item(
            text, "lab", lab=classify(kg, text, analyte, _number(name, value), unit.strip())
        )
    entity = kg.find(name, kinds=CAUSE_KINDS | {"lab_finding"})
    answer = value.strip().casefold()
    if answer not in YES | NO:
        raise UsageError(
            f"{name}: '{value}' is not a yes/no answer (a condition, drug or finding takes "
            "yes/no, positive/negative, or nothing)"
        )
    kind = "finding" if entity.kind == "lab_finding" else "input"
    return Item(text, kind, entity=entity, present=answer in YES)


def parse_item(kg: GraphIndex, text: str) -> Item:
    """One item as typed: `B12=150 pmol/L`, `MMA 0.6 umol/L`, `tHcy 18`, `metformin`."""
    match = _ITEM.match(text)
    if match and analyte_of(match["name"]) is not None:
        return read_item(kg, match["name"], match["value"], match["unit"] or "")
    if analyte_of(text) is not None:
        raise UsageError(f"{text}: a lab item needs a value, e.g. '{text}=150 pmol/L'")
    try:
        return read_item(kg, text)
    except UnknownEntity:
        words = re.split(r"\s*[=:]\s*|\s+", text.strip())
        for cut in range(1, len(words)):  # 'B12 abc pmol/L': an analyte, then not a number
            analyte = analyte_of(" ".join(words[:cut]))
            if analyte is not None:
                try:
                    _number(text, words[cut])
                except UsageError:
                    raise UsageError(
                        f"{text}: '{words[cut]}' is not a number (for a {analyte} value), and "
                        "the item is no condition, drug or finding either"
                    ) from None
        raise


@dataclass(frozen=True)
class Assessment:
    """The patient's items classified, the candidates ranked, the next tests, the cautions."""

    items: tuple[Item, ...]
    labs: tuple[LabResult, ...]
    inputs: tuple[Entity, ...]
    findings: tuple[Entity, ...]
    differential: Differential | None
    not_accounted: tuple[Entity, ...]  # inputs with no path to any finding
    cautions: tuple[Caution, ...]
    rule: str = field(default="")

    @property
    def candidates(self):
        return self.differential.candidates if self.differential else ()

    @property
    def tests(self):
        return self.differential.tests if self.differential else ()

    def __iter__(self) -> Iterator[dict[str, object]]:
        return iter([c.to_flat_record() for c in self.candidates])

    def to_dataframe(self):  # -> pandas.DataFrame (pandas is imported only here)
        import pandas as pd

        return pd.DataFrame.from_records(list(self))

    def to_record(self) -> dict[str, object]:
        return {
            "labs": [lab.to_record() for lab in self.labs],
            "inputs": [e.ref() for e in self.inputs],
            "findings": [f.ref() for f in self.findings],
            "negative": [i.text for i in self.items if not i.present],
            "candidates": [c.to_record() for c in self.candidates],
            "next_tests": [
                {"finding": f.ref(), "predicted_by": [c.ref() for c in by]} for f, by in self.tests
            ],
            "not_accounted_for": [e.ref() for e in self.not_accounted],
            "cautions": [c.to_record() for c in self.cautions],
            "rule": self.rule,
        }


def assess(
    kg: GraphIndex, items: list[str | Item], *, limit: int = 10, with_cautions: bool = True
) -> Assessment:
    """Assess one patient from typed items (or `Item`s from `read_item`)."""
    if not items:
        raise UsageError("give at least one item: a condition, a drug or a lab value")
    parsed = [i if isinstance(i, Item) else parse_item(kg, i) for i in items]
    labs = tuple(i.lab for i in parsed if i.lab is not None)
    inputs = tuple(dict.fromkeys(i.entity for i in parsed if i.kind == "input" and i.present))
    findings = [lab.finding for lab in labs if lab.finding is not None]
    findings += [i.entity for i in parsed if i.kind == "finding" and i.present]
    findings = list(dict.fromkeys(findings))
    measured = frozenset(
        kg.entities[f].analyte
        for lab in labs
        for f in ANALYTE_FINDINGS.get(lab.analyte, {}).values()
        if f in kg.entities
    ) | frozenset(i.entity.analyte for i in parsed if i.kind == "finding")
    differential = (
        rank_causes(kg, list(findings), inputs=inputs, measured=measured, limit=limit)
        if findings
        else None
    )
    ranked = {c.cause.id for c in differential.candidates} if differential else set()
    not_accounted = tuple(e for e in inputs if e.id not in ranked)
    cautions: tuple[Caution, ...] = ()
    if with_cautions:
        relevant = {e.id for e in inputs} | {f.id for f in findings}
        for candidate in differential.candidates[:5] if differential else ():
            relevant.add(candidate.cause.id)
            relevant |= deficiency_mechanisms(list(candidate.paths))
        relevant |= _consequences(kg, relevant)
        input_ids = {e.id for e in inputs}
        cautions = tuple(
            sorted(
                _cautions(kg, relevant, input_ids),
                key=lambda c: (not any(a.id in input_ids for a in c.applies_to), c.caution.label),
            )
        )
    return Assessment(
        items=tuple(parsed),
        labs=labs,
        inputs=inputs,
        findings=tuple(findings),
        differential=differential,
        not_accounted=not_accounted,
        cautions=cautions,
        rule=differential.rule if differential else "",
    )
