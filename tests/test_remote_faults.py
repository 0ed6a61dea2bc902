"""An endpoint that misbehaves gets a sentence, in bounded time and memory: garbage, silence, a
trickle, an answer without end. A real socket server plays each part."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from b12kg.cli import main
from b12kg.errors import EndpointError, UsageError
from b12kg.sparql.remote import RemoteBackend

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"


def _serve(mode: str, stop: threading.Event, listener: socket.socket) -> None:
    listener.settimeout(0.2)
    while not stop.is_set():
        try:
            connection, _ = listener.accept()
        except OSError:
            continue
        with connection:
            connection.settimeout(1)
            try:
                connection.recv(65536)
                if mode == "garbage":
                    connection.sendall(b"HELLO THIS IS NOT HTTP\r\n\r\n")
                elif mode == "silent":
                    stop.wait(10)
                elif mode == "trickle":
                    connection.sendall(HEADERS + b"Content-Length: 100000\r\n\r\n")
                    while not stop.is_set():
                        connection.sendall(b" ")
                        time.sleep(0.2)
                elif mode == "endless":
                    connection.sendall(HEADERS + b"Transfer-Encoding: chunked\r\n\r\n")
                    chunk = b"x" * 65536
                    while not stop.is_set():
                        connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                pass


@pytest.fixture
def endpoint(request):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(request.param, stop, listener), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("garbage", "cannot query the SPARQL endpoint"),
        ("silent", "did not answer within"),
        ("trickle", "did not finish answering"),
        ("endless", "more than 1,000,000 bytes"),
    ],
    indirect=["endpoint"],
    ids=["garbage", "silent", "trickle", "endless"],
)
def test_a_misbehaving_endpoint_is_an_endpoint_error_in_bounded_time(endpoint, message) -> None:
    backend = RemoteBackend(endpoint, timeout=1.5, max_bytes=1_000_000)
    started = time.monotonic()
    with pytest.raises(EndpointError, match=message):
        backend.select("SELECT * WHERE { ?s ?p ?o }", {}, source="test")
    assert time.monotonic() - started < 8


@pytest.mark.parametrize("endpoint", ["silent"], indirect=True)
def test_the_cli_takes_the_timeout_as_an_option_and_exits_3(endpoint, capsys) -> None:
    started = time.monotonic()
    assert main(["causes", "low", "--source", endpoint, "--timeout", "1"]) == 3
    assert time.monotonic() - started < 8
    assert "did not answer within" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["nan", "inf", "1e-9", "-1", "soon"])
def test_a_timeout_that_cannot_work_is_a_usage_error(value, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["causes", "low", "--source", "http://127.0.0.1:9/sparql", "--timeout", value])
    assert stop.value.code == 2
    assert "--timeout" in capsys.readouterr().err


def test_the_api_refuses_a_timeout_that_cannot_work() -> None:
    for value in (float("nan"), float("inf"), 0, -5):
        with pytest.raises(UsageError):
            RemoteBackend("http://127.0.0.1:9/sparql", timeout=value)
