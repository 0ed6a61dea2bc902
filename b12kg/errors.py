"""One family of errors, each knowing the exit code the CLI gives it.

Scripts tell "my input was wrong" (2) from "the environment lacks something" (3) by the
exit code alone, so the code belongs to the error, not to the place that catches it.
"""

from __future__ import annotations

from b12kg.frozen import frozen


class B12kgError(Exception):
    """Base of every error b12kg raises on purpose; its message is meant for a user."""

    exit_code = 2


@frozen
class Problem:
    """One curation or QC problem, located as precisely as the source allows."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"

    def to_record(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class CurationError(B12kgError):
    """The curated sources have problems; nothing was written."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} problem(s) in the curated sources; nothing was written:\n{shown}{more}"
        )


class UnknownEntity(B12kgError):
    """A name matched no entity; carries the closest matches so the user can retry."""

    exit_code = 2

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = (
            "; did you mean: " + ", ".join(f"'{s}'" for s in suggestions)
            if suggestions
            else "; try `b12kg search TEXT`"
        )
        super().__init__(f"no entity named '{name}'{hint}")


class AmbiguousName(UnknownEntity):
    """A name fits several entities; carries them so the user can say which."""

    def __init__(self, name: str, candidates: list[str], *, reason: str = ""):
        super().__init__(name, candidates)
        shown = ", ".join(f"'{c}'" for c in candidates)
        if reason:
            self.args = (f"{reason}; did you mean: {shown}",)
        else:
            self.args = (f"'{name.strip()}' could mean several entities: {shown}; say which",)


class QuerySyntaxError(B12kgError):
    """A SPARQL query did not parse; line and column come from the parser."""

    exit_code = 2

    def __init__(self, message: str, *, source: str, line: int | None, column: int | None):
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"SPARQL syntax error in {source}{where}: {message}")


class QueryTimeout(B12kgError):
    """A query ran past its time limit and was abandoned."""

    exit_code = 1

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(
            f"the query did not finish within {seconds:g} s; raise --time-limit or simplify it"
        )


class UsageError(B12kgError):
    """The command or call was given arguments that cannot work."""

    exit_code = 2


class ComponentUnavailable(B12kgError):
    """A component the request needs is missing (Java, an endpoint, a server)."""

    exit_code = 3


class ReasonerUnavailable(ComponentUnavailable):
    """The reasoner cannot run at all, e.g. Java not found — not a verdict on the ontology."""


class EndpointError(ComponentUnavailable):
    """A SPARQL endpoint could not be reached or answered with an error."""


class OntologyInconsistent(B12kgError):
    """HermiT ran and found the ontology inconsistent or a class unsatisfiable."""

    exit_code = 1
