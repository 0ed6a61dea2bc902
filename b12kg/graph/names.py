"""Names people type → entities: labels, synonyms, cross-reference codes, ids and IRIs.

Matching is case-, accent- and punctuation-insensitive (`normalise`). A name shared by several
entities is refused with the candidates rather than guessed; an unknown one gets the closest
names as suggestions, so the user can retry.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from b12kg.errors import UnknownEntity
from b12kg.graph.entities import Entity
from b12kg.vocabulary import local_name


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Gräsbeck' ~ 'grasbeck', "Crohn's" ~ 'crohns'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = stripped.casefold().replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9:.]+", " ", lowered).strip()


def name_keys(entity: Entity) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An entity's normalised keys: (every name it is found by, in order; the names `search`
    ranks, label first). Precomputed in the packaged index, so a load never normalises."""
    lookup = [
        normalise(name)
        for name in (entity.id, entity.iri, entity.label, *entity.synonyms, *entity.xrefs)
    ]
    lookup.append(normalise(entity.id.replace("_", " ")))
    label_key = normalise(entity.label)
    searched = dict.fromkeys(
        [label_key, *(normalise(n) for n in (*entity.synonyms, *entity.xrefs))]
    )
    return tuple(lookup), tuple(searched)


class NameIndex:
    """Normalised name → entity ids, built once per loaded graph.

    `keys` (entity id → `name_keys(entity)`) may come precomputed (the packaged index)."""

    def __init__(
        self,
        entities: dict[str, Entity],
        keys: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
    ):
        self.entities = entities
        self.keys = keys if keys is not None else {e.id: name_keys(e) for e in entities.values()}
        self.ids_by_name: dict[str, set[str]] = {}
        for entity in entities.values():
            for key in self.keys[entity.id][0]:
                self.ids_by_name.setdefault(key, set()).add(entity.id)

    def find(self, name: str) -> Entity:
        """The one entity `name` denotes; UnknownEntity (with suggestions) otherwise."""
        text = name.strip()
        exact = local_name(text)  # an id or our IRI names one entity, whatever synonyms collide
        if exact in self.entities:
            return self.entities[exact]
        key = normalise(text)
        ids = self.ids_by_name.get(key, set())
        if len(ids) > 1:  # a label outranks a colliding synonym ("macro-vitamin B12")
            ids = {i for i in ids if self.keys[i][1][0] == key} or ids
        if len(ids) == 1:
            return self.entities[next(iter(ids))]
        if ids:
            raise UnknownEntity(name, sorted(self.entities[i].label for i in ids))
        raise UnknownEntity(name, self.suggestions(name))

    def suggestions(self, name: str, *, limit: int = 5) -> list[str]:
        """Labels of the entities whose names are closest to `name`."""
        key = normalise(name)
        candidates = difflib.get_close_matches(key, list(self.ids_by_name), n=8, cutoff=0.6)
        labels: list[str] = []
        for candidate in candidates + [n for n in self.ids_by_name if key and key in n]:
            for entity_id in sorted(self.ids_by_name[candidate]):
                label = self.entities[entity_id].label
                if label not in labels:
                    labels.append(label)
        return labels[:limit]

    def search(self, text: str, *, limit: int = 10) -> list[Entity]:
        """Entities whose names contain `text`, best first.

        Ranking: exact name, then name starting with the text, then a word starting with it,
        then anywhere; a match on the label beats one on a synonym; shorter names first.
        Close misspellings (similarity >= 0.75) come last.
        """
        key = normalise(text)
        if not key:
            return []
        best: dict[str, tuple[float, int, int]] = {}
        for entity in self.entities.values():
            searched = self.keys[entity.id][1]
            label_key = searched[0]
            for name in searched:
                if name == key:
                    tier = 4.0
                elif name.startswith(key):
                    tier = 3.0
                elif f" {key}" in f" {name}":
                    tier = 2.0
                elif key in name:
                    tier = 1.0
                else:
                    ratio = difflib.SequenceMatcher(None, key, name).ratio()
                    tier = ratio - 1.0 if ratio >= 0.75 else -9.0
                if tier < -1.0:
                    continue
                score = (tier, 1 if name == label_key else 0, -len(name))
                if score > best.get(entity.id, (-9.0, 0, 0)):
                    best[entity.id] = score
        ranked = sorted(best, key=lambda i: (tuple(-x for x in best[i]), self.entities[i].label))
        return [self.entities[i] for i in ranked[:limit]]
