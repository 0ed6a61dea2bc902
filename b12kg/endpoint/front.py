"""The connection front end: reads whole requests on one selector thread, under deadlines,
and only then hands them to a bounded set of handler threads.

Its own module because this is what keeps slow clients from exhausting the server. With a
thread per connection (`ThreadingHTTPServer`), 64 slowloris connections held all 64 slots.
Here a connection costs a buffer and a file descriptor until its request is complete:

* a request (line, headers and body) must arrive within `request_timeout_s` of its first
  byte (408), an idle keep-alive connection is closed after `idle_timeout_s`, and a
  response must be taken within `write_timeout_s` (a total `sendall` deadline);
* the request line must name an HTTP/1.x version: HTTP/0.9 and garbage get 400 at once;
* open connections are capped overall (`max_open`) and per client address
  (`max_per_client`); at a cap the new connection is kept and the least useful old one is
  closed: first the partial request that started longest ago, then the longest-idle one.
  Connections whose request is being answered are never evicted;
* complete requests wait in a bounded queue for `handlers` threads (503 when full).

The handler class is an ordinary `BaseHTTPRequestHandler`; it reads the buffered request
from memory (`BufferedRequestMixin`) and writes its answer to the socket.
"""

from __future__ import annotations

import contextlib
import io
import queue
import re
import select
import selectors
import socket
import socketserver
import sys
import threading
import time

_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d{1,18})[ \t]*\r?$", re.I | re.M)
_EXPECT = re.compile(rb"^expect:[ \t]*100-continue", re.I | re.M)
_VERSION = re.compile(rb"^HTTP/1\.[0-9]$")


class _Connection:
    __slots__ = ("address", "buffer", "client", "continued", "last", "sock", "started")

    def __init__(self, sock: socket.socket, address):
        self.sock = sock
        self.address = address
        self.client = address[0] if isinstance(address, tuple) else str(address)
        self.buffer = bytearray()
        self.started: float | None = None  # when the current request's first byte came
        self.last = time.monotonic()
        self.continued = False


