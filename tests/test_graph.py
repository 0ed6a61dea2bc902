"""Loading and finding entities: by label, synonym, CURIE, id or IRI; accents and case ignored."""

from __future__ import annotations

import pytest

import b12kg
from b12kg.errors import UnknownEntity, UsageError

from .conftest import ONTOLOGY


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Pernicious Anemia", "pernicious_anemia"),
        ("Addison-Biermer disease", "pernicious_anemia"),
        ("DOID:13381", "pernicious_anemia"),
        ("https://w3id.org/b12kg/pernicious_anemia", "pernicious_anemia"),
        ("pernicious_anemia", "pernicious_anemia"),
        ("Imerslund-Gräsbeck syndrome", "imerslund_grasbeck_syndrome"),
        ("imerslund grasbeck syndrome", "imerslund_grasbeck_syndrome"),
        ("PPI", "proton_pump_inhibitor"),
        ("fish tapeworm", "diphyllobothrium"),
    ],
)
def test_find_resolves_the_names_people_use(kg, name: str, expected: str) -> None:
    assert kg.find(name).id == expected


def test_unknown_name_lists_close_matches(kg) -> None:
    with pytest.raises(UnknownEntity) as raised:
        kg.find("kronz dizeaze")
    assert "Crohn's disease" in raised.value.suggestions
    assert raised.value.exit_code == 2


def test_search_ranks_exact_before_partial(kg) -> None:
    found = kg.search("gastritis")
    assert found[0].label == "atrophic gastritis", [e.label for e in found]
    assert {e.id for e in found} >= {"atrophic_gastritis", "autoimmune_atrophic_gastritis"}


def test_load_another_file_gives_the_same_answers(kg, tmp_path) -> None:
    """The same graph as N-Triples in another folder: read the slow way (no packaged index)."""
    import pyoxigraph as ox

    copy = tmp_path / "copy.nt"
    ox.serialize(
        ox.parse(path=str(ONTOLOGY / "b12kg.ttl"), format=ox.RdfFormat.TURTLE),
        output=str(copy),
        format=ox.RdfFormat.N_TRIPLES,
    )
    other = b12kg.load(copy)
    assert other.backend.description == str(copy)
    assert [p.to_record() for p in other.paths("pregnancy")] == [
        p.to_record() for p in kg.paths("pregnancy")
    ]


def test_load_a_missing_or_foreign_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(UsageError, match="no such graph file"):
        b12kg.load(tmp_path / "absent.ttl")
    with pytest.raises(UsageError, match=r"expected \.ttl"):
        b12kg.load(tmp_path / "graph.csv")


def test_entity_records_carry_synonyms_and_xrefs(kg) -> None:
    record = kg.find("pernicious anemia").to_record()
    assert "Addison-Biermer disease" in record["synonyms"]
    assert "MONDO:0008228" in record["xrefs"]


def test_an_id_or_label_wins_over_a_colliding_synonym(kg) -> None:
    # "macro-vitamin B12" is the label of one entity and a synonym of its mechanism
    assert kg.find("macro_vitamin_b12").id == "macro_vitamin_b12"
    assert kg.find("https://w3id.org/b12kg/macro_vitamin_b12").id == "macro_vitamin_b12"
    assert kg.find("macro-vitamin B12").id == "macro_vitamin_b12"
