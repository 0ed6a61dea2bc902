"""A SELECT's answer as plain Python rows, the same shape from every store.

Rows are dicts of plain values (IRIs as strings, literals by datatype) so a DataFrame, a CSV
writer or the path index can take them without knowing which store answered. The RDF terms
they were made from are kept beside them (`terms`), so the answer can also be written as
standard SPARQL 1.1 JSON results with nothing lost: an IRI stays an IRI, a literal keeps its
datatype and language tag (`to_sparql_json`). An ASK's answer is `boolean`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from b12kg.sparql.library import QueryFile

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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


def term_json(term: Term) -> dict[str, str]:
    """A term as SPARQL 1.1 Query Results JSON writes it (§3.2.2). A literal of xsd:string is
    written without a datatype, as RDF 1.1 makes it the same term as a simple literal."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    raise TypeError(f"not an RDF term: {type(term).__name__}")


@dataclass(repr=False)
class QueryResult:
    """Rows of a SELECT as plain dicts (DataFrame-ready), with the column order kept; `terms`
    holds the same rows as RDF terms (None where a variable is unbound)."""

    columns: list[str]
    rows: list[dict[str, object]]
    terms: list[dict[str, Term | None]] | None = None
    boolean: bool | None = None

    @classmethod
    def from_terms(cls, columns: list[str], terms: list[dict[str, Term | None]]) -> QueryResult:
        """Rows of plain values made from the rows of terms."""
        rows = [{c: python_value(row.get(c)) for c in columns} for row in terms]
        return cls(columns, rows, terms)

    def to_sparql_json(self) -> dict[str, object]:
        """The answer as SPARQL 1.1 Query Results JSON: `head.vars` and `results.bindings`
        (unbound variables left out of a binding, as the format says), or `boolean` for ASK."""
        if self.boolean is not None:
            return {"head": {}, "boolean": self.boolean}
        if self.terms is None:
            raise ValueError("these rows were made without their RDF terms")
        bindings = [
            {c: term_json(row[c]) for c in self.columns if row.get(c) is not None}
            for row in self.terms
        ]
        return {"head": {"vars": list(self.columns)}, "results": {"bindings": bindings}}

    def to_records(self) -> list[dict[str, object]]:
        """Every row as a dict with every column (None where a variable is unbound)."""
        return [{c: row.get(c) for c in self.columns} for row in self.rows]

    def to_dataframe(self):  # -> pandas.DataFrame (pandas is imported only here)
        """The rows as a pandas DataFrame, columns in the query's order."""
        import pandas as pd

        return pd.DataFrame.from_records(self.to_records(), columns=self.columns)

    def __iter__(self) -> Iterator[dict[str, object]]:
        """Rows as dicts with every column, so `pd.DataFrame(result)` just works."""
        return iter(self.to_records())

    def __getitem__(self, index: int) -> dict[str, object]:
        return {c: self.rows[index].get(c) for c in self.columns}

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        shown = ", ".join(self.columns[:6]) + (", …" if len(self.columns) > 6 else "")
        return f"<QueryResult {len(self.rows)} rows × {len(self.columns)} columns: {shown}>"

    def renamed_parameters(self, query: QueryFile) -> QueryResult:
        """Report a projected parameter variable (`?_kind`) under its name (`kind`): a query of
        your own may project one (the library's copy theirs to a column, for grlc)."""
        names = {p.variable: p.name for p in query.parameters}
        if not any(c in names for c in self.columns):
            return self
        columns = [names.get(c, c) for c in self.columns]
        rows = [{names.get(k, k): v for k, v in row.items()} for row in self.rows]
        terms = None
        if self.terms is not None:
            terms = [{names.get(k, k): v for k, v in row.items()} for row in self.terms]
        return QueryResult(columns, rows, terms, self.boolean)
