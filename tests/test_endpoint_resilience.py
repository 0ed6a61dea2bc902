"""The endpoint under attack and accident: crashed and killed workers, a killed server,
runaway and slow clients, bad settings, odd HTTP.

Real servers on free 127.0.0.1 ports with their worker processes, always shut down. Timings
here are generous bounds that prove "it did not hang", not speed targets (those are in
bench/fairness.py and bench/RESULTS.md).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from b12kg.endpoint import make_server, serve
from b12kg.errors import UsageError

B12 = "https://w3id.org/b12kg/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# about a second of work: triples sharing an object
SLOWISH = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?c }"
REPOSITORY = Path(__file__).resolve().parents[1]


def _start(**options):
    server = make_server(port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _stop(server, thread) -> None:
    server.shutdown()
    thread.join(5)


def request(server, method, path, body=None, headers=None, timeout=20):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def get(server, query, timeout=20):
    return request(server, "GET", "/sparql?" + urlencode({"query": query}), timeout=timeout)


def _light(index: int) -> str:
    """A light query the answer cache has never seen."""
    return f"ASK {{ <{B12}pernicious_anemia> ?p ?o }} # {index} {time.monotonic_ns()}"


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return any(line.split()[1:2] == ["Z"] for line in status if line.startswith("State"))
    except FileNotFoundError:
        return True


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def server():
    """A server a test may damage."""
    server, thread = _start(timeout_s=5.0, cache_mb=0)
    yield server
    _stop(server, thread)


@pytest.fixture(scope="module")
def shared():
    """A server for tests that leave it as they found it."""
    server, thread = _start(timeout_s=5.0, cache_mb=0)
    yield server
    _stop(server, thread)


# --- the pool heals -------------------------------------------------------------------------


@pytest.fixture
def patient_server():
    """A server a test may damage, whose limit is far beyond SLOWISH on a loaded machine: the
    retried query runs reniced as a heavy one, and the point here is the retry, not the limit."""
    server, thread = _start(timeout_s=120.0, cache_mb=0)
    yield server
    _stop(server, thread)


def test_a_worker_killed_mid_query_costs_the_client_nothing(patient_server):
    server = patient_server
    outcome = {}

    def ask() -> None:
        outcome["answer"] = get(server, SLOWISH, timeout=120)

    thread = threading.Thread(target=ask)
    thread.start()
    assert _wait(lambda: server.pool.health()["busy"] == 1, 5)
    time.sleep(0.05)
    (victim,) = [w.pid for w in server.pool._busy]
    os.kill(victim, signal.SIGKILL)
    thread.join(150)
    status, _, body = outcome["answer"]
    assert status == 200, body  # retried once on the other worker
    assert server.pool.retries == 1
    assert _wait(lambda: server.pool.live == 2, 10)


def test_repeated_crashes_and_failed_restarts_never_lose_a_slot(server):
    pool = server.pool
    pool.backoff_base_s, pool.max_backoff_s = 0.02, 0.5
    for _ in range(2):  # crashes: every slot is refilled
        for pid in pool.pids():
            os.kill(pid, signal.SIGKILL)
        # every slot refilled, and the spare too (so no start is still in flight)
        assert _wait(lambda: _settled(pool), 30)
    # then six failed restarts in a row (the old pool gave a slot up after five): nothing
    # alive, and the endpoint says so
    real_path = pool.store_path
    pool.store_path = str(REPOSITORY / "no-such-graph.ttl")
    try:
        for pid in pool.pids():
            os.kill(pid, signal.SIGKILL)
        assert _wait(lambda: pool.live == 0 and pool._failures >= 6, 30)
        status, _, body = request(server, "GET", "/health")
        assert status == 503
        health = json.loads(body)
        assert health["status"] == "down" and "no-such-graph" in health["reason"]
        assert request(server, "GET", "/")[0] == 503
        status, headers, _ = get(server, _light(0), timeout=30)
        assert status == 503 and headers.get("Retry-After")
    finally:
        pool.store_path = real_path
    assert _wait(lambda: pool.live == 2, 30)  # both slots come back
    assert json.loads(request(server, "GET", "/health")[2])["status"] == "ok"
    assert get(server, _light(1))[0] == 200


def _settled(pool) -> bool:
    health = pool.health()
    full = health["alive"] == pool.size and health["spares"] == pool.spare_target
    return full and all(not _gone(pid) for pid in pool.pids())


_CHILD = """
import sys, threading
sys.path.insert(0, {root!r})
from b12kg.endpoint import make_server
server = make_server(port=0, timeout_s=60.0)
print(server.server_address[1], *server.pool.pids(), flush=True)
server.serve_forever()
"""


def test_workers_die_with_a_killed_server():
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD.format(root=str(REPOSITORY))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port, *pids = (int(word) for word in child.stdout.readline().split())
        assert len(pids) == 2 and not any(_gone(pid) for pid in pids)
        # one worker busy with a runaway query, which pyoxigraph will not interrupt
        connection = socket.create_connection(("127.0.0.1", port))
        query = urlencode({"query": RUNAWAY})
        connection.sendall(f"GET /sparql?{query} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        time.sleep(0.5)
        child.kill()  # SIGKILL: no cleanup code runs in the server
        child.wait(5)
        assert _wait(lambda: all(_gone(pid) for pid in pids), 10), pids
        connection.close()
    finally:
        child.kill()
        child.wait(5)


# --- fair service -----------------------------------------------------------------------------


def test_light_queries_are_answered_while_runaway_clients_hog():
    server, thread = _start(timeout_s=2.0, cache_mb=0)
    stop = threading.Event()

    def hog() -> None:
        while not stop.is_set():
            get(server, RUNAWAY, timeout=30)

    hogs = [threading.Thread(target=hog) for _ in range(2)]
    try:
        for hog_thread in hogs:
            hog_thread.start()
        time.sleep(0.5)
        statuses = []
        until = time.monotonic() + 5  # spans at least two time-outs and restarts
        index = 0
        while time.monotonic() < until:
            statuses.append(get(server, _light(index))[0])
            index += 1
        assert statuses and set(statuses) == {200}, statuses
    finally:
        stop.set()
        for hog_thread in hogs:
            hog_thread.join(30)
        _stop(server, thread)


def test_slow_connections_cannot_lock_new_clients_out(shared):
    host, port = shared.server_address[:2]
    slow = []
    try:
        for _ in range(300):  # slowloris: a request that never ends, and slow bodies
            connection = socket.create_connection((host, port))
            connection.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\nX-a: ")
            slow.append(connection)
        for _ in range(50):
            connection = socket.create_connection((host, port))
            connection.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\nASK"
            )
            slow.append(connection)
        started = time.monotonic()
        status, _, _ = get(shared, _light(0))
        assert status == 200
        assert time.monotonic() - started < 5
    finally:
        for connection in slow:
            connection.close()


def test_a_request_that_never_ends_is_cut_off(shared):
    shared.request_timeout_s = 0.5
    host, port = shared.server_address[:2]
    try:
        with socket.create_connection((host, port), timeout=10) as connection:
            connection.sendall(b"GET /sparql HTTP/1.1\r\nHost: localhost\r\n")
            started = time.monotonic()
            answer = connection.recv(200)
            assert answer.startswith(b"HTTP/1.1 408")
            assert time.monotonic() - started < 5
    finally:
        del shared.request_timeout_s  # back to the class default


@pytest.mark.parametrize(
    "raw",
    [b"GET /\r\n", b"GET /\n\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", b"HELLO\r\n"],
)
def test_http_09_and_garbage_are_answered_at_once(shared, raw):
    host, port = shared.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(raw)
        started = time.monotonic()
        answer = connection.recv(200)
        assert answer.startswith(b"HTTP/1.1 400"), answer
        assert time.monotonic() - started < 2
        assert connection.recv(200) == b""  # and closed


def test_odd_requests_get_an_answer_never_a_traceback(shared, capfd):
    odd = [
        b"GET /sparql?query=%ff HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET /sparql?query=ASK%7B%7D&query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"GET /sparql?query=" + b"(" * 3000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"GET /%00 HTTP/1.1\r\nHost: \xff\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 2000 + b"\r\n",
        b"GET /sparql?query=SELECT%20*%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D HTTP/1.1\r\n"
        b"Host: localhost\r\nAccept: ;;;q=x\r\n\r\n",
    ]
    host, port = shared.server_address[:2]
    for raw in odd:
        with socket.create_connection((host, port), timeout=20) as connection:
            connection.sendall(raw)
            answer = connection.recv(4096)
            assert answer[:9] in (b"HTTP/1.1 ", b"HTTP/1.0 "), (raw[:60], answer)
            assert int(answer[9:12]) < 600
    assert get(shared, _light(0))[0] == 200
    assert "Traceback" not in capfd.readouterr().err


# --- the sandbox --------------------------------------------------------------------------------


def test_without_namespaces_the_workers_still_cannot_connect():
    server, thread = _start(timeout_s=2.0, isolate_network=False)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    try:
        if not server.pool.sandbox.get("seccomp"):
            pytest.skip("seccomp is not available here")
        port = listener.getsockname()[1]
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
        status, _, body = server.pool.run(query, "json", "turtle", 100)  # bypasses the check
        assert status == 500, body
        with pytest.raises(socket.timeout):
            listener.accept()
        attack = (
            f"PREFIX : <http://127.0.0.1:{port}/sparql>\nASK WHERE {{ BIND(1 AS ?a) "
            "FILTER(?a<2)SERVICE:#>\n{ ?s ?p ?o } }"
        )
        assert get(server, attack)[0] == 400
        assert server.pool.live == 2  # nothing ended a worker
    finally:
        listener.close()
        _stop(server, thread)


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"port": 70000},
        {"port": -1},
        {"timeout_s": math.nan},
        {"timeout_s": math.inf},
        {"timeout_s": 1e-9},
        {"workers": 0},
        {"max_rows": 0},
        {"host": ""},
    ],
)
def test_bad_settings_get_a_clear_error_before_anything_starts(options):
    with pytest.raises(UsageError) as error:
        serve(**options)
    assert str(error.value)
    with pytest.raises(UsageError):
        make_server(**options)
