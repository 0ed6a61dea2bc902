"""The Java runtime and the HermiT jar that owlready2 ships: what every OWL check needs.

Kept apart so that "Java not found" is decided in one place and is never mistaken for a
verdict on the ontology.
"""

from __future__ import annotations

from pathlib import Path

from b12kg.errors import ReasonerUnavailable


def hermit_jar() -> Path:
    import owlready2

    return Path(owlready2.__file__).with_name("hermit") / "HermiT.jar"


def java_executable() -> str:
    """The Java that owlready2 will use; raise ReasonerUnavailable if there is none."""
    import shutil

    import owlready2

    java = shutil.which(owlready2.JAVA_EXE) or shutil.which("java")
    if java is None:
        raise ReasonerUnavailable(
            "Java not found: the OWL checks and HermiT need a Java runtime (e.g. `apt-get install "
            "default-jre-headless`); everything else in b12kg works without it"
        )
    return java
