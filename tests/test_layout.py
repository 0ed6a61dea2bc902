"""The package reads as the data path: imports run one way, and a request moves down the stages.

Every import inside b12kg counts, lazy ones in functions and `TYPE_CHECKING` ones included:
a circle through a lazy import is still a circle a reader has to untangle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import b12kg

PACKAGE = Path(b12kg.__file__).parent

#: Stages from the bottom up; a module may import only its own stage or a lower one.
STAGES = (
    (
        "b12kg.errors",
        "b12kg.frozen",
        "b12kg.vocabulary",
        "b12kg.resources",
        "b12kg.version",
        "b12kg.inputs",
    ),
    ("b12kg.sparql",),
    ("b12kg.owl",),
    ("b12kg.curation", "b12kg.graph"),
    ("b12kg.questions",),
    ("b12kg.knowledge",),
    ("b12kg.endpoint",),
    ("b12kg.cli",),
    ("b12kg",),  # the public API in __init__, and __main__
)


def stage_of(module: str) -> int:
    best = None
    for rank, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    assert best is not None, module
    return best[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Module → the b12kg modules it imports (resolving `from pkg import submodule`)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                submodules = [f"{node.module}.{a.name}" for a in node.names]
                if all(s in modules for s in submodules):  # `from pkg import submodule`
                    targets = submodules
                else:
                    targets = [node.module, *(s for s in submodules if s in modules)]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_inside_the_package() -> None:
    assert cycles(imports()) == []


def test_cycle_detector_sees_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_run_down_the_stages() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in imports().items()
        for target in targets
        if module != "b12kg.__init__"
        and module.split(".")[:2] != target.split(".")[:2]
        and stage_of(target) > stage_of(module)
        and not target.startswith(module + ".")  # a package's __init__ re-exporting its own
    ]
    assert upward == []


def test_every_stage_says_what_it_owns_and_may_import() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, init


@pytest.mark.parametrize(
    "argv",
    [
        ["trace", "pernicious anemia"],
        ["causes", "low"],
        ["explain", "omeprazole", "metformin"],
        ["differential", "low", "methylmalonic acid increased"],
    ],
)
def test_a_request_moves_down_the_stages_without_coming_back(argv, capsys) -> None:
    """No function of a lower stage calls one of a higher stage while a verb runs."""
    from b12kg.cli import main

    upward: set[str] = set()

    def profile(frame, event, arg):
        if event != "call":
            return
        callee = frame.f_globals.get("__name__", "")
        caller_frame = frame.f_back
        caller = caller_frame.f_globals.get("__name__", "") if caller_frame else ""
        inside = callee.startswith("b12kg") and caller.startswith("b12kg")
        if inside and stage_of(callee) > stage_of(caller):
            upward.add(f"{caller} → {callee}.{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        code = main(argv)
    finally:
        sys.setprofile(None)
    capsys.readouterr()
    assert code == 0
    assert upward == set()
