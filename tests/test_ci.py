"""CI cannot pass by not running things: `.ci/run` sets CI, and under CI every skip fails."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import REPOSITORY


def _run_skipping_test(tmp_path, ci: bool) -> subprocess.CompletedProcess:
    test = tmp_path / "test_skips.py"
    test.write_text("import pytest\n\ndef test_needs_something():\n    pytest.skip('no Java')\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            str(test),
        ],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_skip_fails_under_ci_and_says_why(tmp_path) -> None:
    done = _run_skipping_test(tmp_path, ci=True)
    assert done.returncode == 1, done.stdout
    assert "skipped in CI, which must run every test" in done.stdout
    assert "no Java" in done.stdout


def test_a_skip_is_only_a_skip_outside_ci(tmp_path) -> None:
    done = _run_skipping_test(tmp_path, ci=False)
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout


def test_ci_script_sets_ci_itself() -> None:
    lines = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "export CI=true" in lines
