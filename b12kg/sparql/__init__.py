"""Where SPARQL runs.

Owns the query library (`library`: the `.rq` files and their grlc headers), how parameter
values become bound RDF terms (`binding`), the rows every store answers with (`results`), the
embedded pyoxigraph store (`embedded`), on-disk stores of b12kg and merged ontologies
(`ondisk`), remote endpoints through SPARQLWrapper (`remote`),
choosing between them (`backends`), and writing the graph into a user's store (`loading`).

May import: `b12kg.errors`, `b12kg.vocabulary`, `b12kg.resources`. Nothing above it: a store
does not know what the graph means.
"""
