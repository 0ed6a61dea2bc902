"""An on-disk pyoxigraph store of b12kg, optionally merged with ontologies the user names.

`write_store` builds the store in `DIR.tmp` and renames it to `DIR` only when every file has
loaded, so a failed or interrupted build leaves the previous store (or nothing) in place,
never half a store. Everything goes into the default graph, so the library queries see
b12kg and the merged ontologies together; they are written to ignore foreign triples
(`tests/test_merged.py`, `tests/test_store.py`). `OnDiskBackend` opens a store read-only
(`ox.Store.read_only`): any number of processes can read it, and nothing they run can
change it.

`store_fingerprint` names the store's files as they are (RocksDB writes new ones whenever
the store is opened for writing); `b12kg.store.json`, written beside them, records the
triple count under that fingerprint, so an endpoint knows the size of a 5M-triple store
without counting it, and trusts the number only while the files are the ones it describes.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from b12kg.errors import UsageError
from b12kg.inputs import MAX_GRAPH_BYTES, checked_file
from b12kg.sparql.embedded import RDF_FORMATS, StoreBackend, refuse_entity_expansion

#: RocksDB writes this file into every store directory; its presence is how one is recognised.
MARKER = "CURRENT"
#: progress is reported every this many triples while a file loads
PROGRESS_EVERY = 1_000_000
#: what `write_store` records about the store, beside RocksDB's own files
INFO_FILE = "b12kg.store.json"


def is_store(path: os.PathLike[str] | str) -> bool:
    """True when `path` is a directory holding an on-disk pyoxigraph store."""
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, MARKER))


def store_fingerprint(directory: os.PathLike[str] | str) -> dict[str, object]:
    """The RocksDB files of the store at `directory`: CURRENT's text, and every other file's
    name and size but RocksDB's info logs, the lock and b12kg's own files.

    A read-only open leaves every one of them as it was; any open for writing starts a new
    MANIFEST (and CURRENT names it), and a write adds a log or table file. So anything that
    could have changed the triples changes the fingerprint; a changed fingerprint may be a
    store that is unchanged, which costs a rebuild, never a wrong answer."""
    names = sorted(os.listdir(directory))
    with open(os.path.join(directory, MARKER), encoding="utf-8") as current:
        files: list[object] = [current.read().strip()]
    for name in names:
        if name.startswith(("LOG", "LOCK", "b12kg.")) or name == MARKER:
            continue
        files.append([name, os.path.getsize(os.path.join(directory, name))])
    return {"files": files}


def store_info(directory: os.PathLike[str] | str) -> dict[str, object] | None:
    """What `write_store` recorded (triples, files merged), if the store is still as written."""
    try:
        with open(os.path.join(directory, INFO_FILE), "rb") as stream:
            info = json.loads(stream.read())
        if isinstance(info, dict) and info.get("store") == store_fingerprint(directory):
            return info
    except (OSError, ValueError):
        pass
    return None


def write_beside(directory: os.PathLike[str] | str, name: str, data: bytes) -> None:
    """Write `name` into the store directory atomically (a temporary file, then a rename)."""
    path = os.path.join(directory, name)
    partial = path + ".partial"
    with open(partial, "wb") as stream:
        stream.write(data)
    os.chmod(partial, 0o644)
    os.replace(partial, path)


@dataclass
class StoreReport:
    directory: str
    triples: int
    files: list[dict[str, object]] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"wrote {self.directory}: {self.triples:,} triples"]
        lines += [f"  {f['file']}: {f['triples']:,} triples" for f in self.files]
        return "\n".join(lines)


#: what `b12kg store --merge` reads, by suffix; each may also be gzipped (`chebi.owl.gz`)
MERGE_FORMATS = {**RDF_FORMATS, ".jsonld": ox.RdfFormat.JSON_LD}
#: ontology files that are not RDF, and what to do about them
_NOT_RDF = {
    ".obo": "an OBO flat file",
    ".json": "OBO Graphs JSON (JSON-LD must be named .jsonld)",
    ".owx": "OWL/XML",
    ".ofn": "OWL functional syntax",
    ".omn": "Manchester syntax",
}


def _format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file to merge, from its suffix (under a `.gz`, if any)."""
    name = path.name.lower().removesuffix(".gz")
    suffix = os.path.splitext(name)[1]
    rdf_format = MERGE_FORMATS.get(suffix)
    if rdf_format is not None:
        return rdf_format
    shown = path.name[:80]
    if suffix in _NOT_RDF:
        raise UsageError(
            f"cannot merge {shown}: it is {_NOT_RDF[suffix]}, not RDF. Merge the ontology's "
            f"OWL release (RDF/XML, usually NAME.owl), or convert it: "
            f"robot convert --input {shlex.quote(str(path))} "
            f"--output {shlex.quote(str(path.with_name(_stem(path.name) + '.owl')))}"
        )
    known = ", ".join(sorted(MERGE_FORMATS))
    raise UsageError(f"cannot merge {shown}: expected one of {known} (or any of them .gz)")


