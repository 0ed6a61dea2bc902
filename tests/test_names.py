"""Names as people type them: shorthand, single drugs, a word of the name, one slip, codes.

Each verb looks names up among the kinds it takes (`kinds`), so the same text can mean the
organism in `search` and the infection it causes in `trace`; suggestions are of those kinds.
"""

from __future__ import annotations

import pytest

from b12kg.errors import AmbiguousName, UnknownEntity
from b12kg.vocabulary import CAUSE_KINDS, MECHANISM_KINDS

FINDING_KINDS = frozenset({"lab_finding"}) | MECHANISM_KINDS
LAB = frozenset({"lab_finding"})

#: (name as typed, kinds of the verb, entity id). CAUSE = trace/explain, FINDING = causes,
#: LAB = differential, MECHANISM = --via.
NAMES: list[tuple[str, frozenset[str], str]] = [
    # everyday condition names (trace, explain)
    ("vegan", CAUSE_KINDS, "vegan_diet"),
    ("vegetarian", CAUSE_KINDS, "vegetarian_diet"),
    ("Crohn's", CAUSE_KINDS, "crohns_disease"),
    ("crohns", CAUSE_KINDS, "crohns_disease"),
    ("Crohn", CAUSE_KINDS, "crohns_disease"),
    ("celiac", CAUSE_KINDS, "celiac_disease"),
    ("coeliac", CAUSE_KINDS, "celiac_disease"),
    ("Hashimoto", CAUSE_KINDS, "hashimoto_thyroiditis"),
    ("Hashimoto's", CAUSE_KINDS, "hashimoto_thyroiditis"),
    ("gastrectomy", CAUSE_KINDS, "gastrectomy_state"),
    ("ileal resection", CAUSE_KINDS, "ileal_resection_state"),
    ("gastric bypass", CAUSE_KINDS, "roux_en_y_gastric_bypass_state"),
    ("RYGB", CAUSE_KINDS, "roux_en_y_gastric_bypass_state"),
    ("bariatric surgery", CAUSE_KINDS, "bariatric_surgery_state"),
    ("fish tapeworm", CAUSE_KINDS, "diphyllobothriasis"),
    ("Diphyllobothrium", CAUSE_KINDS, "diphyllobothriasis"),
    ("Diphyllobothrium latum", CAUSE_KINDS, "diphyllobothriasis"),
    ("tapeworm", CAUSE_KINDS, "diphyllobothriasis"),
    ("H. pylori", CAUSE_KINDS, "helicobacter_pylori_infection"),
    ("H pylori", CAUSE_KINDS, "helicobacter_pylori_infection"),
    ("HIV", CAUSE_KINDS, "hiv_infection"),
    ("kidney failure", CAUSE_KINDS, "chronic_kidney_disease"),
    ("renal failure", CAUSE_KINDS, "chronic_kidney_disease"),
    ("CKD", CAUSE_KINDS, "chronic_kidney_disease"),
    ("ESRD", CAUSE_KINDS, "chronic_kidney_disease"),
    ("CML", CAUSE_KINDS, "chronic_myeloid_leukemia"),
    ("HCC", CAUSE_KINDS, "hepatocellular_carcinoma"),
    ("SIBO", CAUSE_KINDS, "small_intestinal_bacterial_overgrowth"),
    ("SLE", CAUSE_KINDS, "systemic_lupus_erythematosus"),
    ("PA", CAUSE_KINDS, "pernicious_anemia"),
    ("pernicious anaemia", CAUSE_KINDS, "pernicious_anemia"),
    ("pernicous anemia", CAUSE_KINDS, "pernicious_anemia"),
    ("pernicious anemai", CAUSE_KINDS, "pernicious_anemia"),
    ("AUD", CAUSE_KINDS, "alcoholism"),
    ("alcohol abuse", CAUSE_KINDS, "alcoholism"),
    ("alcoholic liver disease", CAUSE_KINDS, "alcoholic_liver_disease"),
    ("alcohol abuse", CAUSE_KINDS, "alcoholism"),
    ("pregnant", CAUSE_KINDS, "pregnancy"),
    ("cirrhosis", CAUSE_KINDS, "liver_cirrhosis"),
    ("pancreatic insufficiency", CAUSE_KINDS, "exocrine_pancreatic_insufficiency"),
    ("short gut", CAUSE_KINDS, "short_bowel_syndrome"),
    ("TCN2 deficiency", CAUSE_KINDS, "transcobalamin_ii_deficiency"),
    ("TC II deficiency", CAUSE_KINDS, "transcobalamin_ii_deficiency"),
    ("TC2 deficiency", CAUSE_KINDS, "transcobalamin_ii_deficiency"),
    ("cblC", CAUSE_KINDS, "inborn_error_of_intracellular_cobalamin_metabolism"),
    ("Imerslund-Grasbeck", CAUSE_KINDS, "imerslund_grasbeck_syndrome"),
    ("macro-B12", CAUSE_KINDS, "macro_vitamin_b12"),
    ("ZES", CAUSE_KINDS, "zollinger_ellison_syndrome"),
    ("myeloma", CAUSE_KINDS, "multiple_myeloma"),
    # drugs, single and by class
    ("omeprazole", CAUSE_KINDS, "omeprazole"),
    ("esomeprazole", CAUSE_KINDS, "esomeprazole"),
    ("Nexium", CAUSE_KINDS, "esomeprazole"),
    ("lansoprazole", CAUSE_KINDS, "lansoprazole"),
    ("dexlansoprazole", CAUSE_KINDS, "dexlansoprazole"),
    ("pantoprazole", CAUSE_KINDS, "pantoprazole"),
    ("Protonix", CAUSE_KINDS, "pantoprazole"),
    ("rabeprazole", CAUSE_KINDS, "rabeprazole"),
    ("pantoprazol", CAUSE_KINDS, "pantoprazole"),
    ("ranitidine", CAUSE_KINDS, "ranitidine"),
    ("famotidine", CAUSE_KINDS, "famotidine"),
    ("Pepcid", CAUSE_KINDS, "famotidine"),
    ("cimetidine", CAUSE_KINDS, "cimetidine"),
    ("nizatidine", CAUSE_KINDS, "nizatidine"),
    ("PPI", CAUSE_KINDS, "proton_pump_inhibitor"),
    ("PPIs", CAUSE_KINDS, "proton_pump_inhibitor"),
    ("H2 blocker", CAUSE_KINDS, "h2_receptor_antagonist"),
    ("H2RA", CAUSE_KINDS, "h2_receptor_antagonist"),
    ("metformin", CAUSE_KINDS, "metformin"),
    ("metfromin", CAUSE_KINDS, "metformin"),
    ("laughing gas", CAUSE_KINDS, "nitrous_oxide"),
    ("N2O", CAUSE_KINDS, "nitrous_oxide"),
    ("B12 injections", CAUSE_KINDS, "cobalamin"),
    ("B12 shots", CAUSE_KINDS, "cobalamin"),
    ("vitamin B12", CAUSE_KINDS, "cobalamin"),
    ("chemo", CAUSE_KINDS, "antineoplastic_agent"),
    ("vitamin C", CAUSE_KINDS, "ascorbic_acid"),
    ("the pill", CAUSE_KINDS, "combined_oral_contraceptive"),
    ("MTX", CAUSE_KINDS, "methotrexate"),
    # cross-reference codes as people write them
    ("D51.0", CAUSE_KINDS, "pernicious_anemia"),
    ("D510", CAUSE_KINDS, "pernicious_anemia"),
    ("ICD-10 D51.0", CAUSE_KINDS, "pernicious_anemia"),
    ("ICD10:D51.0", CAUSE_KINDS, "pernicious_anemia"),
    ("DOID:13381", CAUSE_KINDS, "pernicious_anemia"),
    ("DOID_13381", CAUSE_KINDS, "pernicious_anemia"),
    ("http://purl.obolibrary.org/obo/DOID_13381", CAUSE_KINDS, "pernicious_anemia"),
    ("MeSH D000752", CAUSE_KINDS, "pernicious_anemia"),
    ("D000752", CAUSE_KINDS, "pernicious_anemia"),
    ("K90.0", CAUSE_KINDS, "celiac_disease"),
    ("N18", CAUSE_KINDS, "chronic_kidney_disease"),
    ("D51.2", CAUSE_KINDS, "transcobalamin_ii_deficiency"),
    ("A02BC01", CAUSE_KINDS, "omeprazole"),
    ("ATC A02BC", CAUSE_KINDS, "proton_pump_inhibitor"),
    ("A10BA02", CAUSE_KINDS, "metformin"),
    # findings (causes, differential)
    ("MMA", LAB, "methylmalonic_acid_increased"),
    ("high MMA", LAB, "methylmalonic_acid_increased"),
    ("elevated MMA", LAB, "methylmalonic_acid_increased"),
    ("homocysteine", LAB, "homocysteine_increased"),
    ("tHcy", LAB, "homocysteine_increased"),
    ("high homocysteine", LAB, "homocysteine_increased"),
    ("low holoTC", LAB, "holotranscobalamin_decreased"),
    ("low active B12", LAB, "holotranscobalamin_decreased"),
    ("IF antibodies", LAB, "intrinsic_factor_antibody_positive"),
    ("intrinsic factor antibodies", LAB, "intrinsic_factor_antibody_positive"),
    ("parietal cell antibodies", LAB, "parietal_cell_antibody_positive"),
    ("gastrin", LAB, "gastrin_increased"),
    ("macrocytosis", LAB, "mcv_increased"),
    ("high MCV", LAB, "mcv_increased"),
    ("low B12", FINDING_KINDS, "serum_b12_decreased"),
    ("MMA", FINDING_KINDS, "methylmalonic_acid_increased"),
    ("hypochlorhydria", MECHANISM_KINDS, "hypochlorhydria"),
    ("IF antibodies", MECHANISM_KINDS, "intrinsic_factor_antibodies"),
]


