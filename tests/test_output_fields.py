"""Every JSON and CSV field of trace, causes, differential and explain, checked by value
against the reviewed expectations (expectations/paths.tsv), for causes in BOTH directions —
so a field hard-wired to one value ("decreased", "causal", "true deficiency") fails.
"""

from __future__ import annotations

import csv
import io
import itertools
import json

import pytest

from b12kg.cli.main import main
from b12kg.graph.edges import STRENGTH_ORDER
from b12kg.vocabulary import MECHANISM_KINDS

from .conftest import ONTOLOGY, OTHER_BUILD
from .expectations.generate import read_table

#: Names as a user types them, chosen to cover every direction, kind and nature (asserted).
PANEL = (
    "pernicious anemia",  # decreased + falsely normal (artefact)
    "CML",  # increased, pathological
    "pregnancy",  # physiological
    "nitrous oxide",  # status walk: functional deficiency
    "macro-B12",  # falsely increased
    "lupus",  # association
    "vitamin C",  # disputed artefact
    "megaloblastic anemia",  # consequence
    "alcoholism",  # both directions, reported + association
    "omeprazole",  # through is-a
    "worm infestation",  # through a subtype
    "cyanocobalamin",  # increased by supplementation: exogenous
    "haptocorrin deficiency",  # decreased without deficiency: binding-protein change
)
TIER_OF_KIND = {"causal": "supported", "reported": "reported", "disputed": "disputed"}


def run(capsys, *argv: str) -> tuple[int, str]:
    extra = ["--source", str(ONTOLOGY / "b12kg.ttl")] if OTHER_BUILD else []
    code = main([*argv, *extra])
    return code, capsys.readouterr().out


def key(p: dict) -> tuple[str, ...]:
    return (p["source"]["id"], p["finding"]["id"], p["direction"] or "", p["kind"], p["nature"])


@pytest.fixture(scope="module")
def table() -> list[dict[str, str]]:
    return read_table()


def rows_of(table, cause_id: str) -> dict[tuple[str, ...], dict[str, str]]:
    """The rows `trace` shows for a cause: its serum walk, or its status walk if it has none."""
    rows = [r for r in table if r["cause_id"] == cause_id]
    walk = "serum" if any(r["walk"] == "serum" for r in rows) else "status"
    return {
        (r["cause_id"], r["finding_id"], r["direction"], r["kind"], r["nature"]): r
        for r in rows
        if r["walk"] == walk
    }


def best_strengths(paths: list[dict]) -> dict[tuple[str, ...], str]:
    best: dict[tuple[str, ...], str] = {}
    for p in paths:
        k = key(p)
        if STRENGTH_ORDER.get(p["strength"] or "", -1) > STRENGTH_ORDER.get(best.get(k, ""), -1):
            best[k] = p["strength"] or ""
    return best


def check_path_record(kg, p: dict) -> None:
    """The fields of one JSON path agree with its own steps."""
    steps = p["steps"]
    assert steps[0]["subject"]["id"] == p["source"]["id"]
    assert steps[-1]["object"]["id"] == p["finding"]["id"]
    for a, b in itertools.pairwise(steps):
        assert a["object"]["id"] == b["subject"]["id"]
    finding = kg.entities[p["finding"]["id"]]
    assert p["finding"]["label"] == finding.label
    assert (p["direction"] or "") == finding.direction
    mechanisms = [
        s["object"] for s in steps if kg.entities[s["object"]["id"]].kind in MECHANISM_KINDS
    ]
    assert p["mechanisms"] == mechanisms
    strengths = [e["strength"] for s in steps for e in s["evidence"] if e["strength"]]
    weakest = min(strengths, key=lambda x: STRENGTH_ORDER[x]) if strengths else None
    assert p["strength"] == weakest
    if p["kind"] in TIER_OF_KIND:
        assert p["evidence"] == TIER_OF_KIND[p["kind"]], p["kind"]


