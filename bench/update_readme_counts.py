"""Rewrite the README's "What the graph holds" table and paragraph from bench/graph_counts.py.

python bench/update_readme_counts.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "graph_counts.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    table, paragraph = out.split("\n\n")
    numbers = re.search(
        r"Links: (\d+) has-mechanism, (\d+) leads-to, (\d+) associated-with, (\d+) "
        r"is-consequence-of, (\d+) lacks-mechanism; (\d+) structural links\. (\d+) sources "
        r"\((\d+) seed documents and (\d+) publications and secondary pages\), (\d+) "
        r"cross-references, (\d+) conditions and drugs; `b12kg.ttl` has ([\d,]+) triples",
        paragraph,
    )
    hm, lt, aw, ic, lm, st, src, seeds, pubs, xr, causes, triples = numbers.groups()
    text = (
        f"Links: {hm} has-mechanism, {lt} leads-to, {aw} associated-with, {ic} "
        "is-consequence-of (each with sources, strength and notes; seed links with a verbatim "
        f"quote), {lm} lacks-mechanism (a member's own evidence against a class claim), and {st} "
        "structural links (located in, causal agent, involves, applies to). "
        f"{src} sources ({seeds} seed documents and {pubs} publications and secondary pages; "
        f"DOI/PMID only where verified), {xr} cross-references (DOID, MONDO, HPO, ChEBI, ATC, "
        f"ICD-10, MeSH, NCIT, UBERON, CL, GO …). {causes} conditions and drugs; `b12kg.ttl` has "
        f"{triples} triples. Figures printed by `python bench/graph_counts.py`."
    )
    readme = ROOT / "README.md"
    s = readme.read_text(encoding="utf-8")
    start = s.index("| kind | count | kind | count |")
    end = s.index("## Commands")
    s = s[:start] + table.strip() + "\n\n" + textwrap.fill(text, 96) + "\n\n" + s[end:]
    readme.write_text(s, encoding="utf-8")


if __name__ == "__main__":
    main()
