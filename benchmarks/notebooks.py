"""Execute every lecture and solution notebook in a fresh kernel; print wall time, the slowest
cell and the kernel's peak resident memory for each, against the budgets (30 s per notebook,
5 s per cell, 800 MB on 2 CPU cores), then the total of the lectures and of the solutions (the
whole course, lectures then solutions, within 180 s).

The grader's runner does the work (regcourse.grading.grade_submission): a worker process per
notebook, memory sampled every 0.1 s over the kernel's process tree.

    python benchmarks/notebooks.py                      # every lecture and solution
    python benchmarks/notebooks.py notebooks/09_*.ipynb  # only these (no course total)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from regcourse.grading import grade_submission

ROOT = Path(__file__).resolve().parents[1]
TIME_BUDGET, CELL_BUDGET, MEMORY_BUDGET, COURSE_BUDGET = 30.0, 5.0, 800.0, 180.0


def main(argv: list[str]) -> int:
    # A learner's kernel has the default setting ("auto": the compiled loops after a route's 20th
    # request, when numba is installed); the grader turns them off unless told otherwise
    # (regcourse.grading._submission._worker_env). Measure the learner's case.
    os.environ.setdefault("REGCOURSE_NUMBA", "auto")
    whole_course = not argv
    if whole_course:
        paths = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
    else:
        paths = [Path(arg).resolve() for arg in argv]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
            return 2
    totals: dict[str, float] = {}
    print(f"{'notebook':<38} {'status':<7} {'seconds':>8} {'slowest cell':>14} {'peak MB':>8}")
    over = []
    for path in paths:
        result = grade_submission(path, timeout=120)
        name = str(path.relative_to(ROOT))
        cell, cell_time = result.slowest_cell or (0, float("nan"))
        slowest = f"{cell_time:.1f} s (#{cell})"
        print(f"{name:<38} {result.status:<7} {result.seconds:>8.1f} {slowest:>14} {result.peak_memory_mb:>8.0f}")
        totals[path.parent.name] = totals.get(path.parent.name, 0.0) + result.seconds
        if (
            result.status != "ok"
            or result.seconds > TIME_BUDGET
            or not cell_time <= CELL_BUDGET
            or result.peak_memory_mb > MEMORY_BUDGET
        ):
            over.append(name)
    print()
    for folder, seconds in totals.items():
        print(f"total {folder + '/':<32} {seconds:>16.1f} s")
    if whole_course:
        course = sum(totals.values())
        print(f"total course (lectures + solutions) {course:>13.1f} s   budget {COURSE_BUDGET:g} s")
        if course > COURSE_BUDGET:
            over.append("the whole course")
    print(
        f"\nbudgets: {TIME_BUDGET:g} s and {MEMORY_BUDGET:g} MB per notebook, {CELL_BUDGET:g} s per cell;",
        "all within" if not over else f"over: {over}",
    )
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
