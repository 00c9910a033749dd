"""How long grading takes and how much memory a submission's kernel uses.

Grades every notebook in solutions/ and exercises/ with one job and then with two, and
prints a table: per submission, its status, score, wall time and the kernel's peak resident
memory (sampled every 0.1 s); then the total time for each number of jobs.

    python benchmarks/grading.py
"""

from __future__ import annotations

import time
from pathlib import Path

from regcourse.grading import grade_all

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    paths = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))
    totals = {}
    for jobs in (1, 2):
        started = time.perf_counter()
        grades = grade_all(paths, jobs=jobs, progress=False)
        totals[jobs] = time.perf_counter() - started
        if jobs == 1:
            print(f"{'submission':<34} {'status':<8} {'score':>7} {'seconds':>8} {'peak MB':>8}")
            for g in grades:
                name = str(Path(g.submission).relative_to(ROOT))
                print(f"{name:<34} {g.status:<8} {g.score:>3}/{g.max_score:<3} {g.seconds:>8.1f} {g.peak_memory_mb:>8.0f}")
    print()
    for jobs, seconds in totals.items():
        print(f"{len(paths)} submissions, --jobs {jobs}: {seconds:.1f} s ({seconds / len(paths):.1f} s each)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
