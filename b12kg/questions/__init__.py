"""The questions asked of the loaded graph: paths, causes, differential, explanation.

Owns the path walk and its result types (`paths`: Step, CausalPath, paths(), causes_of()),
ranking causes from findings (`differential`), and clinician-readable text (`explain`). Each
function takes a `b12kg.graph.index.GraphIndex` and reads only it — no SPARQL at call time.

May import: `b12kg.graph`, `b12kg.errors`, `b12kg.vocabulary`. Never the facade
(`b12kg.knowledge`), which sits above and calls down into these.
"""
