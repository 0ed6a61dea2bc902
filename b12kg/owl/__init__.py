"""The OWL artifact, asked of the real tools: the OWL API's DL-profile check and HermiT.

Owns finding Java and the HermiT jar (`java`), the OWL 2 DL profile and coherence check run by
`validate` (`profile`), and HermiT's classification with the inferred members of the defined
classes (`reasoner`, behind `b12kg.reason`). owlready2 is imported only here, and only when a
check runs.

May import: `b12kg.errors`, `b12kg.vocabulary`, `b12kg.resources`.
"""
