"""Curated sources → release artifacts: the only stage that writes `ontology/`.

Owns reading and checking the hand-edited tables of `ontology/src/` (`tables`: every problem
as file:line:field), building the OWL axioms and the edge triples from them and writing
`b12kg.owl`/`b12kg.ttl` atomically and deterministically (`builder`), the QC queries run on
what was built (`qc`), and `b12kg validate` (`validation`: curation, QC, then the OWL checks).

May import: `b12kg.sparql` (to run the QC queries), `b12kg.owl` (the DL-profile check and
HermiT, lazily), `b12kg.errors`, `b12kg.vocabulary`, `b12kg.resources`. Nothing that reads a
loaded graph: the build never depends on the questions.
"""