def _plain(status: int, reason: str, message: str) -> bytes:
    body = (message + "\n").encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class FrontServer:
    """Listens, reads requests without a thread per connection, dispatches whole ones."""

    request_timeout_s = 10.0
    idle_timeout_s = 15.0
    write_timeout_s = 10.0
    max_head = 24 * 1024
    linger_s = 0.002  # how long a handler waits for a keep-alive client's next request
    max_queue = 512

    def __init__(
        self,
        address: tuple[str, int],
        handler_class,
        *,
        max_body: int,
        handlers: int,
        max_open: int = 512,
        max_per_client: int = 256,
    ):
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind(address)
            self.socket.listen(128)
        except OSError:
            self.socket.close()
            raise
        self.socket.setblocking(False)
        self.server_address = self.socket.getsockname()
        self.handler_class = handler_class
        self.max_body = max_body
        self.max_open = max_open
        self.max_per_client = max_per_client
        self.evicted = 0
        self._handlers = handlers
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.socket, selectors.EVENT_READ, None)
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._waiting: dict[int, _Connection] = {}  # in the selector, reading
        self._per_client: dict[str, int] = {}
        self._jobs: queue.Queue = queue.Queue(self.max_queue)
        self._back: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        self._lock = threading.Lock()

    # -- the selector loop

    def serve_forever(self, poll_interval: float = 0.25) -> None:
        self._stopped.clear()
        self._stop.clear()
        for index in range(self._handlers - len(self._threads)):
            thread = threading.Thread(
                target=self._handle_loop, name=f"b12kg-http-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        try:
            while not self._stop.is_set():
                for key, _ in self._selector.select(min(poll_interval, 0.25)):
                    if key.fileobj is self.socket:
                        self._accept()
                    elif key.fileobj is self._wake_r:
                        with contextlib.suppress(OSError):
                            self._wake_r.recv(4096)
                    else:
                        self._read(key.data)
                self._take_back()
                self._sweep()
        finally:
            self._stopped.set()

    def _accept(self) -> None:
        for _ in range(64):
            try:
                sock, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            sock.setblocking(False)
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = _Connection(sock, address)
            self._make_room(connection.client)
            with self._lock:
                self._per_client[connection.client] = self._per_client.get(connection.client, 0) + 1
            self._watch(connection)

    def _make_room(self, client: str) -> None:
        """At a cap, close the least useful waiting connection (of this client, if it is the
        client that is at its cap)."""
        with self._lock:
            over_client = self._per_client.get(client, 0) >= self.max_per_client
        total = len(self._waiting) + self._jobs.qsize()
        if not over_client and total < self.max_open:
            return
        candidates = [c for c in self._waiting.values() if not over_client or c.client == client]
        if not candidates:
            return
        victim = min(
            candidates,
            key=lambda c: (0, c.started) if c.started is not None else (1, c.last),
        )
        self.evicted += 1
        self._close(victim, _plain(503, "Service Unavailable", "too many connections; closed"))

    def _watch(self, connection: _Connection) -> None:
        self._waiting[connection.sock.fileno()] = connection
        self._selector.register(connection.sock, selectors.EVENT_READ, connection)

    def _unwatch(self, connection: _Connection) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(connection.sock)
        self._waiting.pop(connection.sock.fileno(), None)

    def _read(self, connection: _Connection) -> None:
        try:
            data = connection.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(connection)
            return
        now = time.monotonic()
        if connection.started is None:
            connection.started = now
        connection.last = now
        connection.buffer += data
        self._try_dispatch(connection)

    def _try_dispatch(self, connection: _Connection) -> None:
        """Dispatch the buffered request if it is complete; answer at once if it is bad."""
        kind, payload = self._extract(connection)
        if kind == "reject":
            self._close(connection, payload)
        elif kind == "request":
            self._unwatch(connection)
            try:
                self._jobs.put_nowait((connection, payload))
            except queue.Full:
                message = "the server is overloaded; try again shortly"
                self._close(connection, _plain(503, "Service Unavailable", message))

    def _extract(self, connection: _Connection) -> tuple[str, bytes]:
        """("request", bytes) when a whole request is buffered (and takes it out of the
        buffer), ("reject", farewell) for a bad one, ("wait", b"") otherwise. Touches only
        the connection, so handler threads may call it too."""
        buffer = connection.buffer
        while buffer[:2] == b"\r\n" or buffer[:1] == b"\n":  # RFC 9112: ignore leading CRLFs
            del buffer[: 2 if buffer[:1] == b"\r" else 1]
        if not buffer:
            connection.started = None
            return "wait", b""
        line_end = buffer.find(b"\n")
        if line_end < 0:
            if len(buffer) > self.max_head:
                return "reject", _plain(414, "URI Too Long", "the request line is too long")
            return "wait", b""
        words = bytes(buffer[:line_end]).strip().split()
        if len(words) != 3 or not _VERSION.match(words[2]):
            message = "this endpoint speaks HTTP/1.0 and HTTP/1.1 only; the request line is not one"
            return "reject", _plain(400, "Bad Request", message)
        end, gap = buffer.find(b"\r\n\r\n"), 4
        if end < 0:
            end, gap = buffer.find(b"\n\n"), 2
        if end < 0:
            if len(buffer) > self.max_head:
                message = "the request headers are too large"
                return "reject", _plain(431, "Request Header Fields Too Large", message)
            return "wait", b""
        head = bytes(buffer[:end])
        found = _CONTENT_LENGTH.search(head)
        length = int(found.group(1)) if found else 0
        if length > self.max_body:
            length = 0  # the handler answers 413 from the headers and closes
        size = end + gap + length
        if len(buffer) < size:
            if not connection.continued and _EXPECT.search(head):
                connection.continued = True
                with contextlib.suppress(OSError):
                    connection.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            return "wait", b""
        request = bytes(buffer[:size])
        del buffer[:size]
        connection.started = None
        connection.continued = False
        return "request", request

    def _take_back(self) -> None:
        """Connections that handlers kept alive rejoin the selector (or go on, pipelined)."""
        while True:
            try:
                connection = self._back.get_nowait()
            except queue.Empty:
                return
            try:
                connection.sock.setblocking(False)
            except OSError:
                self._close(connection)
                continue
            connection.last = time.monotonic()
            connection.started = connection.last if connection.buffer else None
            self._watch(connection)
            if connection.buffer:
                self._try_dispatch(connection)

    def _sweep(self) -> None:
        now = time.monotonic()
        for connection in list(self._waiting.values()):
            if connection.started is not None:
                if now - connection.started > self.request_timeout_s:
                    message = f"the request did not arrive within {self.request_timeout_s:g} s"
                    self._close(connection, _plain(408, "Request Timeout", message))
            elif now - connection.last > self.idle_timeout_s:
                self._close(connection)

    def _close(self, connection: _Connection, farewell: bytes = b"") -> None:
        self._unwatch(connection)
        if farewell:
            with contextlib.suppress(OSError):
                connection.sock.send(farewell)  # best effort: never block the loop
        with contextlib.suppress(OSError):
            connection.sock.close()
        self._release_client(connection)

    def _release_client(self, connection: _Connection) -> None:
        """One connection fewer for its client (the per-client cap counts open ones)."""
        with self._lock:
            left = self._per_client.get(connection.client, 1) - 1
            if left > 0:
                self._per_client[connection.client] = left
            else:
                self._per_client.pop(connection.client, None)

    # -- handler threads

    def _handle_loop(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            connection, request = item
            keep = False
            try:
                connection.sock.setblocking(True)
                connection.sock.settimeout(self.write_timeout_s)
                while request:
                    handler = self.handler_class(connection.sock, connection.address, self, request)
                    keep = not handler.close_connection
                    request = self._next_request(connection) if keep else b""
            except Exception as error:  # a bug in a handler must not end the thread
                keep = False
                self.handle_error(connection.address, error)
            if keep and not self._stop.is_set():
                self._back.put(connection)
                with contextlib.suppress(OSError):
                    self._wake_w.send(b"x")
            else:
                self._close_from_handler(connection)

    def _next_request(self, connection: _Connection) -> bytes:
        """A keep-alive client's next request, if it is already here or comes within
        `linger_s`; else b"" and the connection goes back to the selector. Saves the
        hand-back (a wake-up, two epoll calls and a thread switch) for busy clients."""
        if self._stop.is_set():
            return b""
        kind, request = self._extract(connection)
        if kind == "request":
            return request
        if kind == "reject" or connection.buffer:
            return b""  # partial or bad: the selector loop deals with it, under its deadline
        try:
            ready, _, _ = select.select([connection.sock], [], [], self.linger_s)
            if not ready:
                return b""
            connection.sock.setblocking(False)
            try:
                data = connection.sock.recv(65536)
            finally:
                connection.sock.setblocking(True)
                connection.sock.settimeout(self.write_timeout_s)
        except (BlockingIOError, InterruptedError):
            return b""
        if not data:
            raise ConnectionResetError("the client closed the connection")
        connection.buffer += data
        connection.started = connection.last = time.monotonic()
        kind, request = self._extract(connection)
        return request if kind == "request" else b""

    def _close_from_handler(self, connection: _Connection) -> None:
        with contextlib.suppress(OSError):
            connection.sock.close()
        self._release_client(connection)

    def handle_error(self, address, error: BaseException) -> None:
        if not isinstance(error, (ConnectionError, TimeoutError)):
            sys.stderr.write(f"b12kg serve: {type(error).__name__}: {error}\n")

    # -- stopping

    def shutdown(self) -> None:
        """Stop the loop (from another thread) and wait for it."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        self._stopped.wait(5)

    def server_close(self) -> None:
        self._stop.set()
        for connection in list(self._waiting.values()):
            self._close(connection)
        for _ in self._threads:
            with contextlib.suppress(queue.Full):
                self._jobs.put_nowait(None)
        with contextlib.suppress(OSError, KeyError, ValueError):
            self._selector.unregister(self.socket)
        with contextlib.suppress(OSError):
            self.socket.close()


class BufferedRequestMixin:
    """Makes a `BaseHTTPRequestHandler` answer exactly one request already read into memory."""

    def __init__(self, sock, address, server, request: bytes):
        self._request_bytes = request
        super().__init__(sock, address, server)

    def setup(self) -> None:
        self.connection = self.request
        self.rfile = io.BytesIO(self._request_bytes)
        self.wfile = socketserver._SocketWriter(self.connection)

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()

    def handle_expect_100(self) -> bool:
        return True  # the front end already said 100 Continue while the body came in

    def leftover(self) -> bytes:
        """Bytes after this request (a body the handler did not read is not reusable)."""
        return b""

    def finish(self) -> None:
        with contextlib.suppress(Exception):
            self.wfile.flush()
