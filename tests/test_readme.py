"""The README's commands and snippets run and say what the README says they say."""

from __future__ import annotations

import re
import subprocess
import sys

import pyoxigraph as ox

from .conftest import ONTOLOGY, REPOSITORY

README = (REPOSITORY / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    setup = _blocks("bash")[:2]
    assert setup[0].strip() == 'python -m pip install . && b12kg trace "pernicious anemia"'
    ci = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    assert setup[1].strip() in ci.splitlines()


def test_main_command_prints_what_the_readme_shows() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "b12kg", "trace", "pernicious anemia"],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        check=True,
        timeout=120,
    )
    shown = re.search(r"```\n(pernicious anemia → .*?)\n…", README, flags=re.S).group(1)
    printed = done.stdout.splitlines()
    for line in shown.splitlines():  # every line the README shows, in the printed order
        assert line in printed, line
    assert [printed.index(line) for line in shown.splitlines()] == sorted(
        printed.index(line) for line in shown.splitlines()
    )
    after = README.split(shown, 1)[1].split("```", 1)[0].strip("\n").splitlines()[1:]
    for line in after:  # the lines after the "…" are the end of the output
        assert line in printed[-len(after) :], line


def test_python_snippet_runs() -> None:
    exec(compile(_blocks("python")[0], "README.md", "exec"), {})


def test_sparql_example_returns_causes_with_sources() -> None:
    store = ox.Store()
    store.bulk_load(path=str(ONTOLOGY / "b12kg.ttl"), format=ox.RdfFormat.TURTLE)
    rows = list(store.query(_blocks("sparql")[0]))
    causes = {row["cause"].value.rsplit("/", 1)[-1] for row in rows}
    assert {"pernicious_anemia", "crohns_disease", "omeprazole"} <= causes
    assert not {"liver_cirrhosis", "chronic_myeloid_leukemia"} & causes  # causes of high B12
    assert all(row["source"] is not None for row in rows)


def test_counts_in_the_readme_match_the_sources(curation) -> None:
    from b12kg.curation.builder import count_by_kind

    counts = count_by_kind(curation)
    table = {}
    for line in README.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for name, value in zip(cells[::2], cells[1::2], strict=False):
            if value.isdigit():
                table[name] = value
    names = {
        "disease": "disease",
        "infection": "infection",
        "post-surgical state": "surgical_state",
        "physiological state": "physiological_state",
        "diet": "diet",
        "behaviour": "behaviour",
        "drug": "drug",
        "drug class": "drug_class",
        "mechanism (pathological)": "mechanism",
        "physiological mechanism": "physiological_mechanism",
        "binding-protein change": "binding_protein_change",
        "exogenous cobalamin": "exogenous_mechanism",
        "assay artefact": "assay_artefact",
        "lab finding": "lab_finding",
        "anatomical entity": "anatomy",
        "organism": "organism",
        "protein": "protein",
        "clinical caution": "caution",
    }
    for shown, kind in names.items():
        assert int(table[shown]) == counts[kind], shown


def test_link_source_and_triple_counts_in_the_readme_are_current(curation) -> None:
    from collections import Counter

    relations = Counter(link.relation for link in curation.links)
    for relation, words in [
        ("has_mechanism", "has-mechanism"),
        ("leads_to", "leads-to"),
        ("associated_with", "associated-with"),
        ("is_consequence_of", "is-consequence-of"),
    ]:
        assert f"{relations[relation]} {words}" in README, words
    assert f"{len(curation.references)} sources" in README
    assert f"{len(curation.xrefs)} cross-references" in README
    store = ox.Store()
    store.bulk_load(path=str(ONTOLOGY / "b12kg.ttl"), format=ox.RdfFormat.TURTLE)
    assert f"`b12kg.ttl` has {len(store):,} triples" in README


def test_layout_section_names_every_stage_of_the_package() -> None:
    section = README.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    package = REPOSITORY / "b12kg"
    stages = {f"b12kg/{d.name}/" for d in package.iterdir() if (d / "__init__.py").exists()}
    assert stages, "no sub-packages found"
    assert {s for s in stages if s not in section} == set()
    for module in ("knowledge.py", "errors.py", "vocabulary.py", "resources.py"):
        assert module in section
