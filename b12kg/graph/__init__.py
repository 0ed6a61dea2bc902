"""The loaded graph: what the store holds, read once into memory.

Owns the result types for things (`entities`: Entity, Source), name lookup (`names`: labels,
synonyms, codes, suggestions), the causal edge index with its evidence (`edges`), and the
index that ties them together (`index.GraphIndex`, read through the library queries).

May import: `b12kg.sparql` (to read the index), `b12kg.errors`, `b12kg.vocabulary`. Never the
questions or the facade above it.
"""
