"""Names people type → entities: labels, synonyms, cross-reference codes, ids and IRIs.

Matching is case-, accent- and punctuation-insensitive (`normalise`). A lookup tries, in
order, and stops at the first stage that names exactly one entity of the kinds asked for:

1. an id or IRI; the exact name (label, synonym, id with spaces); a label outranks a
   colliding synonym;
2. a cross-reference code in any common spelling: `DOID:13381`, `DOID_13381`, `D51.0`,
   `D510`, `ICD-10 D51.0`, `ICD10CM:D51.0`, `A02BC01`, `MeSH D000752` (bare codes only for
   ICD-10, ICD-10-CM, ATC and MeSH, whose codes carry letters);
3. the name as a whole word or phrase of one entity's name (`gastrectomy` → *condition
   after gastrectomy*; `Hashimoto` → *Hashimoto's thyroiditis*) — unless the name is
   exactly that of an entity of another kind (`liver`), when the word matches are offered;
4. one clear misspelling (edit distance 1, or 2 for names of twelve characters or more).

Stages 3 and 4, and a redirect (below), are reported as a notice ("taking 'pernicious
anemia' for 'pernicous anemia'") so the caller can show it; the CLI prints it on stderr.

`kinds` restricts every stage to the kinds a verb takes (trace: conditions and drugs;
causes: findings and mechanisms). An organism asked for where a condition is wanted is
redirected to the infection it causes, through the has-causal-agent link (`fish tapeworm` →
*diphyllobothriasis*). A name that fits several entities is refused with the candidates
rather than guessed; an unknown one gets the closest names of the right kinds as suggestions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from functools import cached_property

from b12kg.errors import AmbiguousName, UnknownEntity
from b12kg.frozen import frozen
from b12kg.graph.entities import Entity
from b12kg.vocabulary import local_name

#: Spellings of a vocabulary prefix (compared upper-case, punctuation removed) → our prefix.
CODE_PREFIXES = {
    "ICD10": "ICD10",
    "ICD": "ICD10",
    "ICD10WHO": "ICD10",
    "ICD10CM": "ICD10CM",
    "MESH": "MESH",
    "MSH": "MESH",
    "ATC": "ATC",
    "DOID": "DOID",
    "MONDO": "MONDO",
    "HP": "HP",
    "HPO": "HP",
    "CHEBI": "CHEBI",
    "NCIT": "NCIT",
    "NCI": "NCIT",
    "UNIPROT": "UNIPROTKB",
    "UNIPROTKB": "UNIPROTKB",
    "HGNC": "HGNC",
    "UBERON": "UBERON",
    "CL": "CL",
}
#: How a kind reads in a sentence, where its id does not.
KIND_NAMES = {
    "anatomy": "anatomical entity",
    "lab_finding": "lab finding",
    "caution": "clinical caution",
}
#: Vocabularies whose codes are recognisable without their prefix (they contain letters).
BARE_CODE_PREFIXES = frozenset({"ICD10", "ICD10CM", "ATC", "MESH"})


_NOT_KEY = re.compile(r"[^a-z0-9:.]+")


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Gräsbeck' ~ 'grasbeck', "Crohn's" ~ 'crohns'."""
    if not text.isascii():  # most names are ASCII: skip the Unicode work for them
        import unicodedata  # only for text that is not plain ASCII

        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = text.casefold().replace("'", "").replace("’", "")
    return _NOT_KEY.sub(" ", lowered).strip()


