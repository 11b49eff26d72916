"""Run every benchmark module in its own process (so memory peaks are its own) and list BENCH lines.

`python -m benchmarks` runs all; `python -m benchmarks store feeds` runs the modules whose
names contain those words.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if argv:
        modules = [m for m in modules if any(word in m for word in argv)]
    failed = []
    lines = []
    for module in modules:
        print(f"== {module}", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{module}"],
            cwd=HERE.parent,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        sys.stdout.write(proc.stdout)
        lines += [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
        if proc.returncode:
            failed.append(module)
    print("\nsummary:")
    for line in lines:
        print("  " + line)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
