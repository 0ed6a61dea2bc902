"""What a worker process does to itself before it loads the graph: no network, a memory
ceiling, and death with its parent.

Its own module because each step is a small piece of Linux plumbing (ctypes, prctl,
seccomp) that deserves reading on its own, and because the query check is only the first
line: pyoxigraph executes SERVICE with its own HTTP client, so if the check's grammar and the
engine's ever disagree, these steps are what keep a query from reaching the network.

* `isolate_network` — new, empty user and network namespaces, where the kernel allows them.
* `block_inet_sockets` — a seccomp filter that makes `socket()` fail for every family but
  AF_UNIX (and `io_uring_setup`, which could open sockets without that call). It needs no
  privilege, so it also holds where namespaces are unavailable (`isolate_network=False`).
* `die_with_parent` — PR_SET_PDEATHSIG plus a pipe watchdog: a SIGKILLed server must not
  leave a worker spinning on a runaway query.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import signal
import struct
import sys
import threading

_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2

# (audit arch, socket, io_uring_setup) per machine; others get no filter (and say so).
_SYSCALLS = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def isolate_network() -> bool:
    """Move this process into new, empty user and network namespaces (Linux only).

    Afterwards no socket can reach anything. Needs unprivileged user namespaces (or root);
    returns False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = _libc()
        clone_newuser, clone_newnet = 0x10000000, 0x40000000
        if libc.unshare(clone_newuser | clone_newnet) != 0:
            return libc.unshare(clone_newnet) == 0
        return True
    except (OSError, AttributeError):
        return False


def _seccomp_program(arch: int, nr_socket: int, nr_uring: int, x32: bool) -> bytes:
    """A classic-BPF seccomp filter: socket(domain != AF_UNIX) and io_uring_setup fail with
    EPERM; every other call is allowed."""
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    # (code, jump-if-true label, jump-if-false label, k); labels resolved below
    program: list[tuple[int, str | None, str | None, int]] = [
        (ld_abs, None, None, 4),  # seccomp_data.arch
        (jeq, None, "deny", arch),
        (ld_abs, None, None, 0),  # seccomp_data.nr
    ]
    if x32:
        program.append((jge, "deny", None, 0x40000000))
    program += [
        (jeq, "deny", None, nr_uring),
        (jeq, None, "allow", nr_socket),
        (ld_abs, None, None, 16),  # low word of args[0]: the address family
        (jeq, "allow", "deny", 1),  # AF_UNIX
    ]
    labels = {"allow": len(program), "deny": len(program) + 1}
    program += [(ret, None, None, allow), (ret, None, None, deny)]
    out = b""
    for index, (code, true, false, k) in enumerate(program):
        jt = labels[true] - index - 1 if true else 0
        jf = labels[false] - index - 1 if false else 0
        out += struct.pack("=HBBI", code, jt, jf, k)
    return out


def block_inet_sockets() -> bool:
    """Forbid this process every socket but AF_UNIX, for good (seccomp; Linux only).

    Returns False where seccomp or the machine's syscall numbers are unknown."""
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in _SYSCALLS:
        return False
    arch, nr_socket, nr_uring = _SYSCALLS[machine]
    code = _seccomp_program(arch, nr_socket, nr_uring, x32=machine == "x86_64")
    count = len(code) // 8
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(count, ctypes.cast(buffer, ctypes.c_void_p))
    try:
        libc = _libc()
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int, watch_fd: int | None) -> None:
    """End this process when the server that started it ends, however it ends.

    PR_SET_PDEATHSIG (Linux) delivers SIGKILL when the parent's spawning thread exits, so
    the pool spawns workers from one long-lived thread. The pipe watchdog covers the other
    platforms: the parent holds the write end and never writes; EOF means it is gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    if watch_fd is None:
        return

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(watch_fd, 1):
                pass
        os._exit(1)

    threading.Thread(target=watch, name="b12kg-parent-watch", daemon=True).start()


def limit_memory(memory_mb: int | None) -> None:
    """Cap this process's address space, so a greedy query ends in MemoryError (or the
    worker's death, which the pool survives) rather than in swapping the machine."""
    if not memory_mb:
        return
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
