"""Details of the question modules that code mutants showed no test was watching
(bench/mutate.py code; survivors listed in bench/RESULTS.md)."""

from __future__ import annotations

import pytest

from b12kg.questions.differential import ANCHORS

LEADING = 5  # rank_causes' default number of leading candidates the tests must tell apart

FINDING_SETS = (
    ["low", "methylmalonic acid increased"],
    ["low"],
    ["high"],
    ["low", "intrinsic factor antibody positive"],
    ["low", "serum gastrin increased"],
)


@pytest.mark.parametrize("findings", FINDING_SETS, ids=lambda f: "+".join(f))
def test_a_discriminating_test_is_predicted_by_some_leaders_not_all(kg, findings) -> None:
    """A finding every leading candidate predicts tells none of them apart."""
    result = kg.rank_causes(findings)
    top = {c.cause.id for c in result.candidates[:LEADING]}
    given = {f.id for f in result.findings}
    for finding, predicted_by in result.tests:
        ids = {c.id for c in predicted_by}
        assert ids and ids < top, (finding.id, ids)
        assert finding.id not in given


def test_some_finding_set_has_discriminating_tests(kg) -> None:
    assert any(kg.rank_causes(f).tests for f in FINDING_SETS)


def test_an_inherited_cause_is_explained_through_its_class(kg) -> None:
    text = kg.explain("dexlansoprazole").text
    assert "is a proton pump inhibitor; through hypochlorhydria → " in text


def test_an_own_link_is_explained_without_a_class(kg) -> None:
    text = kg.explain("pernicious anemia").text
    assert "through intrinsic factor autoantibodies → reduced cobalamin absorption" in text
    assert "is a " not in text.split("\n")[2]


def test_explain_numbers_its_lines_and_notes_nature_only_for_causes(kg) -> None:
    lines = kg.explain("pernicious anemia", "lupus", "metformin").text.splitlines()
    assert "  1. pernicious anemia — cause, established evidence; true deficiency" in lines
    assert "  2. metformin — cause, probable evidence; true deficiency" in lines
    assert (
        "  3. systemic lupus erythematosus — association only — not shown to cause it, "
        "limited evidence" in lines
    )


def test_explain_without_a_finding_is_the_facade_answer(kg) -> None:
    from b12kg.questions.explain import explain

    assert explain(kg, ["pernicious anemia"]).text == kg.explain("pernicious anemia").text


def test_cautions_come_from_the_inputs_and_the_consequences_of_their_mechanisms(kg) -> None:
    """Subacute combined degeneration follows from cobalamin depletion, so its caution comes
    with any cause of depletion; nothing else's cautions do."""
    cautions = {c.caution.id for c in kg.explain("pernicious anemia").cautions}
    assert cautions == {
        "caution_normal_b12_in_pernicious_anemia",
        "caution_no_folic_acid_alone_in_pernicious_anemia",
        "caution_spinal_cord_degeneration",
        "caution_serum_b12_insensitive",
    }
    spinal = {
        c.caution.id: {a.id for a in c.applies_to} for c in kg.explain("pernicious anemia").cautions
    }["caution_spinal_cord_degeneration"]
    assert spinal == {"subacute_combined_degeneration", "cobalamin_depletion"}
    metformin = {c.caution.id for c in kg.explain("metformin").cautions}
    assert "caution_spinal_cord_degeneration" in metformin
    # the folic-acid caution holds for every cause of true deficiency (through cobalamin
    # depletion); the falsely-normal caution stays with pernicious anaemia
    assert "caution_no_folic_acid_alone_in_pernicious_anemia" in metformin
    assert "caution_normal_b12_in_pernicious_anemia" not in metformin


def test_explain_counts_the_further_routes(kg) -> None:
    text = kg.explain("pernicious anemia", "metformin").text
    low = text.split("\n\n")[0]
    routes = [p for p in kg.paths("pernicious anemia") if p.finding.id == "serum_b12_decreased"]
    assert len(routes) > 2
    assert f'({len(routes) - 1} further route(s): `b12kg trace "pernicious anemia"`)' in low
    metformin = [p for p in kg.paths("metformin") if p.finding.id == "serum_b12_decreased"]
    assert len(metformin) == 1 and "(0 further" not in text


def test_two_inputs_sharing_a_mechanism_are_named_together(kg) -> None:
    text = kg.explain("pernicious anemia", "metformin").text
    assert "Shared mechanisms (each named once above):" in text
    assert "  - cobalamin depletion: pernicious anemia, metformin" in text.splitlines()


def test_functional_deficiency_lines_are_numbered_from_one(kg) -> None:
    lines = kg.explain("nitrous oxide").text.splitlines()
    assert lines[0].startswith("Functional cobalamin deficiency — serum B12 may be normal")
    assert lines[1] == "  1. nitrous oxide — cause, established evidence"


