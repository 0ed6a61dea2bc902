"""An installed wheel carries the built ontology and the query library, byte for byte."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ONTOLOGY, REPOSITORY


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPOSITORY)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("b12kg-*.whl")
    return zipfile.ZipFile(built)


def test_wheel_carries_the_artifacts_unchanged(wheel: zipfile.ZipFile) -> None:
    names = (
        "b12kg.ttl",
        "b12kg.owl",
        "b12kg.obo",
        "b12kg.sssom.tsv",
        "b12kg.context.jsonld",
        "b12kg.json",
        "b12kg.index.json",
        "b12kg.tables.json",
        "kgx/b12kg_nodes.tsv",
        "kgx/b12kg_edges.tsv",
    )
    for name in names:
        assert wheel.read(f"b12kg/_data/{name}") == (ONTOLOGY / name).read_bytes()


def test_wheel_carries_the_page_assets(wheel: zipfile.ZipFile) -> None:
    """The query page's script and style install with the package (no CDN)."""
    static = REPOSITORY / "b12kg" / "endpoint" / "static"
    files = sorted(p.name for p in static.iterdir())
    assert {"query.js", "page.css"} <= set(files)
    for name in files:
        assert wheel.read(f"b12kg/endpoint/static/{name}") == (static / name).read_bytes()


def test_wheel_is_marked_typed(wheel: zipfile.ZipFile) -> None:
    assert "b12kg/py.typed" in wheel.namelist()  # PEP 561: type checkers read our hints


def test_wheel_carries_every_query(wheel: zipfile.ZipFile) -> None:
    packaged = {
        Path(n).relative_to("b12kg/_data/queries").as_posix()
        for n in wheel.namelist()
        if n.startswith("b12kg/_data/queries/") and n.endswith(".rq")
    }
    in_repository = {
        p.relative_to(REPOSITORY / "queries").as_posix()
        for p in (REPOSITORY / "queries").rglob("*.rq")
    }
    assert packaged == in_repository


def test_installed_package_traces_without_the_checkout(
    wheel: zipfile.ZipFile, tmp_path: Path
) -> None:
    """Unpacked alone (no repository beside it), the package finds its graph and answers."""
    wheel.extractall(tmp_path)
    code = (
        "import b12kg, json; kg = b12kg.load(); "
        "print(json.dumps([p.direction for p in kg.paths('pernicious anemia')][:1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '["decreased"]'


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_non_editable_install_curates_the_checkout_it_stands_in(
    wheel: zipfile.ZipFile, tmp_path: Path
) -> None:
    """Installed with `pip install --target` (not editable), `validate` and `build` read the
    sources of the checkout in the working directory and write there, never into the install."""
    import shutil

    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            wheel.filename,
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    checkout = tmp_path / "checkout"
    shutil.copytree(REPOSITORY / "ontology", checkout / "ontology")
    for name in ("b12kg.ttl", "b12kg.owl", "b12kg.index.json", "b12kg.tables.json"):
        (checkout / "ontology" / name).unlink()  # build must write them here
    installed = _tree(site)
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "b12kg", *args],
            capture_output=True, text=True, cwd=checkout / "ontology" / "src", env=env,
            timeout=300, check=False,
        )  # fmt: skip

    where = subprocess.run(
        [sys.executable, "-c", "import b12kg; print(b12kg.__file__)"],
        capture_output=True, text=True, cwd=checkout, env=env, check=True,
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(site), "the installed copy, not the repository"
    validated = run("validate", "--no-owl")
    assert validated.returncode == 0, validated.stderr + validated.stdout
    built = run("build")
    assert built.returncode == 0, built.stderr
    assert str(checkout / "ontology" / "b12kg.ttl") in built.stdout
    for name in ("b12kg.ttl", "b12kg.owl", "b12kg.index.json", "b12kg.tables.json"):
        assert (checkout / "ontology" / name).read_bytes() == (ONTOLOGY / name).read_bytes(), name
    assert _tree(site) == installed, "nothing written into the installed package"
    outside = subprocess.run(
        [sys.executable, "-m", "b12kg", "build"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert outside.returncode == 2 and "no curated sources here" in outside.stderr