@pytest.mark.parametrize(
    ("name", "kinds", "expected"), NAMES, ids=[f"{n}->{e}" for n, _, e in NAMES]
)
def test_names_as_people_type_them(kg, name: str, kinds: frozenset[str], expected: str) -> None:
    entity = kg.find(name, kinds=kinds)
    assert entity.id == expected
    assert entity.kind in kinds


def test_a_slip_or_a_word_match_is_announced(kg) -> None:
    kg.notices.clear()
    assert kg.find("pernicous anemia", kinds=CAUSE_KINDS).id == "pernicious_anemia"
    assert kg.notices == ["taking 'pernicious anemia' for 'pernicous anemia'"]
    kg.notices.clear()
    kg.find("fish tapeworm", kinds=CAUSE_KINDS)
    assert kg.notices and "diphyllobothriasis" in kg.notices[0]
    kg.notices.clear()
    kg.find("pernicious anemia", kinds=CAUSE_KINDS)  # an exact name needs no notice
    assert kg.notices == []


def test_without_kinds_a_name_means_what_it_names(kg) -> None:
    assert kg.find("fish tapeworm").id == "diphyllobothrium"  # the organism, for search & query
    assert kg.find("H. pylori").id == "helicobacter_pylori"


def test_suggestions_are_of_the_kind_the_verb_takes(kg) -> None:
    with pytest.raises(UnknownEntity) as raised:
        kg.find("pernishus anaemya", kinds=CAUSE_KINDS)
    labels = raised.value.suggestions
    assert "pernicious anemia" in labels
    by_label = {e.label: e for e in kg.entities.values()}
    assert all(by_label[s].kind in CAUSE_KINDS for s in labels), labels


