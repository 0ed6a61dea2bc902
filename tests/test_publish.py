"""Release files are published together: a failure leaves the old set, a kill is rolled forward,
no temporary file survives, and everything written is world-readable."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from b12kg.curation import publish as publishing
from b12kg.curation.publish import JOURNAL, publish, recover

from .conftest import REPOSITORY

# `kgx/…`: a release file in a sub-folder is published with the rest (and rolled forward)
OLD = {
    "b12kg.owl": b"old owl",
    "b12kg.ttl": b"old ttl",
    "kgx/b12kg_edges.tsv": b"old edges",
    "b12kg.index.json": b"old index",
}
NEW = {
    "b12kg.owl": b"new owl",
    "b12kg.ttl": b"new ttl",
    "kgx/b12kg_edges.tsv": b"new edges",
    "b12kg.index.json": b"new index",
}


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_publish_replaces_every_file_and_leaves_nothing_else(tmp_path) -> None:
    publish(tmp_path, OLD)
    publish(tmp_path, NEW)
    assert files(tmp_path) == dict(sorted(NEW.items()))
    for path in (p for p in tmp_path.rglob("*") if p.is_file()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_failure_before_the_journal_leaves_the_old_set_whole(tmp_path, monkeypatch) -> None:
    publish(tmp_path, OLD)
    real = publishing._write_temporary
    calls = []

    def failing(folder, name, data):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(folder, name, data)

    monkeypatch.setattr(publishing, "_write_temporary", failing)
    with pytest.raises(OSError):
        publish(tmp_path, NEW)
    assert files(tmp_path) == dict(sorted(OLD.items()))


KILL_AFTER_FIRST_RENAME = """
import os, signal, sys
from pathlib import Path
from b12kg.curation import publish as publishing
real, done = os.replace, []
def replace(src, dst):
    real(src, dst)
    if not str(dst).endswith("{journal}"):
        done.append(dst)
        if len(done) == 1:
            os.kill(os.getpid(), signal.SIGKILL)
publishing.os.replace = replace
publishing.publish(Path(sys.argv[1]), {new!r})
"""


def test_a_kill_mid_publication_is_rolled_forward_and_cleaned(tmp_path) -> None:
    publish(tmp_path, OLD)
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_AFTER_FIRST_RENAME.format(journal=JOURNAL, new=NEW),
            str(tmp_path),
        ],
        cwd=REPOSITORY,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    left = files(tmp_path)
    assert JOURNAL in left  # the kill came after the journal, between two renames
    assert sum(left[n] == NEW[n] for n in NEW) == 1  # a mixed set, for now
    recover(tmp_path)
    assert files(tmp_path) == dict(sorted(NEW.items()))


def test_a_kill_before_the_journal_keeps_the_old_set_and_sweeps_temporaries(tmp_path) -> None:
    publish(tmp_path, OLD)
    (tmp_path / ".b12kg.owl.abc123.tmp").write_bytes(b"half a file")
    recover(tmp_path)
    assert files(tmp_path) == dict(sorted(OLD.items()))
