"""Publishing the release files together: all of a build's files, or none of them.

Each file is written to a temporary file beside its target and synced; a journal naming every
(temporary, target) pair is written next, atomically; then the temporaries are renamed over
the targets and the journal removed. A build killed before the journal exists leaves the old
files untouched (its temporaries are swept by the next build); one killed after it is rolled
forward by the next build or validate, before anything else happens. So `b12kg.owl` and
`b12kg.ttl` are never from two different builds once b12kg has run again, and no stray
temporary survives.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

JOURNAL = ".b12kg-publish.json"


def _write_temporary(folder: Path, name: str, data: bytes) -> Path:
    """A synced temporary beside `folder/name` (`name` may name a sub-folder: `kgx/…`)."""
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), 0o644)  # a release file is for everyone to read
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def recover(folder: Path) -> list[str]:
    """Finish a publication a kill interrupted, and sweep temporaries; the targets renamed."""
    folder = Path(folder)
    journal = folder / JOURNAL
    finished: list[str] = []
    if journal.exists():
        try:
            pairs = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:
            pairs = []  # a journal is written atomically; an unreadable one is not ours
        for temporary, target in pairs:
            if (folder / temporary).exists():
                os.replace(folder / temporary, folder / target)
                finished.append(target)
        _sync_folder(folder)
        journal.unlink()
    for stray in (*folder.glob(".*.tmp"), *folder.glob("*/.*.tmp")):
        stray.unlink(missing_ok=True)
    return finished


def publish(folder: Path, files: dict[str, bytes]) -> None:
    """Replace `folder/name` by `data` for every file, together (see the module docstring)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    recover(folder)
    written: list[tuple[Path, str]] = []
    try:
        for name, data in files.items():
            written.append((_write_temporary(folder, name, data), name))
        journal = _write_temporary(
            folder,
            JOURNAL,
            json.dumps([[str(t.relative_to(folder)), n] for t, n in written]).encode("utf-8"),
        )
        os.replace(journal, folder / JOURNAL)
    except BaseException:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    for temporary, name in written:  # past the journal: a kill here is rolled forward
        os.replace(temporary, folder / name)
    for sub in sorted({(folder / name).parent for _, name in written} - {folder}):
        _sync_folder(sub)
    _sync_folder(folder)
    (folder / JOURNAL).unlink()
