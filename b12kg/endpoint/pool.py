"""The worker pool: schedules queries on worker processes fairly, and heals itself.

Its own module because scheduling is where the endpoint's fairness lives, apart from the
worker process itself (`workers.py`) and from HTTP (`http.py`).

Fairness — a light lane that runaway queries cannot take. pyoxigraph cannot pause or cancel
a query, so a long query holds a whole worker until it ends or is killed. Hence:

* every query starts with a short *light budget* (`light_s` of CPU time, so a query that
  only waited for a core on a busy machine is not mistaken for a heavy one). One that ends
  within it was
  light. One still running after it becomes *heavy*, and may go on only while fewer than
  `size - reserved` workers run heavy queries (`reserved` is 1 when there are 2 or more
  workers); otherwise it is killed and waits for a heavy slot with the time it has left;
* a query text seen to run past the budget (the `CostBook`) starts heavy at once: it waits
  for a heavy slot instead of taking the reserved worker.

So with two workers, any number of runaway clients share one worker, and the other stays
free for queries that finish within the budget. Waiting is bounded by the query's own
deadline (503 with Retry-After).

Healing — a supervisor thread owns every spawn (so PR_SET_PDEATHSIG, which fires when the
*spawning thread* ends, ties workers to the server's lifetime), restarts dead or killed
workers with exponential backoff capped at `MAX_BACKOFF_S`, and never gives a slot up. A
query whose worker died (not for its time limit) is retried once on another worker: every
query is read-only, so running it again is harmless. `health()` says how many are alive.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import OrderedDict, deque
from pathlib import Path

from b12kg.endpoint.workers import PLAIN, _Worker, query_job, raw_job

MAX_BACKOFF_S = 30.0
# CPU priority (niceness) of workers: a worker running a heavy query yields the CPU to the
# server, its clients and the light lane; a starting worker (a second of imports) too.
# Lowering niceness needs CAP_SYS_NICE: without it, serving workers stay at the start-up 10
# and a worker that ran a heavy query stays at 19 until it is replaced.
NICE_LIGHT = 2
NICE_HEAVY = 19
# niceness of a replacement worker's start-up thread (the first workers start at full speed:
# nothing is serving yet, and the time to ready is what a user waits for)
NICE_START = 10
BACKOFF_BASE_S = 0.25
START_TIMEOUT_S = 60.0


class CostBook:
    """Which query texts ran past the light budget lately (bounded LRU of digests)."""

    def __init__(self, size: int = 4096):
        self._heavy: OrderedDict[bytes, float] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def is_heavy(self, text: str) -> bool:
        with self._lock:
            return self._key(text) in self._heavy

    def record(self, text: str, seconds: float, heavy: bool) -> None:
        key = self._key(text)
        with self._lock:
            if heavy:
                self._heavy[key] = seconds
                self._heavy.move_to_end(key)
                while len(self._heavy) > self._size:
                    self._heavy.popitem(last=False)
            else:
                self._heavy.pop(key, None)


class WorkerPool:
    """Worker processes, one query per worker at a time. Each holds a private copy of an RDF
    file, or opens an on-disk store read-only (one store on disk, shared by all of them).

    `memory_mb` caps each worker's address space; None sizes it from the store
    (`settings.worker_memory_mb`), 0 sets no cap."""

    def __init__(
        self,
        store_path: Path,
        *,
        workers: int,
        timeout_s: float,
        isolate: bool = True,
        memory_mb: int | None = None,
        verbose: bool = False,
        log=None,
        light_s: float = 0.25,
    ):
        if memory_mb is None:
            from b12kg.endpoint.settings import worker_memory_mb

            memory_mb = worker_memory_mb(store_path)
        self.store_path = str(store_path)
        self.timeout_s = timeout_s
        self.light_s = min(light_s, timeout_s)
        self.isolate = isolate
        self.memory_mb = memory_mb
        self.verbose = verbose
        self.size = workers
        self.reserved = 1 if workers >= 2 else 0
        self.costs = CostBook()
        self._log = log or (lambda message: None)
        # one lock, two queues of waiters: light and heavy queries wait on their own
        # condition, so a released worker wakes one waiter that can use it (notify_all woke
        # every waiting request thread on every release: a thundering herd under load)
        lock = threading.RLock()
        self._cond = threading.Condition(lock)
        self._heavy_cond = threading.Condition(lock)
        self._idle: deque[_Worker] = deque()
        self._busy: set[_Worker] = set()
        # a started, loaded worker kept aside: it takes a dead or killed worker's place at
        # once, so the light lane is never empty while a replacement starts (about 0.6 s of
        # CPU, seconds on a loaded machine)
        self._spares: deque[_Worker] = deque()
        self.spare_target = 1
        self._heavy = 0
        self._wanted = workers
        self._closed = False
        self._failures = 0
        self.restarts = 0
        self.replaced: dict[str, int] = {}  # why workers were replaced, for /health
        self.retries = 0
        self.last_error: str | None = None
        self.triples = 0
        self.sandbox: dict[str, bool] = {}
        self._first: BaseException | None = None
        self._started = threading.Event()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self.backoff_base_s = BACKOFF_BASE_S
        self.max_backoff_s = MAX_BACKOFF_S
        self._supervisor = threading.Thread(
            target=self._supervise, name="b12kg-worker-supervisor", daemon=True
        )
        self._supervisor.start()
        self._started.wait()
        if self._first is not None:
            self.close()
            raise self._first

    # -- state

    @property
    def live(self) -> int:
        with self._cond:
            return len(self._idle) + len(self._busy)

    @property
    def isolated(self) -> bool:
        return any(self.sandbox.values())

    def health(self) -> dict[str, object]:
        with self._cond:
            live = len(self._idle) + len(self._busy)
            return {
                "workers": self.size,
                "alive": live,
                "busy": len(self._busy),
                "spares": len(self._spares),
                "heavy": self._heavy,
                "restarts": self.restarts,
                "replaced": dict(self.replaced),
                "retries": self.retries,
                "last_error": self.last_error,
                "memory_mb": self.memory_mb or None,
                "status": "ok" if live == self.size else ("degraded" if live else "down"),
            }

    # -- the supervisor: the one thread that spawns workers

    def _supervise(self) -> None:
        first = True
        while not self._closed:
            with self._cond:
                wanted, self._wanted = self._wanted, 0
            if wanted:
                self._spawn(wanted, first)
                if first:
                    first = False
                    self._started.set()
                    if self._first is not None:
                        return
                    with self._cond:
                        self._wanted += self.spare_target  # the spare, once serving
                continue
            self._reap_dead_idle()
            self._wake.wait(0.5)
            self._wake.clear()

    def _spawn(self, count: int, first: bool) -> None:
        fresh: list[_Worker] = []
        for _ in range(count):
            try:
                fresh.append(
                    _Worker(
                        self.store_path,
                        self.isolate,
                        self.memory_mb,
                        not self.verbose,
                        0 if first else NICE_START,
                    )
                )
            except OSError as error:
                self._failed(1, error, first)
        for worker in fresh:
            try:
                worker.wait_ready(START_TIMEOUT_S)
            except Exception as error:
                worker.kill()
                self._failed(1, error, first)
                continue
            if self._closed:
                worker.kill()
                continue
            self.triples = worker.triples
            self.sandbox = worker.sandbox
            worker.cpu_mark = _cpu_seconds(worker.pid)  # idle now: its first job counts from here
            _renice(worker, NICE_LIGHT)
            with self._cond:
                if len(self._idle) + len(self._busy) < self.size:
                    self._idle.append(worker)
                else:
                    self._spares.append(worker)
                self._failures = 0
                self._notify()
            if not first:
                self._log("worker started")

    def _failed(self, count: int, error: BaseException, first: bool) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
        if first:
            self._first = self._first or error
            return
        import sys

        sys.stderr.write(f"b12kg serve: cannot start a query worker: {error}\n")
        with self._cond:
            self._failures += 1
            self._wanted += count
            delay = min(self.max_backoff_s, self.backoff_base_s * 2 ** min(self._failures - 1, 10))
        self._closing.wait(delay)

    def _reap_dead_idle(self) -> None:
        with self._cond:
            dead_spares = [w for w in self._spares if not w.alive()]
            for worker in dead_spares:
                self._spares.remove(worker)
                self._wanted += 1
            dead = [w for w in self._idle if not w.alive()]
            for worker in dead:
                self._idle.remove(worker)
                self._wanted += 1
                self.restarts += 1
                self._promote_spare()
            dead += dead_spares
        for worker in dead:
            worker.kill()
            self._log("an idle worker had died; replacing it")

    def _replace(self, worker: _Worker, reason: str, heavy: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            if heavy:
                self._heavy -= 1
            if not self._closed:
                self._wanted += 1
                self.restarts += 1
                self.replaced[reason] = self.replaced.get(reason, 0) + 1
                self._promote_spare()
            self._notify()
        worker.kill()
        self._wake.set()
        self._log(f"worker replaced ({reason})")

    def _promote_spare(self) -> None:
        """A spare takes an empty slot (call with the lock held)."""
        if self._spares and len(self._idle) + len(self._busy) < self.size:
            self._idle.append(self._spares.popleft())

    # -- scheduling

    def _acquire(self, heavy: bool, deadline: float) -> _Worker | None:
        with self._cond:
            while not self._closed:
                live = len(self._idle) + len(self._busy)
                if self._idle and (not heavy or self._heavy < live - self.reserved):
                    worker = self._idle.popleft()
                    self._busy.add(worker)
                    if heavy:
                        self._heavy += 1
                        _renice(worker, NICE_HEAVY)
                    return worker
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (live == 0 and self._failures > 0):
                    self._notify()  # pass on a wake-up this thread may have taken
                    return None  # out of time, or no worker and restarts failing: say so now
                (self._heavy_cond if heavy else self._cond).wait(remaining)
            return None

    def _notify(self) -> None:
        """Wake one light and one heavy waiter (call with the lock held)."""
        self._cond.notify()
        self._heavy_cond.notify()

    def _promote(self) -> bool:
        """May a running light query go on as heavy? (Takes a heavy slot if so.)"""
        with self._cond:
            live = len(self._idle) + len(self._busy)
            if self._heavy < live - self.reserved:
                self._heavy += 1
                return True
            return False

    def _release(self, worker: _Worker, heavy: bool) -> None:
        if heavy:
            _renice(worker, NICE_LIGHT)  # needs privilege to lower; otherwise stays low
        with self._cond:
            self._busy.discard(worker)
            if heavy:
                self._heavy -= 1
            if self._closed:
                worker.kill()
            else:
                self._idle.append(worker)
            self._notify()

    def answer(self, text: str, accept: str | None, formats: list[str], max_rows: int, check):
        """(status, content type, body, verdict, format key) for one query, in the time limit."""
        return self._run(text, query_job(text, accept, formats, max_rows, check))

    def run(self, text: str, results_key: str, graph_key: str, max_rows: int):
        """(status, content type, body) for a query, skipping the check (tests only)."""
        return self._run(text, raw_job(text, results_key, graph_key, max_rows))[:3]

    def _run(self, text: str, job: dict):
        started = time.monotonic()
        deadline = started + self.timeout_s
        heavy = self.costs.is_heavy(text)
        retried = False
        while True:
            worker = self._acquire(heavy, deadline)
            if worker is None:
                return self._busy_answer(heavy)
            try:
                worker.conn.send(job)
                if heavy:
                    ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
                else:
                    ready = self._within_light_budget(worker, deadline)
                if ready:
                    reply = worker.reply()
                elif not heavy and self._promote():
                    heavy = True
                    _renice(worker, NICE_HEAVY)
                    self.costs.record(text, time.monotonic() - started, True)
                    remaining = max(0.0, deadline - time.monotonic())
                    reply = worker.reply() if worker.conn.poll(remaining) else None
                elif not heavy and time.monotonic() < deadline:
                    # no heavy slot free: give the reserved worker back, wait as heavy
                    self.costs.record(text, time.monotonic() - started, True)
                    self._replace(worker, "over the light budget", False)
                    heavy = True
                    continue
                else:
                    reply = None
            except (EOFError, OSError):
                self._replace(worker, "crashed", heavy)
                if retried or time.monotonic() >= deadline:
                    return self._crash_answer()
                retried = True
                self.retries += 1
                continue
            if reply is None:
                self._replace(worker, "time limit", heavy)
                self.costs.record(text, self.timeout_s, True)
                return (
                    503,
                    PLAIN,
                    (
                        f"the query ran longer than this endpoint's limit of {self.timeout_s:g} s "
                        "and was stopped; make it more selective or add a LIMIT"
                    ).encode(),
                    None,
                    None,
                )
            elapsed = time.monotonic() - started
            self._release(worker, heavy)
            if not heavy:
                self.costs.record(text, elapsed, False)
            return reply

    def _within_light_budget(self, worker: _Worker, deadline: float) -> bool:
        """Wait for the reply while the query has used less than `light_s` of CPU.

        CPU time, not wall time: on a busy machine a light query can wait for a core for
        longer than the budget, and killing it for that would cost a restart and turn load
        into more load. The count starts from the CPU the worker reported with its last
        reply (it is idle between jobs). Wall time bounds the wait where /proc is
        unavailable, and the query's deadline bounds it always."""
        now = time.monotonic()
        # A reply within `light_s` of wall time used less than `light_s` of CPU: the common
        # case needs no /proc read at all (two per query cost ~8% of the HTTP process's time)
        if worker.conn.poll(max(0.0, min(self.light_s, deadline - now))):
            return True
        start_cpu = worker.cpu_mark
        while True:
            now = time.monotonic()
            cpu = _cpu_seconds(worker.pid)
            if start_cpu is None or cpu is None:  # no /proc: the wall-time budget is spent
                return worker.conn.poll(0)
            left = self.light_s - (cpu - start_cpu)
            if left <= 0 or now >= deadline:
                return worker.conn.poll(0)
            if worker.conn.poll(max(0.01, min(left, deadline - now))):
                return True

    def _busy_answer(self, heavy: bool):
        if self.live == 0:
            message = "no query worker is running; they are being restarted, try again shortly"
        elif heavy:
            message = (
                f"this query needs more than {self.light_s:g} s, and the workers that may run "
                f"long queries stayed busy for {self.timeout_s:g} s; try again shortly"
            )
        else:
            message = (
                f"all {self.size} query workers stayed busy for {self.timeout_s:g} s; "
                "try again shortly"
            )
        return 503, PLAIN, message.encode(), None, None

    @staticmethod
    def _crash_answer():
        message = (
            b"the query worker stopped twice while running this query (it probably needed "
            b"more memory than allowed); make the query more selective"
        )
        return 503, PLAIN, message, None, None

    def pids(self) -> list[int]:
        with self._cond:
            return [w.pid for w in (*self._idle, *self._busy, *self._spares)]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = [*self._idle, *self._busy, *self._spares]
            self._idle.clear()
            self._busy.clear()
            self._spares.clear()
            self._cond.notify_all()
            self._heavy_cond.notify_all()
        self._closing.set()
        self._wake.set()
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.kill()


def _renice(worker: _Worker, niceness: int) -> None:
    """Set the niceness of every thread of a worker (on Linux niceness is per thread, and
    queries run on the worker's second thread). Best effort: lowering it again needs
    CAP_SYS_NICE; raising it never fails."""
    import os

    try:
        threads = [int(tid) for tid in os.listdir(f"/proc/{worker.pid}/task")]
    except OSError:
        threads = [worker.pid]
    for tid in threads:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, tid, niceness)


_TICKS = None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), or None."""
    global _TICKS
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        if _TICKS is None:
            import os

            _TICKS = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return None
