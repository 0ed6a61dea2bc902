"""The query library: `.rq` files with grlc `#+` headers, bound and run the same way everywhere.

Parameters are grlc-style variables (`?_name_iri` for an IRI, `?_name` for a literal). They may
appear only as terms of triple patterns in the top-level WHERE, so that binding before
evaluation (pyoxigraph's `substitutions`) and a trailing `VALUES` block (the only option over
HTTP) give the same rows. Values are turned into RDF terms first and serialised by the RDF
library; user text is never pasted into query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from b12kg.errors import QuerySyntaxError, UsageError
from b12kg.resources import queries_dir

_PARAMETER = re.compile(r"\?(_{1,2}([A-Za-z][A-Za-z0-9]*?)(_iri)?)\b")
_ERROR_POSITION = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class Parameter:
    """A grlc parameter: `?_mechanism_iri` is name 'mechanism', an IRI, required."""

    variable: str
    name: str
    is_iri: bool
    optional: bool
    default: str | None = None


@dataclass(frozen=True)
class QueryFile:
    """One `.rq` file: its text and what its header says about it."""

    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()

    def to_record(self) -> dict[str, object]:
        return {
            "name": self.name,
            "summary": self.summary,
            "tags": list(self.tags),
            "parameters": [p.name for p in self.parameters],
        }


def parse_header(text: str) -> dict[str, object]:
    """Read grlc `#+` decorators: `key: value`, `key: |` blocks, and `- item` / `- k: v` lists."""
    header: dict[str, object] = {}
    key: str | None = None
    for raw in text.splitlines():
        if not raw.startswith("#+"):
            if raw.strip() and not raw.startswith("#"):
                break
            continue
        line = raw[2:]
        stripped = line.strip()
        if not stripped:
            continue
        item = re.match(r"\s+-\s*(.*)$", line)
        if item and key is not None:
            value = item.group(1).strip()
            if isinstance(header.get(key), str) and header[key] == "":
                header[key] = []
            bucket = header.setdefault(key, [])
            if isinstance(bucket, list):
                bucket.append(value)
            continue
        top = re.match(r"\s?([A-Za-z_]+):\s*(.*)$", line)
        if top and not line.startswith("   "):
            key, value = top.group(1), top.group(2).strip()
            header[key] = "" if value in ("|", ">") else value
            continue
        if key is not None and isinstance(header.get(key), str):
            header[key] = (str(header[key]) + "\n" + stripped).strip()
    return header


def _parameters(text: str, defaults: dict[str, str]) -> tuple[Parameter, ...]:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    found: dict[str, Parameter] = {}
    for match in _PARAMETER.finditer(body):
        variable, name, iri = match.group(1), match.group(2), match.group(3)
        if variable not in found:
            found[variable] = Parameter(
                variable=variable,
                name=name,
                is_iri=bool(iri),
                optional=variable.startswith("__"),
                default=defaults.get(name),
            )
    return tuple(found.values())


def read_query_file(path: Path) -> QueryFile:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    defaults: dict[str, str] = {}
    for item in header.get("defaults", []) or []:
        name, _, value = str(item).partition(":")
        defaults[name.strip()] = value.strip()
    tags = header.get("tags", []) or []
    return QueryFile(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header.get("summary", "")),
        description=str(header.get("description", "")),
        tags=tuple(tags) if isinstance(tags, list) else (str(tags),),
        defaults=defaults,
        parameters=_parameters(text, defaults),
    )


@cache
def library(directory: Path | None = None) -> dict[str, QueryFile]:
    """Every `.rq` file in the library folder (not its sub-folders), by name."""
    folder = directory or queries_dir()
    return {p.stem: read_query_file(p) for p in sorted(folder.glob("*.rq"))}


@cache
def checks(directory: Path | None = None) -> dict[str, QueryFile]:
    """The QC queries: each row they return is a violation."""
    folder = (directory or queries_dir()) / "checks"
    return {p.stem: read_query_file(p) for p in sorted(folder.glob("*.rq"))}


def get_query(name: str) -> QueryFile:
    queries = library()
    if name not in queries:
        import difflib

        close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.4)
        hint = f"; did you mean: {', '.join(close)}" if close else "; see `b12kg query --list`"
        raise UsageError(f"no query named '{name}'{hint}")
    return queries[name]


# --- running on the embedded store ------------------------------------------------------------


def syntax_error(error: SyntaxError, source: str) -> QuerySyntaxError:
    """Turn pyoxigraph's parser message into our error with line and column."""
    message = str(error)
    position = _ERROR_POSITION.search(message)
    line, column = (int(position.group(1)), int(position.group(2))) if position else (None, None)
    detail = message.split(": ", 1)[1] if ": " in message else message
    return QuerySyntaxError(detail, source=source, line=line, column=column)


def python_value(term: object) -> object:
    """An RDF term as a plain Python value: IRIs as strings, literals by datatype."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            return int(term.value)
        if datatype.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        if datatype.endswith("#boolean"):
            return term.value in ("true", "1")
        return term.value
    return str(term)


@dataclass
class QueryResult:
    """Rows of a SELECT as plain dicts (DataFrame-ready), with the column order kept."""

    columns: list[str]
    rows: list[dict[str, object]]

    def to_records(self) -> list[dict[str, object]]:
        return [dict(row) for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def renamed_parameters(self, query: QueryFile) -> QueryResult:
        """Report a projected parameter variable (`?_kind`) under its name (`kind`)."""
        names = {p.variable: p.name for p in query.parameters}
        if not any(c in names for c in self.columns):
            return self
        columns = [names.get(c, c) for c in self.columns]
        rows = [{names.get(k, k): v for k, v in row.items()} for row in self.rows]
        return QueryResult(columns, rows)


def run_local(
    store: ox.Store,
    text: str,
    *,
    bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
    source: str = "query",
) -> QueryResult:
    """Run a SELECT on a pyoxigraph store, binding parameters before evaluation."""
    substitutions = {ox.Variable(name): value for name, value in (bindings or {}).items()}
    try:
        solutions = store.query(text, substitutions=substitutions or None)
    except SyntaxError as error:
        raise syntax_error(error, source) from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise UsageError(f"{source}: only SELECT queries are supported here")
    columns = [v.value for v in solutions.variables]
    rows = [{c: python_value(solution[c]) for c in columns} for solution in solutions]
    for name, value in (bindings or {}).items():
        if name in columns:
            for row in rows:
                row[name] = python_value(value)
    return QueryResult(columns, rows)


def bind_parameters(
    kg: object, query: QueryFile, params: dict[str, str], *, use_defaults: bool = True
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Resolve user values to RDF terms: IRIs through `kg.find` (labels, synonyms, CURIEs work),
    literals as plain strings. Unknown parameter names are an error, not silently ignored."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(
            f"{query.name} has no parameter {', '.join(unknown)}; its parameters: {listed}"
        )
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    for parameter in query.parameters:
        value = params.get(parameter.name)
        if value is None and use_defaults:
            value = parameter.default
        if value is None or value == "":
            continue
        if parameter.is_iri:
            if re.match(r"^https?://", value):
                bindings[parameter.variable] = ox.NamedNode(value)
            else:
                bindings[parameter.variable] = ox.NamedNode(kg.find(value).iri)  # type: ignore[attr-defined]
        else:
            bindings[parameter.variable] = ox.Literal(value)
    return bindings


def values_block(bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """A trailing VALUES block for an endpoint; terms serialised by the RDF library."""
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(value) for value in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"