def test_an_unclear_name_lists_its_candidates_of_the_right_kind(kg) -> None:
    with pytest.raises(AmbiguousName) as raised:
        kg.find("holoTC", kinds=LAB)
    assert set(raised.value.suggestions) == {
        "holotranscobalamin decreased",
        "holotranscobalamin increased",
    }
    with pytest.raises(AmbiguousName) as raised:
        kg.find("gastritis", kinds=CAUSE_KINDS)
    assert "autoimmune atrophic gastritis" in raised.value.suggestions
    assert raised.value.exit_code == 2
    with pytest.raises(AmbiguousName) as raised:  # a word of two conditions: ask, never guess
        kg.find("alcohol", kinds=CAUSE_KINDS)
    assert {"alcoholism", "alcoholic liver disease"} <= set(raised.value.suggestions)


def test_short_names_are_never_guessed(kg) -> None:
    with pytest.raises(UnknownEntity):
        kg.find("XYZ", kinds=CAUSE_KINDS)


def test_every_ppi_and_h2ra_inherits_its_class_mechanism(kg) -> None:
    for drug in (
        "esomeprazole",
        "lansoprazole",
        "dexlansoprazole",
        "pantoprazole",
        "rabeprazole",
        "famotidine",
        "cimetidine",
        "nizatidine",
    ):
        found = kg.paths(drug)
        assert found, drug
        assert found[0].steps[0].relation == "subClassOf", drug
        assert any(m.id == "hypochlorhydria" for p in found for m in p.mechanisms), drug


def test_search_takes_codes_in_any_spelling(kg) -> None:
    for code in ("D510", "ICD-10 D51.0", "DOID_13381"):
        assert kg.search(code)[0].id == "pernicious_anemia", code
