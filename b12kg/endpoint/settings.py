"""Validation of the endpoint's settings, for `make_server` and `serve` alike.

Its own module because every way in (the CLI, `b12kg.endpoint.serve`, `make_server` from
Python) must get the same clear error for a bad setting, rather than a traceback from deep
in a socket call (`--port 70000`) or a server that cannot work (`--timeout nan`, `inf` or
`1e-9`). It raises `UsageError`, which the CLI turns into a message and exit code 2.
"""

from __future__ import annotations

import math
import numbers
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

MIN_TIMEOUT_S = 0.05
MAX_TIMEOUT_S = 24 * 3600.0

# Worker address space (RLIMIT_AS), when not given: what a worker needs before any triple
# (the interpreter, pyoxigraph, rdflib's parser, a 256 MB reserved stack for the query
# check; RocksDB's thread arenas for a store) plus what the graph needs, with room for
# queries. A ceiling against runaway queries, not a reservation: only touched pages count.
FLOOR_MB = 2048
FILE_BASE_MB = 1024
# a private in-memory copy costs about 6x the N-Triples (12x the Turtle) it was parsed from
FILE_FACTOR = 16
STORE_BASE_MB = 2048
# an on-disk store is read through the page cache, shared by every worker; a worker itself
# holds its table indexes, filters and block cache, a fraction of the store
STORE_FACTOR = 0.5


def worker_memory_mb(store_path: Path) -> int:
    """The address-space limit per worker for the graph at `store_path` (an RDF file or an
    on-disk store directory), sized from what it needs: `make_server(memory_mb=None)`."""
    if os.path.isdir(store_path):
        size = sum(entry.stat().st_size for entry in os.scandir(store_path) if entry.is_file())
        needed = STORE_BASE_MB + STORE_FACTOR * size / 2**20
    else:
        needed = FILE_BASE_MB + FILE_FACTOR * os.path.getsize(store_path) / 2**20
    return max(FLOOR_MB, int(math.ceil(needed / 256) * 256))


def _usage(message: str):
    from b12kg.errors import UsageError

    return UsageError(message)


def _integer(name: str, value, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _usage(f"{name} must be a whole number, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _usage(f"{name} must be {bound}, not {value}")
    return int(value)


def validate(
    *,
    host,
    port,
    timeout_s,
    max_rows,
    max_body,
    workers,
    max_connections=64,
    cache_mb=32,
    memory_mb=None,
) -> None:
    """Raise UsageError naming the first setting that cannot work."""
    if not isinstance(host, str) or not host or any(c.isspace() for c in host):
        raise _usage(f"host must be a host name or address, not {host!r}")
    _integer("port", port, 0, 65535)
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, numbers.Real):
        raise _usage(f"timeout must be a number of seconds, not {timeout_s!r}")
    if not math.isfinite(timeout_s) or not MIN_TIMEOUT_S <= timeout_s <= MAX_TIMEOUT_S:
        raise _usage(
            f"timeout must be between {MIN_TIMEOUT_S:g} and {MAX_TIMEOUT_S:g} seconds, "
            f"not {timeout_s!r}"
        )
    _integer("max rows", max_rows, 1)
    _integer("max body", max_body, 1)
    _integer("workers", workers, 1, 64)
    _integer("max connections", max_connections, 1, 4096)
    _integer("cache size (MB)", cache_mb, 0, 64 * 1024)
    if memory_mb is not None:
        _integer("worker memory (MB)", memory_mb, 0, 1024 * 1024)
