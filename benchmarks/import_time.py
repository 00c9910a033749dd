"""How long `import regcourse` takes in a fresh interpreter, against the 0.3 s budget.

Each run starts a new Python process, so nothing is cached in memory; the first run also
warms the disk cache and is reported but not counted. Prints a table and exits non-zero
when the median is over budget or a heavy library was imported.

    python benchmarks/import_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

BUDGET_SECONDS = 0.3
HEAVY = ["torch", "keras", "ipywidgets", "matplotlib", "sklearn", "tqdm"]

PROBE = f"""
import json, sys, time
started = time.perf_counter()
import regcourse
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""

BASELINE = """
import json, time
started = time.perf_counter()
import numpy
print(json.dumps({"seconds": time.perf_counter() - started, "heavy": []}))
"""


def measure(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    cold = measure(PROBE)
    runs = [measure(PROBE) for _ in range(args.runs)]
    numpy_alone = [measure(BASELINE)["seconds"] for _ in range(args.runs)]
    times = [r["seconds"] for r in runs]
    heavy = sorted({m for r in runs + [cold] for m in r["heavy"]})
    median = statistics.median(times)

    rows = [
        ("import regcourse, first run", f"{cold['seconds']:.3f} s"),
        (f"import regcourse, median of {args.runs}", f"{median:.3f} s"),
        ("import regcourse, min / max", f"{min(times):.3f} / {max(times):.3f} s"),
        ("import numpy alone, median", f"{statistics.median(numpy_alone):.3f} s"),
        ("budget", f"{BUDGET_SECONDS:.3f} s"),
        ("heavy libraries imported", ", ".join(heavy) or "none"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    ok = median <= BUDGET_SECONDS and not heavy
    print("\nwithin budget" if ok else "\nOVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
