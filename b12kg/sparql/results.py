"""A SELECT's answer as plain Python rows, the same shape from every store.

Rows are dicts of plain values (IRIs as strings, literals by datatype) so a DataFrame, a CSV
writer or the path index can take them without knowing which store answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from b12kg.sparql.library import QueryFile


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


@dataclass(repr=False)
class QueryResult:
    """Rows of a SELECT as plain dicts (DataFrame-ready), with the column order kept."""

    columns: list[str]
    rows: list[dict[str, object]]

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
        """Report a projected parameter variable (`?_kind`) under its name (`kind`)."""
        names = {p.variable: p.name for p in query.parameters}
        if not any(c in names for c in self.columns):
            return self
        columns = [names.get(c, c) for c in self.columns]
        rows = [{names.get(k, k): v for k, v in row.items()} for row in self.rows]
        return QueryResult(columns, rows)
