"""Is the artifact OWL 2 DL, consistent and coherent? Asked of the real tools.

The OWL 2 DL profile check is the OWL API's own `OWL2DLProfile`, which ships inside
owlready2's HermiT.jar; it runs in Java's source-file mode, so there is nothing to build.
Consistency and coherence come from HermiT through owlready2 (`b12kg.reason`).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from b12kg.errors import Problem
from b12kg.owl.java import hermit_jar, java_executable
from b12kg.owl.reasoner import run_hermit

JAVA_SOURCE = Path(__file__).with_name("DLProfileCheck.java")
#: How a violation list says the OWL API could not even read the file (then HermiT is not run).
UNREADABLE = "the OWL API could not read the ontology"


def profile_violations(owl_file: Path) -> list[str]:
    """OWL 2 DL profile violations reported by the OWL API, as text lines."""
    completed = subprocess.run(
        [java_executable(), "-cp", str(hermit_jar()), str(JAVA_SOURCE), str(owl_file)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:  # Java ran: the artifact, not the machine, is at fault
        message = completed.stderr.strip().splitlines()[-1:] or ["no message"]
        return [f"{UNREADABLE}: {message[0]}"]
    return [
        line.split("\t", 1)[1]
        for line in completed.stdout.splitlines()
        if line.startswith("VIOLATION\t")
    ]


def owl_problems(owl_bytes: bytes) -> list[Problem]:
    """DL-profile violations and HermiT's verdict on an RDF/XML ontology, as Problems."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b12kg.owl"
        path.write_bytes(owl_bytes)
        problems = [Problem("b12kg.owl", None, "OWL 2 DL", v) for v in profile_violations(path)]
        if any(p.message.startswith(UNREADABLE) for p in problems):
            return problems  # a file the OWL API cannot read is a failure, never a skip
        report = run_hermit(path)
    if not report.consistent:
        problems.append(Problem("b12kg.owl", None, "HermiT", "the ontology is inconsistent"))
    for name in report.unsatisfiable:
        problems.append(Problem("b12kg.owl", None, "HermiT", f"unsatisfiable class {name}"))
    return problems