@pytest.fixture(scope="module")
def traces(kg):
    """name -> (json paths, csv rows) of `b12kg trace NAME`."""
    out = {}
    capture = pytest.MonkeyPatch()
    for name in PANEL:
        buffer = io.StringIO()
        capture.setattr("sys.stdout", buffer)
        extra = ["--source", str(ONTOLOGY / "b12kg.ttl")] if OTHER_BUILD else []
        assert main(["trace", name, "--format", "json", *extra]) == 0
        as_json = json.loads(buffer.getvalue())["paths"]
        buffer.seek(0)
        buffer.truncate()
        assert main(["trace", name, "--format", "csv", *extra]) == 0
        as_csv = list(csv.DictReader(io.StringIO(buffer.getvalue())))
        out[name] = (as_json, as_csv)
    capture.undo()
    return out


def test_the_panel_covers_every_value_of_every_field(traces) -> None:
    values = {"direction": set(), "kind": set(), "nature": set(), "evidence": set()}
    for paths, _ in traces.values():
        for p in paths:
            for field, seen in values.items():
                seen.add(p[field])
    assert values["direction"] == {"decreased", "increased", "normal"}
    assert values["kind"] == {"causal", "reported", "disputed", "association", "consequence"}
    assert values["nature"] == {
        "true deficiency",
        "functional deficiency",
        "physiological",
        "binding-protein change",
        "exogenous",
        "assay artefact",
        "pathological",
        "mechanism unknown",
    }
    assert values["evidence"] == {"supported", "reported", "disputed"}


@pytest.mark.parametrize("name", PANEL)
def test_trace_json_matches_the_expectations(kg, traces, table, name: str) -> None:
    paths, _ = traces[name]
    source_ids = {p["source"]["id"] for p in paths}
    assert len(source_ids) == 1, source_ids
    (cause_id,) = source_ids
    expected = rows_of(table, cause_id)
    assert {key(p) for p in paths} == set(expected)
    for k, strength in best_strengths(paths).items():
        assert strength == expected[k]["strength"], k
    for p in paths:
        assert p["source"]["label"] == expected[key(p)]["cause"]
        check_path_record(kg, p)


@pytest.mark.parametrize("name", PANEL)
def test_trace_csv_is_the_json_flattened(traces, name: str) -> None:
    paths, rows = traces[name]
    assert len(rows) == len(paths)
    for p, row in zip(paths, rows, strict=True):
        steps = p["steps"]
        sources = sorted({s["id"] for st in steps for e in st["evidence"] for s in e["sources"]})
        via = [s["object"]["label"] for s in steps if s["relation"]["id"] == "rdfs:subClassOf"]
        assert row == {
            "source_id": p["source"]["id"],
            "source": p["source"]["label"],
            "finding_id": p["finding"]["id"],
            "finding": p["finding"]["label"],
            "direction": p["direction"] or "",
            "kind": p["kind"],
            "evidence": p["evidence"],
            "nature": p["nature"],
            "strength": p["strength"] or "",
            "mechanisms": " → ".join(m["label"] for m in p["mechanisms"]),
            "mechanism_ids": " → ".join(m["id"] for m in p["mechanisms"]),
            "via": " → ".join(via),
            "sources": ", ".join(sources),
        }


def test_the_two_directions_are_told_apart(traces) -> None:
    """The brief's example, spelled out: one field, two values, from two causes."""
    pa = {p["direction"] for p in traces["pernicious anemia"][0] if p["nature"] != "assay artefact"}
    cml = {p["direction"] for p in traces["CML"][0]}
    assert pa == {"decreased"} and cml == {"increased"}
    artefact = {
        p["finding"]["id"]
        for p in traces["pernicious anemia"][0]
        if p["nature"] == "assay artefact"
    }
    assert artefact == {"serum_b12_falsely_normal"}


# --- causes ------------------------------------------------------------------------------------

FINDING_OF = {
    "low": ("serum_b12_decreased", "decreased"),
    "high": ("serum_b12_increased", "increased"),
}