def _stem(name: str) -> str:
    """`GO.ofn.gz` -> `GO`: the name without its compression and format suffixes."""
    if name.lower().endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[0]


def _open_rdf(path: Path):
    """A binary stream of the file's RDF, decompressed when the name ends in .gz."""
    if path.name.lower().endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")
    return open(path, "rb")


def _check_merge_file(path: Path, rdf_format: ox.RdfFormat) -> None:
    """Refuse, before a store is started, what cannot be read: a corrupt .gz, or RDF/XML that
    defines expanding entities."""
    try:
        with _open_rdf(path) as stream:
            head = stream.read(1_000_000)
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise UsageError(f"cannot read {path}: {error}") from None
    if rdf_format == ox.RdfFormat.RDF_XML:
        refuse_entity_expansion(path, head)


def _counted(
    quads: Iterable[ox.Quad], name: str, on_progress: Callable[[str], None]
) -> Iterator[ox.Quad]:
    for count, quad in enumerate(quads, 1):
        if count % PROGRESS_EVERY == 0:
            on_progress(f"  {name}: {count:,} triples …")
        yield quad


def write_store(
    directory: os.PathLike[str] | str,
    b12kg_file: Path,
    merge: Iterable[os.PathLike[str] | str] = (),
    *,
    on_progress: Callable[[str], None] = lambda message: None,
) -> StoreReport:
    """Write b12kg (`b12kg_file`) and each file of `merge` into an on-disk store at `directory`.

    An existing `directory` is replaced only if it is itself a store (never a folder of
    anything else). b12kg keeps its blank-node labels; each merged file's blank nodes are
    renamed, so two files cannot join on a shared `_:b0`.
    """
    target = Path(directory)
    if target.exists() and not is_store(target):
        raise UsageError(f"{target} exists and is not a b12kg store; refusing to replace it")
    files = [checked_file(b12kg_file, what="graph file", max_bytes=MAX_GRAPH_BYTES)]
    for name in merge:
        files.append(checked_file(name, what="file to merge", max_bytes=MAX_GRAPH_BYTES))
    formats = [_format(path) for path in files]
    for path, rdf_format in zip(files, formats, strict=True):
        _check_merge_file(path, rdf_format)
    staging = target.with_name(target.name + ".tmp")
    if staging.exists():
        if not is_store(staging) and any(staging.iterdir()):
            raise UsageError(f"{staging} exists and is not a store being built; remove it")
        shutil.rmtree(staging)
    report = StoreReport(str(target), 0)
    store = ox.Store(str(staging))
    try:
        for number, (path, rdf_format) in enumerate(zip(files, formats, strict=True)):
            before = len(store)
            on_progress(f"loading {path.name} …")
            with _open_rdf(path) as stream:
                quads = ox.parse(stream, format=rdf_format, rename_blank_nodes=number > 0)
                try:
                    store.bulk_extend(_counted(quads, path.name, on_progress))
                except SyntaxError as error:
                    raise UsageError(f"{path} is not valid RDF: {error}") from None
                except (OSError, EOFError, zlib.error) as error:  # a .gz broken part-way
                    raise UsageError(f"cannot read {path}: {error}") from None
            added = len(store) - before
            report.files.append({"file": str(path), "triples": added})
            on_progress(f"  {path.name}: {added:,} triples")
        store.optimize()
        report.triples = len(store)
        store.flush()
    except BaseException:
        del store
        shutil.rmtree(staging, ignore_errors=True)
        raise
    del store  # closes the RocksDB instance before the directory moves
    info = {"triples": report.triples, "files": report.files, "store": store_fingerprint(staging)}
    write_beside(staging, INFO_FILE, json.dumps(info, sort_keys=True).encode() + b"\n")
    old = target.with_name(target.name + ".old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    on_progress(str(report).splitlines()[0])
    return report


def open_store(directory: os.PathLike[str] | str) -> ox.Store:
    """The store at `directory`, read-only; UsageError when it is not one."""
    if not is_store(directory):
        raise UsageError(
            f"cannot load {os.fspath(directory)[:120]}: a directory, and not a b12kg store "
            "(write one with `b12kg store DIR`)"
        )
    try:
        return ox.Store.read_only(os.fspath(directory))
    except OSError as error:
        raise UsageError(f"cannot open the store {os.fspath(directory)[:120]}: {error}") from None


class OnDiskBackend(StoreBackend):
    """An on-disk pyoxigraph store, opened read-only."""

    def __init__(self, directory: Path):
        super().__init__(open_store(directory), str(directory))
        self.path = Path(directory)
