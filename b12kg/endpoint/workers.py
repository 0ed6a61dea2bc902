"""Worker processes: where queries are checked and run.

Each worker reads its graph one of two ways: an RDF file is parsed into a private in-memory
copy; an on-disk store (`b12kg store DIR`) is opened read-only (`ox.Store.read_only`), so
every worker shares the same files and the page cache holds the data once, whatever the
number of workers.

Its own module because the worker side runs in a separate interpreter (started with
`python -c` by module path, see `_WORKER_COMMAND`) and must stay importable there, and
because time limits are enforced by killing these processes: pyoxigraph cannot cancel a
query. The query check (`guard.check_query`) runs here too, so its cost counts against the
query's deadline and a parser blow-up (deep recursion, a slow backtrack) costs a worker,
never the server. `_Worker` is the parent's handle on one such process; the pool that
schedules them is `pool.py`.

A worker answers every job with a reply tuple and survives any exception from the engine;
it exits only when its pipe closes, its parent dies, or it is killed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from b12kg.endpoint.guard import QueryCheck, Refused, SyntaxRefusal, check_query
from b12kg.endpoint.negotiation import GRAPH_FORMATS, RESULT_FORMATS, negotiate
from b12kg.endpoint.sandbox import (
    block_inet_sockets,
    die_with_parent,
    isolate_network,
    limit_memory,
)

if TYPE_CHECKING:
    from b12kg.sparql.binding import BoundLibraryQuery

PLAIN = "text/plain; charset=utf-8"
_ROW_LIMIT_HINT = "add a LIMIT (and ORDER BY) to the query, or page with OFFSET"
# The parse recurses once per nesting level: give it room, on a thread with a large stack.
_STACK_BYTES = 256 * 1024 * 1024
_RECURSION_LIMIT = 20_000


def _imports():
    """The names this module takes from the rest of b12kg, in one place (they move)."""
    from b12kg.sparql.embedded import read_store, syntax_error
    from b12kg.vocabulary import PREFIXES

    return read_store, syntax_error, PREFIXES


def planned_text(text: str) -> str:
    """The text to evaluate: a packaged library query bound by a trailing VALUES row runs
    with its parameters as constants (`binding.bound_library_query`: on a 5M-triple store
    path-from-condition took 54 s as sent, 9 ms rewritten); any other text as sent."""
    bound = _bound(text)
    return text if bound is None else bound.text


def _library_verdict(text: str) -> QueryCheck | None:
    """The check's verdict on a library query bound by a trailing VALUES row: its library
    text's, judged once. What runs is that text with pyoxigraph-serialised terms in it
    (`planned_text`), and the row was read as nothing but terms, so a fresh parse of each
    such text (30-70 ms in rdflib's grammar, the cost of every new parameter value) would
    judge the same thing again."""
    bound = _bound(text)
    if bound is None:
        return None
    try:
        return _checked_library_text(bound.query.text)
    except Refused:  # a library query the check refuses: judge the text as sent, in full
        return None


@functools.lru_cache(maxsize=1024)
def _bound(text: str) -> BoundLibraryQuery | None:
    """Remembered per text: reading and rewriting one costs 0.25-0.5 ms, a quarter of a light
    query on an on-disk store, and clients repeat their texts."""
    from b12kg.sparql.binding import bound_library_query

    return bound_library_query(text, _library_by_text())


@functools.cache
def _checked_library_text(text: str) -> QueryCheck:
    return check_query(text)


@functools.cache
def _library_by_text() -> dict:
    from b12kg.sparql.binding import by_text
    from b12kg.sparql.library import library

    try:
        return by_text(library().values())
    except Exception:  # no library to match against: every text runs as sent
        return {}


def _open(store_path: str):
    """The store a worker answers from: an on-disk store opened read-only (shared by every
    worker), else a private in-memory copy of the RDF file."""
    if os.path.isdir(store_path):
        from b12kg.sparql.ondisk import open_store

        return open_store(store_path)
    return _imports()[0](Path(store_path))


class _RowLimit(Exception):
    pass


class _CountingSink:
    """A write target for pyoxigraph that stops the query once it has written too many lines.

    TSV and N-Triples write exactly one line per solution or triple (newlines in literals
    are escaped), so counting newlines counts rows while the results stream."""

    def __init__(self, limit_lines: int):
        self.chunks: list[bytes] = []
        self.lines = 0
        self.limit_lines = limit_lines

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.lines > self.limit_lines:
            raise _RowLimit
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _worker_entry() -> None:
    """`python -c … FD STORE ISOLATE MEMORY_MB PARENT_PID WATCH_FD START_NICE`: a worker's
    command line."""
    from multiprocessing.connection import Connection

    fd, store_path, isolate, memory_mb, parent_pid, watch_fd, start_nice = sys.argv[1:8]
    die_with_parent(int(parent_pid), int(watch_fd))
    conn = Connection(int(fd))
    threading.stack_size(_STACK_BYTES)
    sys.setrecursionlimit(_RECURSION_LIMIT)
    thread = threading.Thread(
        target=_worker_main,
        args=(conn, store_path, isolate == "1", int(memory_mb) or None, int(start_nice)),
        name="b12kg-worker",
    )
    thread.start()
    thread.join()


def _load(store_path: str, niceness: int):
    """(store, triples), loaded on a thread of its own at `niceness`.

    Niceness is per thread on Linux and lowering it needs privilege, so a replacement
    worker's start-up (imports, parsing) yields to the serving workers on a thread that
    ends with it, and the thread that then answers queries never carried that niceness
    (before, a worker started at 10 stayed there for good, and lost the CPU to every
    other process on a busy machine)."""
    outcome: dict[str, object] = {}

    def run() -> None:
        if niceness:
            with contextlib.suppress(OSError, AttributeError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
        try:
            store = _open(store_path)
            outcome["loaded"] = (store, _store_size(store_path, store))
            with contextlib.suppress(Exception):
                check_query("ASK {}")  # import and warm the parser before the first query
        except BaseException as error:  # handed to the worker thread as it is
            outcome["error"] = error

    loader = threading.Thread(target=run, name="b12kg-worker-load")
    try:
        loader.start()
    except RuntimeError:  # "can't start new thread": no room for its stack
        raise MemoryError from None
    loader.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["loaded"]


def _store_size(store_path: str, store) -> int:
    """Triples in the store: what `b12kg store` recorded, when it still describes the files
    (counting 5M triples on disk would take each worker seconds), else counted."""
    if os.path.isdir(store_path):
        from b12kg.sparql.ondisk import store_info

        info = store_info(store_path)
        if info is not None and isinstance(info.get("triples"), int):
            return info["triples"]
    return len(store)


def _too_little_memory(memory_mb: int | None) -> str:
    limit = f"limit {memory_mb:,} MB of address space per worker" if memory_mb else "no limit"
    return (
        f"a query worker ran out of memory while loading the graph ({limit}); raise "
        "--worker-memory, or give 0 for no limit"
    )


def _worker_main(
    conn, store_path: str, isolate: bool, memory_mb: int | None, start_nice: int = 0
) -> None:
    """A worker process: load the graph once, then answer jobs until the pipe closes."""
    namespaced = isolate_network() if isolate else False
    sealed = block_inet_sockets()
    limit_memory(memory_mb)
    try:
        store, triples = _load(store_path, start_nice)
    except MemoryError:
        conn.send(("error", _too_little_memory(memory_mb), False))
        return
    except Exception as error:  # report any load failure to the parent, then stop
        conn.send(("error", str(error), False))
        return
    conn.send(("ready", triples, {"namespace": namespaced, "seccomp": sealed}))
    named = list(store.named_graphs())
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = _handle(store, named, job)
        except Exception as error:  # a worker answers, whatever happened
            reply = (500, PLAIN, f"internal error in the query worker: {error!r}".encode())
            reply = (*reply, None, None)
        try:
            conn.send((*reply, time.process_time()))  # the pool's CPU baseline for the next job
        except (OSError, ValueError):
            return


def _handle(store, named, job: dict):
    """(status, content type, body, verdict, format key) for one job.

    `verdict` is the QueryCheck (or the Refused) the parent may remember for this text;
    a job that carries `check` was already judged and is not parsed again. `raw` jobs
    (tests only) skip the check and negotiation."""
    text = job["text"]
    raw = job.get("raw")
    if raw:
        return (*_execute(store, named, text, raw[0], raw[1], job["max_rows"]), None, None)
    check = job.get("check") or _library_verdict(text)
    if check is None:
        try:
            check = check_query(text)
        except SyntaxRefusal as refusal:
            final = Refused(400, _syntax_message(text, refusal))  # remembered as answered
            return (400, PLAIN, final.message.encode(), final, None)
        except Refused as refusal:
            return (refusal.status, PLAIN, refusal.message.encode(), refusal, None)
        except RecursionError:
            refusal = Refused(400, "the query is nested too deeply for this endpoint")
            return (400, PLAIN, refusal.message.encode(), refusal, None)
    try:
        key = negotiate(check.kind, job.get("accept"), job.get("formats") or [])
    except Refused as refusal:
        return (refusal.status, PLAIN, refusal.message.encode(), check, None)
    results_key, graph_key = (key, "turtle") if check.kind == "results" else ("json", key)
    answer = _execute(store, named, text, results_key, graph_key, job["max_rows"])
    return (*answer, check, key)


def _syntax_message(text: str, refusal: Refused) -> str:
    """The engine's own message (with line and column) when it too rejects the text."""
    import pyoxigraph as ox

    syntax_error = _imports()[1]
    try:
        ox.Store().query(text)  # parses only: nothing is evaluated before iteration
    except SyntaxError as error:
        return str(syntax_error(error, "the query"))
    except Exception:
        pass
    detail = refusal.message.split(": ", 1)[-1]
    return (
        "the endpoint's query check and its engine read this query differently "
        f"(the check stops at {detail.removeprefix('unexpected input at ')}), so it is "
        "refused: nothing unchecked runs here. Separate keywords and names with spaces."
    )


def _execute(store, named, text: str, results_key: str, graph_key: str, max_rows: int):
    """Run one query; (status, content type, body bytes). Runs inside a worker.

    The dataset is pinned to the store's own default and named graphs, so a FROM clause
    that slipped past the check still cannot change what the query reads."""
    import pyoxigraph as ox

    _, syntax_error, prefixes_map = _imports()
    try:
        dataset = {"default_graph": ox.DefaultGraph(), "named_graphs": named}
        planned = planned_text(text)
        try:
            result = store.query(planned, **dataset)
        except SyntaxError:
            if planned == text:
                raise
            result = store.query(text, **dataset)  # the user's text, for the user's message
        if isinstance(result, ox.QueryBoolean):
            media, name = RESULT_FORMATS[results_key]
            return 200, media, result.serialize(format=getattr(ox.QueryResultsFormat, name))
        if isinstance(result, ox.QuerySolutions):
            media, name = RESULT_FORMATS[results_key]
            sink = _CountingSink(max_rows + 1)  # the header line, then one line per row
            try:
                result.serialize(sink, format=ox.QueryResultsFormat.TSV)
            except _RowLimit:
                return 413, PLAIN, _too_many(max_rows, "rows")
            data = b"".join(sink.chunks)
            if name != "TSV":
                parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
                data = parsed.serialize(format=getattr(ox.QueryResultsFormat, name))
            return 200, media, data
        media, name = GRAPH_FORMATS[graph_key]
        sink = _CountingSink(max_rows)
        try:
            result.serialize(sink, format=ox.RdfFormat.N_TRIPLES)
        except _RowLimit:
            return 413, PLAIN, _too_many(max_rows, "triples")
        data = b"".join(sink.chunks)
        if name != "N_TRIPLES":
            triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
            fmt = getattr(ox.RdfFormat, name)
            prefixes = prefixes_map if name in ("TURTLE", "JSON_LD", "RDF_XML") else None
            data = ox.serialize(triples, format=fmt, prefixes=prefixes)
        return 200, media, data
    except SyntaxError as error:
        return 400, PLAIN, str(syntax_error(error, "the query")).encode()
    except MemoryError:
        return 503, PLAIN, b"the query needed more memory than a worker may use"
    except Exception as error:  # evaluation errors surface while the results stream
        return 500, PLAIN, f"query evaluation failed: {error}".encode()


def _too_many(max_rows: int, what: str) -> bytes:
    return (
        f"the result has more than {max_rows:,} {what}, this endpoint's limit; {_ROW_LIMIT_HINT}"
    ).encode()


# The package root goes first on sys.path: `python -c` would otherwise put the current
# directory there, and a worker could import another checkout's b12kg than its server's.
_WORKER_COMMAND = (
    "import sys; sys.path.insert(0, {root!r}); "
    "from b12kg.endpoint.workers import _worker_entry; _worker_entry()"
)


class _Worker:
    """One worker: a plain child interpreter (not multiprocessing's spawn, which re-imports
    the caller's __main__), talking pickled tuples over a socket pair, with a second pipe
    whose only job is to close when this process dies."""

    def __init__(
        self,
        store_path: str,
        isolate: bool,
        memory_mb: int | None,
        quiet: bool,
        start_nice: int = 0,
    ):
        import subprocess
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        watch_read, self._watch_write = os.pipe()
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p
        )
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _WORKER_COMMAND.format(root=package_root),
                    str(theirs.fileno()),
                    store_path,
                    "1" if isolate else "0",
                    str(memory_mb or 0),
                    str(os.getpid()),
                    str(watch_read),
                    str(start_nice),
                ],
                pass_fds=[theirs.fileno(), watch_read],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                # a worker killed by its memory limit prints Rust's abort message; keep
                # that off the console unless the server is verbose
                stderr=subprocess.DEVNULL if quiet else None,
                env=env,
            )
        except BaseException:
            os.close(self._watch_write)
            raise
        finally:
            theirs.close()
            os.close(watch_read)
        self.conn = Connection(ours.detach())
        self.memory_mb = memory_mb
        # CPU seconds the process had used when it sent its last reply: it is idle between
        # jobs, so this is where the next job's CPU count starts (None: read /proc instead)
        self.cpu_mark: float | None = None
        self.triples = 0
        self.sandbox: dict[str, bool] = {}

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def isolated(self) -> bool:
        return any(self.sandbox.values())

    def wait_ready(self, timeout: float) -> None:
        try:
            ready = self.conn.poll(timeout)
            message = self.conn.recv() if ready else None
        except (EOFError, OSError):
            message = ("error", self._exited_message(), {})
        if message is None:
            self.kill()
            raise RuntimeError(f"a query worker did not start within {timeout:.0f} s")
        status, detail, sandbox = message
        if status != "ready":
            self.kill()
            from b12kg.errors import UsageError

            raise UsageError(str(detail))
        self.triples, self.sandbox = int(detail), dict(sandbox)

    def _exited_message(self) -> str:
        if self.memory_mb:
            return (
                "the query worker exited while loading the graph, probably for want of memory "
                f"(limit {self.memory_mb:,} MB of address space per worker); raise "
                "--worker-memory, or give 0 for no limit"
            )
        return "the query worker exited while loading the graph"

    def reply(self):
        """The worker's answer to the job it was sent (call once `conn.poll()` says so)."""
        *answer, self.cpu_mark = self.conn.recv()
        return tuple(answer)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            os.close(self._watch_write)


def raw_job(text: str, results_key: str, graph_key: str, max_rows: int) -> dict:
    """A job that skips the check (tests: proves the sandbox holds on its own)."""
    return {"text": text, "raw": (results_key, graph_key), "max_rows": max_rows}


def query_job(
    text: str, accept: str | None, formats: list[str], max_rows: int, check: QueryCheck | None
) -> dict:
    return {
        "text": text,
        "accept": accept,
        "formats": formats,
        "max_rows": max_rows,
        "check": check,
    }
