"""A throwaway Virtuoso for the tests: own directory, own ports on 127.0.0.1, own dba password.

    server = VirtuosoServer()
    server.start()          # bounded: raises VirtuosoError after `start_timeout` seconds
    ...server.sparql_url, server.base_url, server.user, server.password...
    server.stop()           # kills the process group, removes the directory

The ini is the packaged /etc/virtuoso-opensource-7/virtuoso.ini with the files moved into the
temporary directory, HTTP and SQL bound to 127.0.0.1 on free ports, DirsAllowed limited to the
directory, modest buffers, and the plugins and Zero Config (network announcement) removed.
`[SPARQL] ResultSetMaxRows` keeps its default (10,000) so the row-cap check is exercised.
"""

from __future__ import annotations

import atexit
import configparser
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PACKAGED_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
INSTALL_HINT = "apt-get install virtuoso-opensource"


class VirtuosoError(RuntimeError):
    """The server could not be started, configured or stopped."""


def installed() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class VirtuosoServer:
    def __init__(
        self, *, start_timeout: float = 30.0, keep_directory: bool = False, buffers: int = 20_000
    ):
        self.start_timeout = start_timeout
        self.buffers = buffers  # 8 KB pages Virtuoso keeps in memory: 20,000 is ~170 MB
        self.keep_directory = keep_directory
        self.directory: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.http_port = 0
        self.sql_port = 0
        self.user = "dba"
        self.password = "dba"
        self.graph = "https://w3id.org/b12kg/graph"
        self.start_seconds: float | None = None

    # --- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def log(self) -> str:
        if self.directory is None:
            return ""
        text = ""
        for name in ("virtuoso.log", "stdout.log"):
            path = self.directory / name
            if path.exists():
                text += path.read_text(errors="replace")[-3000:]
        return text

    # --- life cycle --------------------------------------------------------------------------

    def start(self) -> VirtuosoServer:
        if not installed():
            raise VirtuosoError(f"virtuoso-t / isql-vt not found; install with `{INSTALL_HINT}`")
        started = time.perf_counter()
        self.directory = Path(tempfile.mkdtemp(prefix="b12kg-virtuoso-"))
        atexit.register(self.stop)
        last: Exception | None = None
        for _ in range(3):  # a port picked as free may be taken before the server binds it
            self.http_port, self.sql_port = free_port(), free_port()
            while self.sql_port == self.http_port:
                self.sql_port = free_port()
            self._write_ini()
            try:
                self._launch()
                self._wait_until_ready(started + self.start_timeout)
                break
            except VirtuosoError as error:
                last = error
                self._kill()
                if "address already in use" not in self.log.lower():
                    break
        else:
            last = last or VirtuosoError("could not start Virtuoso")
        if self.process is None or self.process.poll() is not None:
            log = self.log
            self.stop()
            raise VirtuosoError(f"{last}\n--- Virtuoso log ---\n{log}")
        try:
            self._set_password()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        self._kill()
        if self.directory is not None and not self.keep_directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- SQL ---------------------------------------------------------------------------------

    def isql(self, sql: str, *, password: str | None = None, timeout: float = 60) -> str:
        """Run SQL through isql-vt; raise on a failed login or an SQL error (it exits 0 on some)."""
        command = [
            "isql-vt",
            f"127.0.0.1:{self.sql_port}",
            self.user,
            password or self.password,
            f"exec={sql}",
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, cwd=self.directory
            )
        except subprocess.TimeoutExpired:
            raise VirtuosoError(f"isql-vt did not finish within {timeout} s: {sql[:80]}") from None
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise VirtuosoError(
                f"isql-vt failed ({done.returncode}) on {sql[:80]!r}: {output[-800:]}"
            )
        return output

    def bulk_load(self, file: Path, graph: str) -> float:
        """Load with Virtuoso's own Turtle loader (DB.DBA.TTLP) over isql; returns seconds.

        Only for tests: not atomic (a syntax error keeps the triples before it), and the file
        must be inside DirsAllowed, so it is copied into the server's directory first.
        """
        assert self.directory is not None
        copy = self.directory / f"bulk-{secrets.token_hex(4)}{file.suffix}"
        shutil.copy(file, copy)
        started = time.perf_counter()
        self.isql(
            f"SPARQL CLEAR GRAPH <{graph}>; "
            f"DB.DBA.TTLP(file_to_string_output('{copy}'), '', '{graph}', 0); checkpoint;"
        )
        copy.unlink()
        return time.perf_counter() - started

    # --- internals ---------------------------------------------------------------------------

    def _write_ini(self) -> None:
        assert self.directory is not None
        folder = self.directory
        ini = configparser.RawConfigParser(
            strict=False, inline_comment_prefixes=(";",), comment_prefixes=(";", "#")
        )
        ini.optionxform = str  # type: ignore[assignment,method-assign]
        if PACKAGED_INI.exists():
            ini.read(PACKAGED_INI)
        for section in (
            "Database",
            "TempDatabase",
            "Parameters",
            "HTTPServer",
            "SPARQL",
            "URIQA",
        ):
            if not ini.has_section(section):
                ini.add_section(section)
        ini["Database"].update(
            DatabaseFile=str(folder / "virtuoso.db"),
            ErrorLogFile=str(folder / "virtuoso.log"),
            LockFile=str(folder / "virtuoso.lck"),
            TransactionFile=str(folder / "virtuoso.trx"),
            xa_persistent_file=str(folder / "virtuoso.pxa"),
        )
        ini["TempDatabase"].update(
            DatabaseFile=str(folder / "virtuoso-temp.db"),
            TransactionFile=str(folder / "virtuoso-temp.trx"),
        )
        ini["Parameters"].update(
            ServerPort=f"127.0.0.1:{self.sql_port}",
            DisableUnixSocket="1",
            DirsAllowed=f"., {folder}",
            NumberOfBuffers=str(self.buffers),
            MaxDirtyBuffers=str(self.buffers * 3 // 4),
            MaxQueryMem="256M",
            ThreadsPerQuery="2",
        )
        ini["HTTPServer"].update(
            ServerPort=f"127.0.0.1:{self.http_port}",
            ServerThreads="20",
            MaxClientConnections="20",
            KeepAliveTimeout="5",
        )
        ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{self.http_port}"
        ini["SPARQL"].setdefault("ResultSetMaxRows", "10000")
        for section in ("Plugins", "Zero Config", "Replication", "Striping"):
            ini.remove_section(section)
        with (folder / "virtuoso.ini").open("w") as handle:
            ini.write(handle)

    def _launch(self) -> None:
        assert self.directory is not None
        with (self.directory / "stdout.log").open("ab") as output:
            self.process = subprocess.Popen(
                ["virtuoso-t", "-f", "-c", str(self.directory / "virtuoso.ini")],
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole in stop()
            )

    def _wait_until_ready(self, deadline: float) -> None:
        assert self.process is not None
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise VirtuosoError(f"virtuoso-t exited with status {self.process.returncode}")
            if self._http_ready() and self._sql_ready():
                return
            time.sleep(0.2)
        raise VirtuosoError(
            f"Virtuoso did not answer on {self.sparql_url} within {self.start_timeout} s"
        )

    def _http_ready(self) -> bool:
        request = urllib.request.Request(
            f"{self.sparql_url}?query=ASK%20%7B%7D",
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _sql_ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.sql_port), timeout=1):
                return True
        except OSError:
            return False

    def _set_password(self) -> None:
        # Starts with letters: a password starting with a digit fails to set while isql exits 0.
        password = "".join(secrets.choice(string.ascii_letters) for _ in range(4))
        password += secrets.token_hex(12)
        self.isql(f'set password "dba" "{password}";', password="dba")
        self.isql("select 1;", password=password)  # the new one works...
        try:
            self.isql("select 1;", password="dba")
        except VirtuosoError:
            self.password = password  # ...and the default no longer does
            return
        raise VirtuosoError("the dba password did not change (the default still logs in)")

    def _kill(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, PermissionError):
            return
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            process.wait(timeout=10)
