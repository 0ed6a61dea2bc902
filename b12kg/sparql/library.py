"""The query library: `.rq` files with grlc `#+` headers, read once and named by file.

Parameters follow grlc's convention, so the folder serves as a grlc API unchanged: `?_name` is
required and `?__name` optional; a suffix gives the type (`_iri`, `_number`, `_literal`,
`_integer`, `_prefix_datatype` such as `_xsd_date`, or a language tag such as `_en`). The user
says only `name` (`--param mechanism=…`, `kg.query(…, mechanism=…)`). grlc pastes the value as
text wherever the variable stands, so a library query never projects or orders by a parameter:
it copies it to its output column with `BIND(?__name_iri AS ?name)` (tests/test_queries.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from b12kg.errors import UsageError
from b12kg.inputs import MAX_QUERY_BYTES, check_nesting, read_text
from b12kg.resources import queries_dir

# grlc's own pattern (grlc.gquery.get_parameters), ended at the end of the variable's name
_PARAMETER = re.compile(
    r"\?(?P<variable>(?P<marks>_{1,2})(?P<name>[A-Za-z0-9]+)"
    r"(?:_(?P<type>iri|number|literal|integer))?"
    r"(?:_(?P<prefix>[A-Za-z0-9]+)_(?P<local>[A-Za-z0-9]+))?"
    r"(?:_(?P<lang>[A-Za-z0-9]+))?)(?![A-Za-z0-9_])"
)
_PREFIX = re.compile(
    r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE | re.MULTILINE
)
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Parameter:
    """A grlc parameter: `?__mechanism_iri` is name 'mechanism', an IRI, optional.

    `datatype` (a full IRI) and `language` say how a literal value is typed; `numeric` is
    grlc's `_number`, a bare number whose datatype follows from how it is written."""

    variable: str
    name: str
    is_iri: bool
    optional: bool
    default: str | None = None
    datatype: str | None = None
    language: str | None = None
    numeric: bool = False


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


def _code(text: str) -> str:
    """The query text without its comment lines (the grlc header among them)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def declared_prefixes(text: str) -> dict[str, str]:
    """The PREFIX declarations of a query text (comment lines ignored), prefix -> IRI."""
    return {p or "": iri for p, iri in _PREFIX.findall(_code(text))}


def _parameters(text: str, defaults: dict[str, str]) -> tuple[Parameter, ...]:
    body = _code(text)
    prefixes = {"xsd": _XSD, **{p or "": iri for p, iri in _PREFIX.findall(body)}}
    found: dict[str, Parameter] = {}
    for match in _PARAMETER.finditer(body):
        variable, name, kind = match["variable"], match["name"], match["type"]
        if variable in found:
            continue
        datatype = _XSD + "integer" if kind == "integer" else None
        if match["prefix"]:
            if match["prefix"] not in prefixes:
                raise UsageError(
                    f"?{variable}: the datatype prefix '{match['prefix']}:' is not declared"
                )
            datatype = prefixes[match["prefix"]] + match["local"]
        found[variable] = Parameter(
            variable=variable,
            name=name,
            is_iri=kind == "iri",
            optional=match["marks"] == "__",
            default=defaults.get(name),
            datatype=datatype,
            language=match["lang"],
            numeric=kind == "number",
        )
    return tuple(found.values())


def read_query_file(path: Path) -> QueryFile:
    """A `.rq` file, read within bounds (size, UTF-8, bracket nesting), with its header."""
    text = read_text(path, what="query file", max_bytes=MAX_QUERY_BYTES)
    check_nesting(text, source=str(path))
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