def _code_local(local: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", local.upper())


def code_keys(curie: str) -> list[str]:
    """Index keys of one cross-reference: its prefix and its code without punctuation (the
    curated ICD10:D51.0 is found as 'D51.0', 'D510' or 'ICD-10 D51.0'), and the bare code
    alone where that is safe."""
    prefix, sep, local = curie.partition(":")
    canon = CODE_PREFIXES.get(_code_local(prefix))
    if not sep or canon is None or not _code_local(local):
        return []
    keys = [f"{canon}:{_code_local(local)}"]
    if canon in BARE_CODE_PREFIXES:
        keys.append(_code_local(local))
    return keys


def code_key(text: str) -> str | None:
    """The index key of a code as typed ('ICD-10 D51.0', 'DOID_13381', 'D510', an OBO IRI)."""
    text = text.strip()
    if "/" in text or "#" in text:  # an IRI: http://purl.obolibrary.org/obo/DOID_13381
        text = re.split(r"[/#]", text)[-1]
    parts = [p for p in re.split(r"[\s:_]+", text) if p]
    if not parts or len(parts) > 4:
        return None
    local = _code_local(parts[-1])
    if not re.search(r"\d", local):
        return None
    if len(parts) == 1:
        return local
    canon = CODE_PREFIXES.get(_code_local("".join(parts[:-1])))
    return f"{canon}:{local}" if canon else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition costs 1); `limit + 1` once above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _tokens_match(wanted: list[str], name: list[str]) -> bool:
    """`wanted` occurs as a run of whole words of `name` (a trailing 's' either side is ignored)."""

    def same(a: str, b: str) -> bool:
        return a == b or a + "s" == b or a == b + "s"

    n = len(wanted)
    return any(
        all(same(w, t) for w, t in zip(wanted, name[i : i + n], strict=True))
        for i in range(len(name) - n + 1)
    )


@frozen
class Match:
    """What a name resolved to, and a notice when that took more than an exact match."""

    entity: Entity
    notice: str | None = None