def test_cautions_on_the_inputs_come_first(kg) -> None:
    explanation = kg.explain("pernicious anemia")
    on_input = [
        any(a.id == "pernicious_anemia" for a in c.applies_to) for c in explanation.cautions
    ]
    assert on_input == sorted(on_input, reverse=True) and True in on_input and False in on_input
    for group in (True, False):
        labels = [
            c.caution.label
            for c, o in zip(explanation.cautions, on_input, strict=True)
            if o is group
        ]
        assert labels == sorted(labels)


def test_an_input_without_a_path_says_so(kg) -> None:
    explanation = kg.explain("methotrexate")
    assert not explanation.paths
    first, second = explanation.text.splitlines()[:2]
    assert first == (
        "None of the inputs has a path to serum vitamin B12 decreased or serum vitamin B12 "
        "increased or serum vitamin B12 falsely normal or serum vitamin B12 falsely increased."
    )
    assert second == "Not accounted for by the graph: methotrexate"


# --- the walk on made-up graphs: orderings and edges the real graph never exercises --------------


def _tiny(causes, extra=()):
    from .tiny_graph import tiny_graph

    return _with_edges(tiny_graph(causes), extra)


def _with_edges(graph, extra):
    """The graph's edges plus `extra` (subject, relation, object), re-indexed."""
    from b12kg.graph.edges import EdgeIndex
    from b12kg.vocabulary import BASE

    rows = [
        {
            "subject": BASE + e.subject,
            "relation": BASE + e.relation,
            "object": BASE + e.object,
            "edge_kind": e.kind,
            "source": BASE + "source/test",
            "strength": e.evidence.strength,
        }
        for edges in graph.edges.outgoing.values()
        for e in edges
    ]
    rows += [
        {
            "subject": BASE + s,
            "relation": BASE + r,
            "object": BASE + o,
            "edge_kind": "structural",
            "source": BASE + "source/test",
            "strength": "",
        }
        for s, r, o in extra
    ]
    graph._edges = EdgeIndex.from_rows(graph.entities, rows)
    return graph


def test_a_cause_lists_disputed_before_consequence_paths() -> None:
    from b12kg.questions.paths import paths

    graph = _tiny(
        {
            "cause": [
                ("isConsequenceOf", "serum_b12_decreased", "established"),
                ("hasDisputedMechanism", "serum_b12_decreased", "disputed"),
            ]
        }
    )
    found = paths(graph, graph.entities["cause"])
    assert [p.kind for p in found] == ["disputed", "consequence"]


def test_causes_lists_an_association_before_a_disputed_cause() -> None:
    from b12kg.questions.paths import causes_of

    graph = _tiny(
        {
            "aaa_disputed": [("hasDisputedMechanism", "serum_b12_decreased", "disputed")],
            "zzz_association": [("associatedWith", "serum_b12_decreased", "disputed")],
        }
    )
    found = causes_of(graph, graph.entities["serum_b12_decreased"])
    assert [p.source.id for p in found] == ["zzz_association", "aaa_disputed"]


def test_the_walk_follows_only_leads_to_after_the_first_step() -> None:
    """A structural edge from a mechanism (involves, located in) is not a causal step."""
    from b12kg.questions.paths import paths

    graph = _tiny(
        {"cause": [("hasMechanism", "mma_increased", "established")]},
        extra=[("cause_mechanism_0", "involves", "serum_b12_decreased")],
    )
    found = paths(graph, graph.entities["cause"], graph.entities["serum_b12_decreased"])
    assert found == []
    assert [
        p.finding.id for p in paths(graph, graph.entities["cause"], graph.entities["mma_increased"])
    ] == ["mma_increased"]


def test_causes_of_without_via_is_the_facade_answer(kg) -> None:
    from b12kg.questions.paths import causes_of

    assert [p.describe() for p in causes_of(kg, "low")] == [
        p.describe() for p in kg.causes_of("low")
    ]


def test_results_are_immutable(kg) -> None:
    import dataclasses

    differential = kg.rank_causes(["low"])
    explanation = kg.explain("pernicious anemia")
    for value in (differential, differential.candidates[0], explanation, explanation.cautions[0]):
        field = dataclasses.fields(value)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, field, None)


def test_differential_keeps_ten_ranks_per_section_by_default(kg) -> None:
    """--limit 10 is per section and never cuts a tie: no candidate ranked below 10 is listed,
    and the cause section, which has more than ten, is cut."""
    candidates = kg.rank_causes(["low"]).candidates
    assert candidates and all(c.rank <= 10 for c in candidates)
    listed = {c.cause.id for c in candidates if c.section == "cause"}
    every = {p.source.id for p in kg.causes_of("low") if p.kind == "causal"}
    assert len(every) > len(listed) >= 10


