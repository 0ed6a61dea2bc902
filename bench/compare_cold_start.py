"""Cold start of `b12kg trace` as users get it, against `python -c "import rdflib"` (issue 11).

Each source tree is installed the way a user installs it: `pip install --no-deps --target
TMP TREE` builds the wheel, unpacks the artifacts into `b12kg/_data/` and compiles the
bytecode, and its console script `TMP/bin/b12kg` is run — pip's generated wrapper, which
imports `re` and calls `b12kg.cli:main`. Measuring a source tree in place instead is
misleading wherever PYTHONDONTWRITEBYTECODE is set (as in our sessions): every b12kg module
is compiled from source on every run while rdflib, installed by pip, loads its bytecode;
that alone made a trace look 60 % slower than an installed one.

Each round runs, as new processes from /tmp with the same interpreter: the AFTER tree's
console script, its `python -m b12kg` (which adds `runpy`), the BEFORE tree's console script
(with --before), `import rdflib`, and `python -c pass` (the interpreter's own start, the
floor). Medians, and ratios pair by pair within a round, because the machine is shared and
noisy; the load average is printed before and after.

    git worktree add /tmp/before <commit>          # e.g. the commit before a change
    python bench/compare_cold_start.py [--before /tmp/before] [--after .] [--rounds 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "pernicious anemia"


def install(tree: Path, target: Path) -> Path:
    """`tree` installed into `target` as a wheel would be; the path of its console script."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", target, tree],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return target / "bin" / "b12kg"


def _wall(command: list[str], pythonpath: Path | None) -> float:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
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


def measure(commands: dict[str, tuple[list[str], Path | None]], rounds: int) -> dict[str, list]:
    """Wall times of each command, interleaved round by round, after one warm-up each."""
    for command, path in commands.values():  # warm the file cache
        _wall(command, path)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (command, path) in commands.items():
            times[name].append(_wall(command, path))
    return times


def ratio(times: dict[str, list[float]], a: str, b: str) -> tuple[float, float]:
    """Median and maximum of a/b, pair by pair within a round."""
    pairs = [x / y for x, y in zip(times[a], times[b], strict=True)]
    return statistics.median(pairs), max(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="a source tree to compare with")
    parser.add_argument("--after", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="b12kg-cold-") as scratch:
        after = Path(scratch, "after")
        script = install(args.after.resolve(), after)
        commands = {
            "trace": ([python, str(script), "trace", NAME], after),
            "python -m": ([python, "-m", "b12kg", "trace", NAME], after),
        }
        if args.before:
            before = Path(scratch, "before")
            commands["before"] = (
                [python, str(install(args.before.resolve(), before)), "trace", NAME],
                before,
            )
        commands["import rdflib"] = ([python, "-c", "import rdflib"], None)
        commands["python -c pass"] = ([python, "-c", "pass"], None)
        load_before = os.getloadavg()
        times = measure(commands, args.rounds)
        load_after = os.getloadavg()
    print(
        f"{python}, {args.rounds} rounds; load average {load_before[0]:.2f} → {load_after[0]:.2f}"
    )
    for name, samples in times.items():
        print(f"  {name:<16} {1000 * statistics.median(samples):6.1f} ms median")
    for name in ("trace", "python -m", "before"):
        if name in times:
            median, worst = ratio(times, name, "import rdflib")
            print(f"  {name} / import rdflib: {median:.2f}x median of pairs (max {worst:.2f}x)")
    if "before" in times:
        median, worst = ratio(times, "trace", "before")
        print(f"  trace / before: {median:.2f}x median of pairs (max {worst:.2f}x)")


if __name__ == "__main__":
    main()