class NameIndex:
    """Normalised name → entity ids, built once per loaded graph.

    `caused_by(organism_id)` gives the conditions with that organism as causal agent; it is
    asked only when an organism is named where a condition is wanted.
    """

    def __init__(
        self,
        entities: dict[str, Entity],
        *,
        caused_by: Callable[[str], Iterable[str]] | None = None,
    ):
        self.entities = entities
        self.caused_by = caused_by
        self.ids_by_name: dict[str, set[str]] = {}
        self.ids_by_code: dict[str, Counter[str]] = {}
        #: (normalised label or synonym, its words, entity id): for word and misspelling matches
        self.phrases: list[tuple[str, list[str], str]] = []
        #: entity id -> (normalised label, every normalised name `search` ranks, label first)
        self.search_keys: dict[str, tuple[str, tuple[str, ...]]] = {}
        for entity in entities.values():
            label_key = normalise(entity.label)
            synonym_keys = [normalise(n) for n in entity.synonyms]
            names = {label_key, *synonym_keys}
            for name in sorted(names):  # sorted: the packaged index is byte-deterministic
                if name:
                    self.phrases.append((name, name.split(), entity.id))
            xref_keys = [normalise(n) for n in entity.xrefs]
            id_words = entity.id.replace("_", " ")
            names.update(normalise(n) for n in (entity.id, entity.iri, id_words))
            names.update(xref_keys)
            for name in names:
                self.ids_by_name.setdefault(name, set()).add(entity.id)
            for xref in entity.xrefs:
                for key in code_keys(xref):
                    self.ids_by_code.setdefault(key, Counter())[entity.id] += 1
            ranked = tuple(dict.fromkeys([label_key, *synonym_keys, *xref_keys]))
            self.search_keys[entity.id] = (label_key, ranked)

    def state(self) -> dict[str, object]:
        """Everything normalisation produced, as plain JSON values (the packaged index keeps it,
        so a load of the packaged graph never normalises a name)."""
        return {
            "names": [[k, sorted(v)] for k, v in sorted(self.ids_by_name.items())],
            "codes": [[k, sorted(c.items())] for k, c in sorted(self.ids_by_code.items())],
            "phrases": [[name, entity_id] for name, _, entity_id in self.phrases],
            "search": [[i, label, list(keys)] for i, (label, keys) in self.search_keys.items()],
        }

    @classmethod
    def from_state(
        cls,
        entities: dict[str, Entity],
        state: dict,
        *,
        caused_by: Callable[[str], Iterable[str]] | None = None,
    ) -> NameIndex:
        """The index `state()` described, without normalising anything again.

        Only the exact names are unpacked now: the codes, phrases and search keys (three
        quarters of the unpacking) wait for the first lookup that gets past an exact name.
        """
        index = cls.__new__(cls)
        index.entities = entities
        index.caused_by = caused_by
        index.ids_by_name = {k: set(v) for k, v in state["names"]}
        index._state = state
        return index

    # The tables `from_state` leaves packed, unpacked on first use (`__init__` sets them).
    @cached_property
    def ids_by_code(self) -> dict[str, Counter[str]]:
        return {k: Counter(dict(v)) for k, v in self._state["codes"]}

    @cached_property
    def phrases(self) -> list[tuple[str, list[str], str]]:
        return [(name, name.split(), entity_id) for name, entity_id in self._state["phrases"]]

    @cached_property
    def search_keys(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        return {i: (label, tuple(keys)) for i, label, keys in self._state["search"]}

    # --- lookup ------------------------------------------------------------------------------

    def find(self, name: str, *, kinds: Collection[str] | None = None) -> Entity:
        """The one entity `name` denotes; UnknownEntity (with suggestions) otherwise."""
        return self.resolve(name, kinds=kinds).entity

    def resolve(self, name: str, *, kinds: Collection[str] | None = None) -> Match:
        """Like `find`, with the notice to show when the match was not exact."""
        text = name.strip()
        wrong_kind: set[str] = set()
        exact = local_name(text)  # an id or our IRI names one entity, whatever synonyms collide
        if exact in self.entities:
            if kinds is None or self._within({exact}, kinds):
                return self._exact(name, {exact}, kinds, prefer_label=False)
            wrong_kind.add(exact)
        key = normalise(text)
        if not key:
            raise UnknownEntity(name, [])
        ids = self.ids_by_name.get(key, set())
        if ids and not wrong_kind:
            if kinds is None or self._within(ids, kinds):
                return self._exact(name, ids, kinds, prefer_label=True)
            wrong_kind = ids
        coded = self.ids_by_code.get(code_key(text) or "", Counter())
        if coded:
            within = {i for i in coded if kinds is None or self.entities[i].kind in kinds}
            if within:
                top = max(coded[i] for i in within)  # the entity matched in most vocabularies
                best = {i for i in within if coded[i] == top}
                return self._exact(name, best, None, prefer_label=False)
            wrong_kind |= set(coded)
        words = self._word_matches(key, kinds)
        if wrong_kind:  # it names something, of another kind: offer, never take, a word match
            if words:
                kind = KIND_NAMES.get(k := self.entities[min(wrong_kind)].kind, k.replace("_", " "))
                article = "an" if kind[0] in "aeiou" else "a"
                raise AmbiguousName(
                    name, self._labels(words), reason=f"'{name.strip()}' names {article} {kind}"
                )
            return self._exact(name, wrong_kind, None, prefer_label=True)  # the verb explains
        if len(words) == 1:
            return self._taking(name, words)
        close = self._misspelt(key, kinds)
        if len(close) == 1:
            return self._taking(name, close)
        if words or close:
            raise AmbiguousName(name, self._labels(words | close))
        raise UnknownEntity(name, self.suggestions(name, kinds=kinds))

    def _within(self, ids: Iterable[str], kinds: Collection[str] | None) -> dict[str, str]:
        """Each of `ids` of the wanted kinds, or what it redirects to → the id it came from."""
        out: dict[str, str] = {}
        for entity_id in ids:
            if kinds is None or self.entities[entity_id].kind in kinds:
                out.setdefault(entity_id, entity_id)
            else:
                for target in self._redirect(entity_id, kinds):
                    out.setdefault(target, entity_id)
        return out

    def _redirect(self, entity_id: str, kinds: Collection[str]) -> list[str]:
        """An organism → the infection it causes (else the conditions it causes)."""
        if self.entities[entity_id].kind != "organism" or self.caused_by is None:
            return []
        caused = sorted(c for c in self.caused_by(entity_id) if self.entities[c].kind in kinds)
        infections = [c for c in caused if self.entities[c].kind == "infection"]
        return infections or caused

    def _exact(
        self, name: str, ids: set[str], kinds: Collection[str] | None, *, prefer_label: bool
    ) -> Match:
        within = self._within(ids, kinds)
        chosen = set(within) or ids
        if len(chosen) > 1 and prefer_label:  # a label outranks a colliding synonym
            key = normalise(name)
            chosen = {i for i in chosen if normalise(self.entities[i].label) == key} or chosen
        if len(chosen) > 1:
            raise AmbiguousName(name, self._labels(chosen))
        (entity_id,) = chosen
        origin = within.get(entity_id, entity_id)
        if origin != entity_id:
            return Match(
                self.entities[entity_id],
                f"taking '{self.entities[entity_id].label}' (caused by "
                f"{self.entities[origin].label}) for '{name.strip()}'",
            )
        return Match(self.entities[entity_id])

    def _taking(self, name: str, ids: set[str]) -> Match:
        (entity_id,) = ids
        entity = self.entities[entity_id]
        return Match(entity, f"taking '{entity.label}' for '{name.strip()}'")

    def _word_matches(self, key: str, kinds: Collection[str] | None) -> set[str]:
        wanted = key.split()
        hits = {i for name, words, i in self.phrases if _tokens_match(wanted, words)}
        return set(self._within(hits, kinds))

    def _misspelt(self, key: str, kinds: Collection[str] | None) -> set[str]:
        """Entities with a name one slip away (two for long names); none for short keys."""
        if len(key) < 5:
            return set()
        limit = 1 if len(key) < 12 else 2
        best, hits = limit + 1, set()
        for name, _, entity_id in self.phrases:
            if len(name) < 4:
                continue
            distance = edit_distance(key, name, limit)
            if distance < best:
                best, hits = distance, {entity_id}
            elif distance == best:
                hits.add(entity_id)
        return set(self._within(hits, kinds)) if best <= limit else set()

    def _labels(self, ids: Iterable[str]) -> list[str]:
        return sorted({self.entities[i].label for i in ids}, key=str.casefold)

    def suggestions(
        self, name: str, *, kinds: Collection[str] | None = None, limit: int = 5
    ) -> list[str]:
        """Labels of the entities (of the wanted kinds) whose names are closest to `name`."""
        key = normalise(name)
        import difflib  # only when a name did not match

        candidates = difflib.get_close_matches(key, list(self.ids_by_name), n=12, cutoff=0.6)
        labels: list[str] = []
        for candidate in candidates + [n for n in self.ids_by_name if key and key in n]:
            for entity_id in sorted(self._within(self.ids_by_name[candidate], kinds)):
                label = self.entities[entity_id].label
                if label not in labels:
                    labels.append(label)
        return labels[:limit]

    def search(self, text: str, *, limit: int = 10) -> list[Entity]:
        """Entities whose names contain `text`, best first.

        Ranking: a cross-reference code in any spelling (`D510`), exact name, then name
        starting with the text, then a word starting with it,
        then anywhere; a match on the label beats one on a synonym; shorter names first.
        Close misspellings (similarity >= 0.75) come last.
        """
        key = normalise(text)
        if not key:
            return []
        from difflib import SequenceMatcher  # search ranks close misspellings last

        best: dict[str, tuple[float, int, int]] = {}
        coded = self.ids_by_code.get(code_key(text) or "", Counter())  # D510, ICD-10 D51.0
        for entity_id, vocabularies in coded.items():
            best[entity_id] = (5.0, vocabularies, 0)  # matched in more vocabularies first
        for entity in self.entities.values():
            label_key, ranked = self.search_keys[entity.id]
            for name in ranked:
                if name == key:
                    tier = 4.0
                elif name.startswith(key):
                    tier = 3.0
                elif f" {key}" in f" {name}":
                    tier = 2.0
                elif key in name:
                    tier = 1.0
                else:
                    ratio = SequenceMatcher(None, key, name).ratio()
                    tier = ratio - 1.0 if ratio >= 0.75 else -9.0
                if tier < -1.0:
                    continue
                score = (tier, 1 if name == label_key else 0, -len(name))
                if score > best.get(entity.id, (-9.0, 0, 0)):
                    best[entity.id] = score
        ranked = sorted(best, key=lambda i: (tuple(-x for x in best[i]), self.entities[i].label))
        return [self.entities[i] for i in ranked[:limit]]
