"""Worker processes: where queries actually run, each on a private copy of the graph.

Its own module because the worker side runs in a separate interpreter (started with
`python -c` by module path, see `_WORKER_COMMAND`) and must stay importable there, and
because time limits are enforced by killing these processes: pyoxigraph cannot cancel a
query. On Linux each worker also moves into an empty network namespace.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import sys
import threading
import time
from pathlib import Path

from b12kg.endpoint.negotiation import GRAPH_FORMATS, RESULT_FORMATS
from b12kg.sparql.embedded import read_store

_ROW_LIMIT_HINT = "add a LIMIT (and ORDER BY) to the query, or page with OFFSET"


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


def _isolate_network() -> bool:
    """Move this process into new, empty user and network namespaces (Linux only).

    Afterwards no socket can reach anything, so even a SERVICE call that escaped the check
    fails. Needs unprivileged user namespaces (or root); returns False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        clone_newuser, clone_newnet = 0x10000000, 0x40000000
        if libc.unshare(clone_newuser | clone_newnet) != 0:
            return libc.unshare(clone_newnet) == 0
        return True
    except (OSError, AttributeError):
        return False


def _worker_entry() -> None:
    """`python -c … FD STORE ISOLATE MEMORY_MB`: the command line of a worker process."""
    from multiprocessing.connection import Connection

    fd, store_path, isolate, memory_mb = sys.argv[1:5]
    _worker_main(Connection(int(fd)), store_path, isolate == "1", int(memory_mb) or None)


