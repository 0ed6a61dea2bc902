"""Mutation testing: would the tests notice a wrong fact, or a wrong line of code?

    python bench/mutate.py facts [--limit N] [--jobs 2]   # curated-fact mutants of links.tsv
    python bench/mutate.py code  [--limit N] [--jobs 2]   # AST mutants of b12kg/questions/*.py
    python bench/mutate.py code --list                    # the mutants, without running them

facts: for each evidence-bearing link, (1) flip its finding serum_b12_decreased <->
serum_b12_increased, (2) move its strength across the supported line (established/probable ->
limited, limited/disputed -> probable), (3) swap its relation (has_mechanism <->
associated_with, is_consequence_of -> has_mechanism). Each mutant is rebuilt with `b12kg build
--sources TMP/src --output TMP` and the graph tests run on it through B12KG_ONTOLOGY_DIR
(tests/README.md). A mutant `b12kg build` refuses is caught by validation.

code: one mutant per comparison (== != < <= > >= in, is), boolean operator (and/or), `not`,
arithmetic operator (+ -), min/max, True/False/None and small-integer constant, in
b12kg/questions/*.py; each runs the question tests against a copy of the package.

Prints one line per mutant (KILLED / SURVIVED / REFUSED / TIMEOUT), the survivors, and the
totals with the commit measured. Not part of the default suite.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SOURCES = REPOSITORY / "ontology" / "src"
FACT_TESTS = ("tests/test_expectations.py",)
FACT_TESTS_MORE = (
    "tests/test_paths.py",
    "tests/test_output_fields.py",
    "tests/test_differential.py",
    "tests/test_explain.py",
)
CODE_TESTS = (
    "tests/test_paths.py",
    "tests/test_differential.py",
    "tests/test_explain.py",
    "tests/test_expectations.py",
    "tests/test_output_fields.py",
    "tests/test_question_details.py",
)
EVIDENCE_RELATIONS = {"has_mechanism", "leads_to", "associated_with", "is_consequence_of"}
FLIP_FINDING = {
    "serum_b12_decreased": "serum_b12_increased",
    "serum_b12_increased": "serum_b12_decreased",
}
FLIP_STRENGTH = {
    "established": "limited",
    "probable": "limited",
    "limited": "probable",
    "disputed": "probable",
}
SWAP_RELATION = {
    "has_mechanism": "associated_with",
    "associated_with": "has_mechanism",
    "is_consequence_of": "has_mechanism",
}


@dataclass
class Mutant:
    name: str
    apply: object  # callable(folder) writing the mutant into a prepared folder
    outcome: str = ""
    detail: str = ""
    seconds: float = 0.0


def pytest(
    tests: tuple[str, ...], *, cwd: Path, env: dict[str, str], timeout: float
) -> tuple[str, str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        *tests,
    ]
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "TIMEOUT", ""
    if done.returncode == 0:
        return "SURVIVED", ""
    failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    last = done.stdout.strip().splitlines()[-1:] or [""]
    return "KILLED", (failed or last)[0][:160]


# --- curated-fact mutants ------------------------------------------------------------------------


def fact_mutants() -> list[Mutant]:
    lines = (SOURCES / "links.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split("\t")
    column = {name: i for i, name in enumerate(header)}
    mutants: list[Mutant] = []

    def change(number: int, field: str, value: str):
        def apply(folder: Path) -> None:
            cells = lines[number].rstrip("\n").split("\t")
            cells[column[field]] = value
            edited = [*lines]
            edited[number] = "\t".join(cells) + "\n"
            (folder / "src" / "links.tsv").write_text("".join(edited), encoding="utf-8")

        return apply

    for number, line in enumerate(lines[1:], start=1):
        if line.startswith("#") or not line.strip():
            continue
        cells = line.rstrip("\n").split("\t")
        cells += [""] * (len(header) - len(cells))
        subject, relation, obj = (cells[column[c]] for c in ("subject", "relation", "object"))
        if relation not in EVIDENCE_RELATIONS:
            continue
        where = f"links.tsv:{number + 1} {subject} {relation} {obj}"
        if obj in FLIP_FINDING:
            mutants.append(
                Mutant(
                    f"{where}: object → {FLIP_FINDING[obj]}",
                    change(number, "object", FLIP_FINDING[obj]),
                )
            )
        strength = cells[column["strength"]]
        if strength in FLIP_STRENGTH:
            mutants.append(
                Mutant(
                    f"{where}: strength {strength} → {FLIP_STRENGTH[strength]}",
                    change(number, "strength", FLIP_STRENGTH[strength]),
                )
            )
        if relation in SWAP_RELATION:
            mutants.append(
                Mutant(
                    f"{where}: relation → {SWAP_RELATION[relation]}",
                    change(number, "relation", SWAP_RELATION[relation]),
                )
            )
    return mutants


def run_fact(mutant: Mutant, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="b12kg-fact-") as tmp:
        folder = Path(tmp)
        shutil.copytree(SOURCES, folder / "src")
        mutant.apply(folder)
        env = {**os.environ, "B12KG_ONTOLOGY_DIR": str(folder), "PYTHONPATH": str(REPOSITORY)}
        env.pop("CI", None)
        built = subprocess.run(
            [
                sys.executable,
                "-m",
                "b12kg",
                "build",
                "--sources",
                str(folder / "src"),
                "--output",
                str(folder),
            ],
            cwd=REPOSITORY,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if built.returncode != 0:
            mutant.outcome = "REFUSED"
            mutant.detail = (built.stderr.strip().splitlines() or [""])[0][:160]
            return
        mutant.outcome, mutant.detail = pytest(FACT_TESTS, cwd=REPOSITORY, env=env, timeout=timeout)
        if mutant.outcome == "SURVIVED":
            mutant.outcome, mutant.detail = pytest(
                FACT_TESTS_MORE, cwd=REPOSITORY, env=env, timeout=timeout
            )


# --- code mutants ----------------------------------------------------------------------------------

COMPARE_SWAP = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BINOP_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult}


def _is_docstring(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    return (
        isinstance(parent, ast.Expr)
        and isinstance(node, ast.Constant)
        and isinstance(node.value, str)
    )


def mutation_points(tree: ast.Module) -> list[tuple[int, str]]:
    """(index of the node in ast.walk order, description) for every mutation this runner makes."""
    points: list[tuple[int, str]] = []
    for index, node in enumerate(ast.walk(tree)):
        line = getattr(node, "lineno", "?")
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in COMPARE_SWAP:
                    points.append(
                        (
                            index,
                            f"L{line} compare#{i} {type(op).__name__}→{COMPARE_SWAP[type(op)].__name__}",
                        )
                    )
        elif isinstance(node, ast.BoolOp):
            points.append(
                (
                    index,
                    f"L{line} {type(node.op).__name__}→{'Or' if isinstance(node.op, ast.And) else 'And'}",
                )
            )
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            points.append((index, f"L{line} drop not"))
        elif isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAP:
            points.append(
                (index, f"L{line} {type(node.op).__name__}→{BINOP_SWAP[type(node.op)].__name__}")
            )
        elif isinstance(node, ast.Name) and node.id in {"min", "max"}:
            points.append((index, f"L{line} {node.id}→{'max' if node.id == 'min' else 'min'}"))
        elif isinstance(node, ast.Constant) and (node.value is True or node.value is False):
            points.append((index, f"L{line} {node.value}→{not node.value}"))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            points.append((index, f"L{line} {node.value}→{node.value + 1}"))
        elif isinstance(node, ast.Constant) and node.value is None and line != "?":
            points.append((index, f"L{line} None→0"))
    return points


def mutate(tree: ast.Module, index: int, description: str) -> ast.Module:
    tree = copy.deepcopy(tree)
    node = list(ast.walk(tree))[index]
    if isinstance(node, ast.Compare):
        i = int(description.split("compare#")[1].split()[0])
        node.ops[i] = COMPARE_SWAP[type(node.ops[i])]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        parent_swap(tree, node, node.operand)
    elif isinstance(node, ast.BinOp):
        node.op = BINOP_SWAP[type(node.op)]()
    elif isinstance(node, ast.Name):
        node.id = "max" if node.id == "min" else "min"
    elif isinstance(node, ast.Constant):
        if node.value is True or node.value is False:
            node.value = not node.value
        elif node.value is None:
            node.value = 0
        else:
            node.value = node.value + 1
    return tree


def parent_swap(tree: ast.Module, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return


def code_mutants() -> list[Mutant]:
    mutants: list[Mutant] = []
    for path in sorted((REPOSITORY / "b12kg" / "questions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        # Skip the typing-only block and annotations (never evaluated: the modules use
        # `from __future__ import annotations`): mutating them cannot change behaviour.
        skip = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip |= {id(n) for n in ast.walk(node)}
            annotations = []
            if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
                annotations.append(node.annotation)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
                annotations.append(node.returns)
            for annotation in annotations:
                skip |= {id(n) for n in ast.walk(annotation)}
        nodes = list(ast.walk(tree))
        for index, description in mutation_points(tree):
            if id(nodes[index]) in skip:
                continue
            relative = path.relative_to(REPOSITORY)

            def apply(
                folder: Path, tree=tree, index=index, description=description, relative=relative
            ) -> None:
                mutated = mutate(tree, index, description)
                (folder / relative).write_text(
                    ast.unparse(ast.fix_missing_locations(mutated)) + "\n", encoding="utf-8"
                )

            mutants.append(Mutant(f"{relative} {description}", apply))
    return mutants


def code_folder(root: Path) -> Path:
    """A copy of the package and tests, with the artifacts and queries linked: one per worker."""
    folder = Path(tempfile.mkdtemp(prefix="b12kg-code-", dir=root))
    shutil.copytree(
        REPOSITORY / "b12kg", folder / "b12kg", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        REPOSITORY / "tests", folder / "tests", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("ontology", "queries", "pyproject.toml", "README.md"):
        (folder / name).symlink_to(REPOSITORY / name)
    return folder


def run_code(mutant: Mutant, folder: Path, timeout: float) -> None:
    pristine = {p: p.read_bytes() for p in (folder / "b12kg" / "questions").glob("*.py")}
    try:
        mutant.apply(folder)
        env = {**os.environ, "PYTHONPATH": str(folder), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("CI", None)
        env.pop("B12KG_ONTOLOGY_DIR", None)
        mutant.outcome, mutant.detail = pytest(CODE_TESTS, cwd=folder, env=env, timeout=timeout)
    finally:
        for path, data in pristine.items():
            path.write_bytes(data)


# --- the run ---------------------------------------------------------------------------------------


def commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPOSITORY), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "-C", str(REPOSITORY), "status", "--porcelain", "--", "b12kg", "ontology", "tests"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("facts", "code"))
    parser.add_argument(
        "--limit", type=int, default=0, help="a random sample of N mutants (0: all)"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--match", default="", help="only mutants whose name contains this")
    parser.add_argument("--names", help="a file of mutant names, one a line (e.g. survivors)")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = parser.parse_args(argv)

    mutants = fact_mutants() if args.what == "facts" else code_mutants()
    if args.match:
        mutants = [m for m in mutants if args.match in m.name]
    if args.names:
        wanted = {n.strip() for n in Path(args.names).read_text(encoding="utf-8").splitlines()}
        mutants = [m for m in mutants if m.name in wanted]
    total = len(mutants)
    if args.limit and args.limit < total:
        mutants = sorted(random.Random(args.seed).sample(mutants, args.limit), key=lambda m: m.name)
    if args.list:
        for m in mutants:
            print(m.name)
        print(f"{len(mutants)} of {total} mutants")
        return 0
    started, measured = time.monotonic(), commit()
    print(
        f"{args.what}: {len(mutants)} of {total} mutants, {args.jobs} jobs, commit {measured}",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="b12kg-mutate-") as root:
        folders = [code_folder(Path(root)) for _ in range(args.jobs)] if args.what == "code" else []
        free = list(folders)

        def one(mutant: Mutant) -> Mutant:
            t0 = time.monotonic()
            if args.what == "facts":
                run_fact(mutant, args.timeout)
            else:
                folder = free.pop()
                try:
                    run_code(mutant, folder, args.timeout)
                finally:
                    free.append(folder)
            mutant.seconds = time.monotonic() - t0
            print(
                f"{mutant.outcome:8} {mutant.seconds:5.1f}s  {mutant.name}  {mutant.detail}",
                flush=True,
            )
            return mutant

        baseline = Mutant("baseline (no mutation)", lambda folder: None)
        one(baseline)
        if baseline.outcome != "SURVIVED":
            print("the unmutated baseline fails: fix the suite first")
            return 2
        with ThreadPoolExecutor(args.jobs) as pool:
            done = list(pool.map(one, mutants))

    counts = {
        o: sum(m.outcome == o for m in done) for o in ("KILLED", "REFUSED", "TIMEOUT", "SURVIVED")
    }
    caught = counts["KILLED"] + counts["REFUSED"] + counts["TIMEOUT"]
    survivors = [m.name for m in done if m.outcome == "SURVIVED"]
    print("\nsurvivors:" if survivors else "\nno survivors")
    for name in survivors:
        print(f"  {name}")
    rate = 100.0 * caught / len(done) if done else 0.0
    print(
        f"\n{args.what}: {caught}/{len(done)} caught ({rate:.1f} %): "
        + ", ".join(f"{k.lower()} {v}" for k, v in counts.items())
        + f"; {time.monotonic() - started:.0f} s; commit {measured}"
    )
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main())
