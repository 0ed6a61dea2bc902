"""Release files beyond the triples themselves: the writers `b12kg build` calls.

`rdfxml` and `turtle` write the canonical triples the way the OWL API does (typed nodes,
nested restrictions and lists; full IRIs where a prefixed name would need escapes), so OWL API
3, pronto and py-horned-owl read them. `obo`, `sssom`, `context`, `obographs` and `kgx` derive
the OBO flat file, the mapping set, the JSON-LD prefix map, OBO Graphs JSON and the KGX
node/edge tables from the curated tables. Every writer returns bytes and is deterministic:
sorted input, no timestamps, no hash-seed-dependent order.

May import: `b12kg.errors`, `b12kg.vocabulary`, `b12kg.version`, `b12kg.curation.tables`.
"""