def _worker_main(conn, store_path: str, isolate: bool, memory_mb: int | None) -> None:
    """A worker process: load the graph once, then answer jobs until the pipe closes."""
    isolated = _isolate_network() if isolate else False
    if memory_mb:
        with contextlib.suppress(ImportError, ValueError, OSError):
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        store = read_store(Path(store_path))
    except Exception as error:  # report any load failure to the parent, then stop
        conn.send(("error", str(error), False))
        return
    conn.send(("ready", len(store), isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(_execute(store, *job))


def _execute(store, text: str, results_key: str, graph_key: str, max_rows: int):
    """Run one query; (status, content type, body bytes). Runs inside a worker."""
    import pyoxigraph as ox

    from b12kg.sparql.embedded import syntax_error
    from b12kg.vocabulary import PREFIXES

    plain = "text/plain; charset=utf-8"
    try:
        result = store.query(text)
    except SyntaxError as error:
        return 400, plain, str(syntax_error(error, "the query")).encode()
    try:
        if isinstance(result, ox.QueryBoolean):
            media, name = RESULT_FORMATS[results_key]
            return 200, media, result.serialize(format=getattr(ox.QueryResultsFormat, name))
        if isinstance(result, ox.QuerySolutions):
            media, name = RESULT_FORMATS[results_key]
            sink = _CountingSink(max_rows + 1)  # the header line, then one line per row
            try:
                result.serialize(sink, format=ox.QueryResultsFormat.TSV)
            except _RowLimit:
                return 413, plain, _too_many(max_rows, "rows")
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
            return 413, plain, _too_many(max_rows, "triples")
        data = b"".join(sink.chunks)
        if name != "N_TRIPLES":
            triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
            fmt = getattr(ox.RdfFormat, name)
            prefixes = PREFIXES if name in ("TURTLE", "JSON_LD", "RDF_XML") else None
            data = ox.serialize(triples, format=fmt, prefixes=prefixes)
        return 200, media, data
    except MemoryError:
        return 503, plain, b"the query needed more memory than a worker may use"
    except Exception as error:  # evaluation errors surface while the results stream
        return 500, plain, f"query evaluation failed: {error}".encode()


def _too_many(max_rows: int, what: str) -> bytes:
    return (
        f"the result has more than {max_rows:,} {what}, this endpoint's limit; {_ROW_LIMIT_HINT}"
    ).encode()


_WORKER_COMMAND = "from b12kg.endpoint.workers import _worker_entry; _worker_entry()"


class _Worker:
    """One worker: a plain child interpreter (not multiprocessing's spawn, which re-imports
    the caller's __main__), talking pickled tuples over a socket pair."""

    def __init__(self, store_path: str, isolate: bool, memory_mb: int | None, quiet: bool):
        import os
        import subprocess
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
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
                    _WORKER_COMMAND,
                    str(theirs.fileno()),
                    store_path,
                    "1" if isolate else "0",
                    str(memory_mb or 0),
                ],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                # a worker killed by its memory limit prints Rust's abort message; keep
                # that off the console unless the server is verbose
                stderr=subprocess.DEVNULL if quiet else None,
                env=env,
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.triples = 0
        self.isolated = False

    def wait_ready(self, timeout: float) -> None:
        try:
            ready = self.conn.poll(timeout)
            message = self.conn.recv() if ready else None
        except (EOFError, OSError):
            message = ("error", "the query worker exited while loading the graph", False)
        if message is None:
            self.kill()
            raise RuntimeError(f"a query worker did not start within {timeout:.0f} s")
        status, detail, isolated = message
        if status != "ready":
            self.kill()
            from b12kg.errors import UsageError

            raise UsageError(str(detail))
        self.triples, self.isolated = int(detail), bool(isolated)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """Worker processes, each with its own copy of the store; one query per worker at a time.

    pyoxigraph cannot cancel a query, so a query over its time limit is stopped by killing
    its process. A replacement starts in the background while the others keep serving."""

    def __init__(
        self,
        store_path: Path,
        *,
        workers: int,
        timeout_s: float,
        isolate: bool = True,
        memory_mb: int | None = 2048,
        verbose: bool = False,
        log=None,
    ):
        self.store_path = str(store_path)
        self.timeout_s = timeout_s
        self.isolate = isolate
        self.memory_mb = memory_mb
        self.verbose = verbose
        self.size = workers
        self._log = log or (lambda message: None)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.restarts = 0
        started = [self._start() for _ in range(workers)]
        try:
            for worker in started:
                worker.wait_ready(60)
        except BaseException:
            for worker in started:
                worker.kill()
            raise
        self.triples = started[0].triples
        self.isolated = all(w.isolated for w in started)
        for worker in started:
            self._idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker(self.store_path, self.isolate, self.memory_mb, not self.verbose)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker, reason: str) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if self._closed:
            return
        self.restarts += 1

        def restart() -> None:
            for attempt in range(5):
                if self._closed:
                    return
                fresh = self._start()
                try:
                    fresh.wait_ready(60)
                except Exception as error:
                    with self._lock:
                        self._all.discard(fresh)
                    sys.stderr.write(f"b12kg serve: cannot restart a query worker: {error}\n")
                    time.sleep(0.5 * 2**attempt)
                    continue
                if self._closed:
                    fresh.kill()
                    return
                self._idle.put(fresh)
                self._log(f"worker replaced ({reason})")
                return

        threading.Thread(target=restart, name="b12kg-worker-restart", daemon=True).start()

    def run(self, text: str, results_key: str, graph_key: str, max_rows: int):
        """(status, content type, body) for one query, within the time limit."""
        plain = "text/plain; charset=utf-8"
        try:
            worker = self._idle.get(timeout=self.timeout_s)
        except queue.Empty:
            return (
                503,
                plain,
                (
                    f"all {self.size} query workers stayed busy for {self.timeout_s:g} s; "
                    "try again shortly"
                ).encode(),
            )
        healthy = False
        try:
            worker.conn.send((text, results_key, graph_key, max_rows))
            if worker.conn.poll(self.timeout_s):
                reply = worker.conn.recv()
                healthy = True
                return reply
            self._replace(worker, "time limit")
            worker = None
            return (
                503,
                plain,
                (
                    f"the query ran longer than this endpoint's limit of {self.timeout_s:g} s "
                    "and was stopped; make it more selective or add a LIMIT"
                ).encode(),
            )
        except (EOFError, OSError):
            self._replace(worker, "crashed")
            worker = None
            return (
                503,
                plain,
                (
                    b"the query worker stopped (the query probably needed more memory than "
                    b"allowed); make the query more selective"
                ),
            )
        finally:
            if worker is not None:
                if healthy:
                    self._idle.put(worker)
                else:
                    self._replace(worker, "interrupted")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
