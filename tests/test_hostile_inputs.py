"""No traceback on any input: hostile paths, files, parameters and output streams get one line on
stderr and a documented exit code (2 for input, 3 for the environment)."""

from __future__ import annotations

import contextlib
import os
import string
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b12kg.cli import main
from b12kg.errors import B12kgError
from b12kg.sparql.library import get_query

from .conftest import REPOSITORY


def _files(tmp_path):
    (tmp_path / "latin1.rq").write_bytes('SELECT * WHERE { ?s ?p "caf\xe9" }'.encode("latin-1"))
    (tmp_path / "deep.rq").write_text("SELECT * WHERE " + "{" * 4000 + "}" * 4000)
    (tmp_path / "laughs.owl").write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'rdf:about="http://x/&b;"/></rdf:RDF>'
    )
    (tmp_path / "empty.ttl").write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    return tmp_path


CASES = [
    (["reason", "--owl", "{tmp}/missing.owl"], 2, "no such ontology file"),
    (["trace", "x", "--source", "{tmp}"], 2, "cannot load"),
    (["trace", "x", "--source", "/dev/zero.ttl"], 2, "no such graph file"),
    (["trace", "x", "--source", "{tmp}/" + "a" * 5000 + ".ttl"], 2, "graph file"),
    (["trace", "x", "--source", "{tmp}/laughs.owl"], 2, "expand other entities"),
    (["causes", "low", "--source", "{tmp}/empty.ttl"], 2, "no 'serum_b12_decreased' finding"),
    (["query", "--file", "/dev/zero"], 2, "not a regular file"),
    (["query", "--file", "{tmp}"], 2, "is a directory"),
    (["query", "--file", "{tmp}/latin1.rq"], 2, "not UTF-8"),
    (["query", "--file", "{tmp}/deep.rq"], 2, "nested 4000 deep"),
    (["query", "causes-via-mechanism", "--param", "mechanism=http://a b"], 2, "not a valid value"),
    (["load", "--endpoint", "not a url"], 2, "must be an http(s) URL"),
]


@pytest.mark.parametrize(
    ("argv", "code", "message"), CASES, ids=[" ".join(c[0])[:40] for c in CASES]
)
def test_hostile_argument_gets_a_sentence_and_an_exit_code(tmp_path, capsys, argv, code, message):
    files = _files(tmp_path)
    argv = [a.replace("{tmp}", str(files)) for a in argv]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("env", "redirect"),
    [({"PYTHONIOENCODING": "ascii"}, None), ({}, "/dev/full")],
    ids=["ascii-terminal", "disk-full"],
)
def test_output_streams_that_cannot_take_the_answer(env, redirect):
    stdout = open(redirect, "w") if redirect else subprocess.PIPE  # noqa: SIM115
    try:
        done = subprocess.run(
            [sys.executable, "-m", "b12kg", "trace", "Imerslund-Gräsbeck syndrome"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            cwd=REPOSITORY,
            timeout=120,
            check=False,
        )
    finally:
        if redirect:
            stdout.close()
    assert b"Traceback" not in done.stderr
    if redirect:
        assert done.returncode == 2
        assert b"No space left on device" in done.stderr
    else:
        assert done.returncode == 0
        assert b"Imerslund-Gr\\xe4sbeck" in done.stdout


VERBS = ["trace", "causes", "explain", "search", "differential", "query", "reason", "validate"]
TOKEN = st.one_of(
    st.sampled_from(
        [
            "--source",
            "--to",
            "--via",
            "--param",
            "--file",
            "--format",
            "--limit",
            "low",
            "high",
            "json",
            "x=y",
            "-",
            "",
        ]
    ),
    st.text(alphabet=string.printable + "äé€\x00", max_size=30),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(verb=st.sampled_from(VERBS), rest=st.lists(TOKEN, max_size=5))
def test_any_arguments_end_in_a_documented_exit_code(capsys, verb, rest):
    argv = [verb, *rest]
    if verb in ("reason", "validate") or "--file" in rest:
        argv = [a for a in argv if a not in ("reason", "validate")] or ["search"]
        argv = argv if argv[0] in VERBS else ["search", *argv]
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse: usage errors and --help
        code = stop.code
    captured = capsys.readouterr()
    assert code in (0, 1, 2, 3), (argv, code)
    assert "Traceback" not in captured.err
    assert "internal error" not in captured.err, (argv, captured.err)


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(
        ["causes-via-mechanism", "findings-of-cause", "evidence-for-link", "path-from-condition"]
    ),
    value=st.text(max_size=40),
)
def test_query_parameters_raise_only_documented_errors(kg, name, value):
    """Random values for a query's first parameter: rows or a B12kgError, nothing else."""
    parameters = [p.name for p in get_query(name).parameters]
    with contextlib.suppress(B12kgError):
        kg.query(name, **dict.fromkeys(parameters[:1], value))


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "b12kg", *args],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=timeout,
        check=False,
    )


def test_your_own_query_has_a_time_limit(tmp_path) -> None:
    runaway = tmp_path / "runaway.rq"
    runaway.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n")
    started = time.monotonic()
    done = _cli("query", "--file", str(runaway), "--time-limit", "1")
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    assert "did not finish within 1 s" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "PREFIX : <http://127.0.0.1:9/sparql>\nSELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2)SERVICE:#>\n{ ?s ?p ?o } }",
        "SELECT(1<2AS?x)FROM#>\n<file:///etc/passwd> WHERE { }",
    ],
    ids=["service", "service-hidden-behind-less-than", "from-hidden-behind-less-than"],
)
def test_your_own_query_cannot_reach_out(tmp_path, text) -> None:
    query = tmp_path / "mine.rq"
    query.write_text(text + "\n")
    done = _cli("query", "--file", str(query))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # refused before it ran: no rows, nothing fetched
    assert any(word in done.stderr for word in ("SERVICE", "FROM", "not valid SPARQL"))