@pytest.mark.parametrize("findings", FINDING_SETS, ids=lambda f: "+".join(f))
def test_a_candidate_has_the_kind_and_strength_of_its_best_matching_path(kg, findings) -> None:
    """Causal beats any non-causal path, then the strongest: read off the reviewed table."""
    from b12kg.graph.edges import STRENGTH_ORDER

    from .expectations.generate import read_table

    table = read_table()
    result = kg.rank_causes(findings)
    given = {f.id for f in result.findings}
    for candidate in result.candidates:
        if candidate.section == "misleading result":
            continue  # explains the measured value through an artefact: see test_output_fields
        rows = [
            r for r in table if r["cause_id"] == candidate.cause.id and r["finding_id"] in given
        ]
        # a path to the serum B12 result given (the anchor) comes first: a PPI is ranked on its
        # probable route to low B12, not on its established route to a raised gastrin
        rows = [r for r in rows if r["finding_id"] in ANCHORS] or rows
        # the candidate's section is its best kind (causal before reported before association
        # …), and its strength is the strongest path of that kind
        pool = [r for r in rows if r["kind"] == candidate.kind] or rows
        strongest = max(STRENGTH_ORDER[r["strength"]] for r in pool)
        assert STRENGTH_ORDER[candidate.strength] == strongest, candidate.cause.id
        kinds = {r["kind"] for r in pool if STRENGTH_ORDER[r["strength"]] == strongest}
        assert candidate.kind in kinds, candidate.cause.id


def test_explain_counts_the_weak_inputs_in_its_heading(kg) -> None:
    first = kg.explain("pernicious anemia", "lupus", "metformin").text.splitlines()[0]
    assert first == (
        "Serum vitamin B12 decreased — 2 of 3 input(s) can account for it; 1 more only on weak "
        "evidence, by association or as a consequence:"
    )


def test_explain_names_the_one_further_route(kg) -> None:
    routes = [p for p in kg.paths("omeprazole") if p.finding.id == "serum_b12_decreased"]
    assert len(routes) == 2
    assert '(1 further route(s): `b12kg trace "omeprazole"`)' in kg.explain("omeprazole").text


def test_a_mechanism_can_be_asked_for_its_causes(kg) -> None:
    found = {p.source.id for p in kg.causes_of("hypochlorhydria")}
    assert {"omeprazole", "atrophic_gastritis"} <= found


def test_the_walk_orders_causal_before_reported_before_association() -> None:
    """By kind before strength: a reported path rests on weaker evidence however it is rated."""
    from b12kg.questions.paths import paths

    graph = _tiny(
        {
            "cause": [
                ("associatedWith", "serum_b12_decreased", "established"),
                ("hasReportedMechanism", "serum_b12_decreased", "established"),
                ("hasMechanism", "serum_b12_decreased", "probable"),
            ]
        }
    )
    found = paths(graph, graph.entities["cause"])
    assert [p.kind for p in found] == ["causal", "reported", "association"]


def test_a_path_says_what_it_is_in_its_repr(kg) -> None:
    path = kg.paths("pernicious anemia")[0]
    assert repr(path) == (
        f"<CausalPath pernicious anemia → serum vitamin B12 decreased: causal, true deficiency, "
        f"established, {len(path.steps)} steps>"
    )


def test_unknown_direction_and_strength_are_null_in_json() -> None:
    """A path to a mechanism has no direction; a step without strength gives none."""
    from b12kg.questions.paths import paths

    graph = _tiny({"cause": [("hasMechanism", "serum_b12_decreased", "")]})
    (path,) = paths(graph, graph.entities["cause"], graph.entities["cause_mechanism_0"])
    record = path.to_record()
    assert record["direction"] is None and record["strength"] is None
    assert path.to_flat_record()["direction"] == "" and path.to_flat_record()["strength"] == ""
    assert "no strength" in repr(path)


def test_rank_causes_called_directly_keeps_ten_ranks(kg) -> None:
    from b12kg.questions.differential import rank_causes

    candidates = rank_causes(kg, ["low"]).candidates
    assert max(c.rank for c in candidates) <= 10
    assert rank_causes(kg, ["low"], limit=3) != rank_causes(kg, ["low"])


def test_a_candidate_with_a_causal_path_is_causal_even_if_weaker() -> None:
    from b12kg.questions.differential import rank_causes

    graph = _tiny(
        {
            "cause": [
                ("hasMechanism", "serum_b12_decreased", "limited"),
                ("hasReportedMechanism", "serum_b12_decreased", "established"),
            ]
        }
    )
    (only,) = rank_causes(graph, ["serum_b12_decreased"]).candidates
    assert (only.kind, only.strength) == ("causal", "limited")


def test_status_falls_back_to_intracellular_deficiency() -> None:
    """A cause that reaches intracellular deficiency but no status marker is still shown."""
    from b12kg.graph.entities import Entity
    from b12kg.questions.paths import status_paths
    from b12kg.vocabulary import BASE

    graph = _tiny({"other": [("hasMechanism", "mma_increased", "established")]})
    target = "intracellular_cobalamin_deficiency"
    graph.entities[target] = Entity(iri=BASE + target, id=target, label="icd", kind="mechanism")
    graph.entities["cause"] = Entity(iri=BASE + "cause", id="cause", label="cause", kind="disease")
    graph = _with_edges(graph, [("cause", "hasMechanism", target)])
    (path,) = status_paths(graph, graph.entities["cause"])
    assert path.finding.id == target
