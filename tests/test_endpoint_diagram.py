"""The entity page's picture (`b12kg/endpoint/diagram.py`): the nodes a reader must see, the
ones that must not be there, and link styles that say how each link is believed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from b12kg.endpoint.diagram import _wrap, paths_svg

SVG = "{http://www.w3.org/2000/svg}"


def drawn(kg, name: str) -> tuple[ET.Element, dict[str, set[str]], list[dict[str, str]]]:
    """(svg root, node id → css classes, links as attribute dicts) for `name`'s paths."""
    root = ET.fromstring(paths_svg(kg.paths(name), link="{id}"))
    nodes = {
        a.get("data-id"): set(a.get("class").split())
        for a in root.iter(f"{SVG}a")
        if a.get("data-id")
    }
    links = [
        {**p.attrib, "classes": p.get("class")}
        for p in root.iter(f"{SVG}path")
        if p.get("data-from")
    ]
    return root, nodes, links


def test_every_node_of_every_path_is_drawn_once_and_nothing_else(kg):
    paths = kg.paths("omeprazole")
    _, nodes, links = drawn(kg, "omeprazole")
    expected = {p.source.id for p in paths} | {s.object.id for p in paths for s in p.steps}
    assert set(nodes) == expected
    assert {
        "omeprazole",
        "proton_pump_inhibitor",
        "hypochlorhydria",
        "cobalamin_depletion",
        "serum_b12_decreased",
    } <= set(nodes)
    assert "metformin" not in nodes and "serum_b12_increased" not in nodes
    steps = {(s.subject.id, s.object.id, s.relation) for p in paths for s in p.steps}
    assert {(li["data-from"], li["data-to"], li["data-relation"]) for li in links} == steps
    assert len(links) == len(steps)  # a shared step is one line, not one per path


def test_nodes_say_what_they_are(kg):
    _, nodes, _ = drawn(kg, "omeprazole")
    assert "cause" in nodes["omeprazole"]
    assert "depletion" in nodes["cobalamin_depletion"]  # true deficiency, marked apart
    assert {"finding", "finding-end"} <= nodes["serum_b12_decreased"]
    assert "mechanism" in nodes["hypochlorhydria"]
    _, nodes, _ = drawn(kg, "pregnancy")
    assert any("physiological" in c for c in nodes.values())
    assert not any("depletion" in c for c in nodes.values())  # not a deficiency


@pytest.mark.parametrize(
    ("name", "mechanism", "css"),
    [
        ("combined oral contraceptive", "binding_protein_change", "binding"),
        ("cyanocobalamin", "exogenous_mechanism", "exogenous"),
    ],
)
def test_binding_protein_and_intake_nodes_are_drawn_as_what_they_are(kg, name, mechanism, css):
    _, nodes, _ = drawn(kg, name)
    kinds = {e.id: e.kind for p in kg.paths(name) for e in p.mechanisms}
    marked = {i for i, k in kinds.items() if k == mechanism}
    assert marked, f"{name} has no {mechanism} node to draw"
    for node in marked:
        assert css in nodes[node] and "other" not in nodes[node], node
        assert "depletion" not in nodes[node] and "physiological" not in nodes[node], node


def test_an_association_is_never_drawn_as_a_cause(kg):
    """Rheumatoid arthritis is associated with low B12; its first link must look like an
    association, whatever lies behind it."""
    _, _, links = drawn(kg, "rheumatoid arthritis")
    first = [li for li in links if li["data-from"] == "rheumatoid_arthritis"]
    assert first and all(li["classes"].split()[1] == "association" for li in first)
    assert all(li["data-relation"] == "associatedWith" for li in first)


def test_a_disputed_artefact_is_drawn_disputed_and_reaches_no_deficiency(kg):
    _, nodes, links = drawn(kg, "ascorbic acid")
    first = [li for li in links if li["data-from"] == "ascorbic_acid"]
    assert first and all("disputed" in li["classes"].split() for li in first)
    assert not any("supported" in li["classes"].split() for li in first)
    assert any("artefact" in c for c in nodes.values())
    assert "cobalamin_depletion" not in nodes


def test_established_links_are_drawn_thicker_than_probable_ones(kg):
    _, _, links = drawn(kg, "pernicious anemia")
    strengths = {li["data-strength"] for li in links if "supported" in li["classes"]}
    assert "established" in strengths
    for li in links:
        thick = "established" in li["classes"].split()
        assert thick == (li["data-strength"] == "established" and "supported" in li["classes"])


def test_every_link_names_its_relation_strength_and_sources(kg):
    root, _, _ = drawn(kg, "omeprazole")
    tips = [p.find(f"{SVG}title").text for p in root.iter(f"{SVG}path") if p.get("data-from")]
    cited = {
        s
        for p in kg.paths("omeprazole")
        for st in p.steps
        if st.evidence
        for s in st.evidence.sources
    }
    assert cited and all(any(source in tip for tip in tips) for source in cited)
    assert any(tip.startswith("has mechanism; probable") for tip in tips)


def test_labels_are_wrapped_in_three_lines_at_most():
    assert _wrap("a " * 5) == ["a a a a a"]
    lines = _wrap("reduced cobalamin absorption from food bound to protein in the stomach " * 2)
    assert len(lines) == 3 and all(len(line) <= 27 for line in lines)
    assert lines[-1].endswith("…")
    assert len(_wrap("x" * 60)[0]) <= 27


def test_labels_are_text_never_markup():
    from b12kg.graph.entities import Entity
    from b12kg.questions.paths import CausalPath, Step

    evil = Entity("https://w3id.org/b12kg/x", "x", '<script>alert("x")</script> & co', "drug")
    finding = Entity("https://w3id.org/b12kg/y", "y", "serum B12 <low>", "lab_finding")
    path = CausalPath(evil, (Step(evil, "hasMechanism", finding),), finding, "", "causal", "")
    svg = paths_svg([path])
    assert "<script" not in svg and "&lt;script&gt;" in svg
    root = ET.fromstring(svg)  # still well-formed
    assert {a.get("data-id") for a in root.iter(f"{SVG}a")} == {"x", "y"}


def test_no_paths_draw_nothing():
    assert paths_svg([]) == ""


@pytest.mark.parametrize("name", ["pernicious anemia", "leukemia", "macro-B12"])
def test_the_picture_is_well_formed_svg_with_a_legend(kg, name):
    root, nodes, _ = drawn(kg, name)
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    legend = " ".join(
        t.text or "" for t in root.find(f"{SVG}g[@class='legend']").iter(f"{SVG}text")
    )
    for words in (
        "assay artefact",
        "association, not a cause",
        "disputed",
        "true deficiency",
        "binding-protein change",
        "exogenous cobalamin",
    ):
        assert words in legend
    assert nodes