@pytest.mark.parametrize("word", sorted(FINDING_OF))
def test_causes_json_and_csv_match_the_expectations(kg, capsys, table, word: str) -> None:
    finding_id, direction = FINDING_OF[word]
    code, text = run(capsys, "causes", word, "--format", "json")
    assert code == 0
    everything = json.loads(text)["paths"]
    # `causes high` also lists what only makes the result look high (macro-B12), in a section
    # of its own, through an assay artefact to the 'falsely increased' finding — never as high.
    misleading = [p for p in everything if p["section"] == "misleading result"]
    assert all(p["nature"] == "assay artefact" for p in misleading)
    assert {p["finding"]["id"] for p in misleading} <= {
        "serum_b12_falsely_increased",
        "serum_b12_falsely_normal",
    }
    paths = [p for p in everything if p["section"] != "misleading result"]
    assert {p["finding"]["id"] for p in paths} == {finding_id}
    assert {p["direction"] for p in paths} == {direction}
    produced = {key(p) for p in paths}
    expected = {
        k
        for r in table
        if r["finding_id"] == finding_id and r["kind"] != "consequence"
        for k in [(r["cause_id"], r["finding_id"], r["direction"], r["kind"], r["nature"])]
    }
    assert produced <= expected, produced - expected
    # What `causes` leaves out is only what `trace` shows through a subtype (a grouping).
    for cause_id, *_ in expected - produced:
        assert all(
            p.steps[0].relation == "hasSubtype"
            for p in kg.paths(kg.entities[cause_id])
            if p.finding.id == finding_id
        ), cause_id
    by_key = {
        (r["cause_id"], r["finding_id"], r["direction"], r["kind"], r["nature"]): r for r in table
    }
    for k, strength in best_strengths(paths).items():
        assert strength == by_key[k]["strength"], k
    for p in paths:
        check_path_record(kg, p)

    code, text = run(capsys, "causes", word, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    first: dict[
        tuple[str, str], dict
    ] = {}  # one row per cause and kind: its first (strongest) route
    for p in everything:
        first.setdefault((p["source"]["id"], p["kind"]), p)
    assert len(rows) == len(first)
    for (cause, kind), p in first.items():  # the row is the strongest route of that kind
        strongest = max(
            (q for q in everything if (q["source"]["id"], q["kind"]) == (cause, kind)),
            key=lambda q: STRENGTH_ORDER.get(q["strength"] or "", -1),
        )
        assert p["strength"] == strongest["strength"], (cause, kind)
    for p, row in zip(first.values(), rows, strict=True):
        sources = sorted(
            {s["id"] for st in p["steps"] for e in st["evidence"] for s in e["sources"]}
        )
        assert row["source"] == p["source"]["label"]
        assert (row["kind"], row["nature"], row["strength"]) == (
            p["kind"],
            p["nature"],
            p["strength"] or "",
        )
        assert row["mechanisms"] == " → ".join(m["label"] for m in p["mechanisms"])
        assert row["sources"] == ", ".join(sources)


# --- differential ------------------------------------------------------------------------------

DIFFERENTIALS = (
    ("low", "methylmalonic acid increased"),
    ("high",),
)


@pytest.mark.parametrize("findings", DIFFERENTIALS, ids=lambda f: "+".join(f))
def test_differential_json_and_csv_fields(kg, capsys, table, findings) -> None:
    code, text = run(capsys, "differential", *findings, "--format", "json")
    assert code == 0
    result = json.loads(text)
    given = {f["id"] for f in result["findings"]}
    serum = FINDING_OF[findings[0]][0]
    assert serum in given
    candidates = result["candidates"]
    # ranks run within each section, and equal candidates share one (never broken by name)
    for section in {c["section"] for c in candidates}:
        ranks = [c["rank"] for c in candidates if c["section"] == section]
        assert ranks == sorted(ranks) and ranks[0] == 1, section
        for rank in ranks:  # competition ranking: a shared rank, then a gap
            assert rank == ranks.index(rank) + 1, (section, ranks)
    for c in candidates:
        cause = c["cause"]["id"]
        assert c["cause"]["label"] == kg.entities[cause].label
        explains = {f["id"] for f in c["explains"]}
        assert explains <= given and explains
        reached = {r["finding_id"] for r in table if r["cause_id"] == cause}
        if c["section"] == "misleading result":  # explains the *measured* value, via an artefact
            falsely = {
                "serum_b12_decreased": "serum_b12_falsely_normal",
                "serum_b12_increased": "serum_b12_falsely_increased",
            }
            reached |= {s for s, f in falsely.items() if f in reached}
        assert explains <= reached, (cause, explains - reached)
        if serum in explains and c["section"] != "misleading result":
            rows = [r for r in table if r["cause_id"] == cause and r["finding_id"] == serum]
            assert c["kind"] in {r["kind"] for r in rows}, (cause, c["kind"])
            assert c["kind"] != "consequence"
        assert not {f["id"] for f in c["predicts_not_given"]} & given
        assert {f["id"] for f in c["conflicts"]} <= given
    assert {c["kind"] for c in candidates} <= {"causal", "reported", "disputed", "association"}
    for test in result["discriminating_tests"]:
        assert test["finding"]["id"] not in given
        named = {c["cause"]["id"] for c in candidates}
        assert {p["id"] for p in test["predicted_by"]} <= named

    code, text = run(capsys, "differential", *findings, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(candidates)
    for c, row in zip(candidates, rows, strict=True):
        assert row["rank"] == str(c["rank"])
        assert row["cause"] == c["cause"]["label"]
        assert (row["kind"], row["strength"]) == (c["kind"], c["strength"] or "")
        assert row["explains"] == ", ".join(f["label"] for f in c["explains"])
        assert row["section"] == c["section"]
        assert row["includes"] == ", ".join(f["label"] for f in c.get("includes", []))
        assert row["contradicts"] == ", ".join(f["label"] for f in c["conflicts"])


def test_differential_low_and_high_rank_different_causes(capsys, table) -> None:
    leaders = {}
    for word in ("low", "high"):
        _, text = run(capsys, "differential", word, "--format", "json")
        candidates = [
            c for c in json.loads(text)["candidates"] if c["section"] != "misleading result"
        ]
        leaders[word] = {c["cause"]["id"] for c in candidates} | {
            s["id"] for c in candidates for s in c.get("includes", [])
        }
    by_finding = {
        word: {r["cause_id"] for r in table if r["finding_id"] == FINDING_OF[word][0]}
        for word in leaders
    }
    for word, named in leaders.items():
        assert named <= by_finding[word], named - by_finding[word]
    assert (
        "chronic_myeloid_leukemia" in leaders["high"]
        and "chronic_myeloid_leukemia" not in leaders["low"]
    )


# --- explain -----------------------------------------------------------------------------------


def test_explain_json_fields_in_both_directions(kg, capsys, table) -> None:
    code, text = run(capsys, "explain", "pernicious anemia", "metformin", "CML", "--format", "json")
    assert code == 0
    result = json.loads(text)
    inputs = [i["id"] for i in result["inputs"]]
    assert inputs == ["pernicious_anemia", "metformin", "chronic_myeloid_leukemia"]
    expected = {
        (r["cause_id"], r["finding_id"], r["direction"], r["kind"], r["nature"])
        for r in table
        if r["cause_id"] in inputs
    }
    produced = {key(p) for p in result["paths"]}
    assert produced <= expected
    directions = {p["source"]["id"]: set() for p in result["paths"]}
    for p in result["paths"]:
        directions[p["source"]["id"]].add(p["direction"])
        check_path_record(kg, p)
    assert "decreased" in directions["pernicious_anemia"]
    assert directions["metformin"] == {"decreased"}
    assert directions["chronic_myeloid_leukemia"] == {"increased"}
    for shared in result["shared_mechanisms"]:
        users = {i["id"] for i in shared["inputs"]}
        assert len(users) >= 2
        for user in users:
            assert any(
                shared["mechanism"] in p["mechanisms"]
                for p in result["paths"]
                if p["source"]["id"] == user
            ), (shared["mechanism"], user)
    assert result["unexplained"] == []
    for caution in result["cautions"]:
        assert caution["caution"]["id"] in kg.entities
    assert "Serum vitamin B12 decreased" in result["text"]
    assert "Serum vitamin B12 increased" in result["text"]
