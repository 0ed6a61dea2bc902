"""Cold start of `b12kg trace` in two source trees, against `python -c "import rdflib"`.

The "Cold start with the precomputed index" figures of bench/RESULTS.md: each round runs
`python -m b12kg trace "pernicious anemia"` with PYTHONPATH set to the AFTER tree, the same
with the BEFORE tree, and `import rdflib`, all from /tmp (so neither tree is the working
directory); medians, and ratios pair by pair because the machine is shared and noisy.

    git worktree add /tmp/before <commit>          # e.g. the commit before a change
    python bench/compare_cold_start.py --before /tmp/before [--after .] [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _wall(command: list[str], pythonpath: str | None) -> float:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    started = time.perf_counter()
    subprocess.run(
        command,
        check=True,
        cwd="/tmp",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the source tree before the change")
    parser.add_argument("--after", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    trace = [sys.executable, "-m", "b12kg", "trace", "pernicious anemia"]
    rdflib = [sys.executable, "-c", "import rdflib"]
    after, before = str(Path(args.after).resolve()), str(Path(args.before).resolve())
    for command, tree in ((trace, after), (trace, before), (rdflib, None)):
        _wall(command, tree)  # warm the file cache
    times: dict[str, list[float]] = {"after": [], "before": [], "rdflib": []}
    for _ in range(args.rounds):
        times["after"].append(_wall(trace, after))
        times["before"].append(_wall(trace, before))
        times["rdflib"].append(_wall(rdflib, None))
    med = {k: 1000 * statistics.median(v) for k, v in times.items()}

    def ratios(a: str, b: str) -> str:
        pairs = [x / y for x, y in zip(times[a], times[b], strict=True)]
        return f"{statistics.median(pairs):.2f}x (max {max(pairs):.2f}x)"

    print(f"trace, after:  {med['after']:.0f} ms   ({after})")
    print(f"trace, before: {med['before']:.0f} ms   ({before})")
    print(f"import rdflib: {med['rdflib']:.0f} ms")
    print(f"after / import rdflib, median of pairs:  {ratios('after', 'rdflib')}")
    print(f"before / import rdflib, median of pairs: {ratios('before', 'rdflib')}")
    print(f"after / before, median of pairs:         {ratios('after', 'before')}")


if __name__ == "__main__":
    main()
