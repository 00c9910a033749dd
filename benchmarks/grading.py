"""How long grading takes, with one job and with two, and how much memory a submission uses.

1. Every notebook in solutions/ and exercises/ graded with --jobs 1 and then --jobs 2: a table
   per submission (status, score, wall time, peak resident memory of all its processes), then
   the total time of each and the ratio.
2. 30 chapter-07 submissions (copies of the solution and the untouched exercise, alternating)
   graded with --jobs 2: the total time (target: at most 120 s on 2 cores).

The machine's load average is printed before and after each part: other work on the same cores
slows grading down, and the figures should be read with it. The CPU time of every submission's
processes (worker, sandbox, kernel; polled every 0.1 s) and of the grader is added up too: divided
by the number of cores, it is the wall time the same work needs at least on an idle machine.

    python benchmarks/grading.py                 # both parts
    python benchmarks/grading.py --part ch07     # only the 30 chapter-07 submissions
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from regcourse.grading import grade_all

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU time of this process (the grader itself); the submissions' own is in Graded.cpu_seconds."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def course(sandbox: str) -> None:
    paths = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))
    totals, cpus = {}, {}
    for jobs in (1, 2):
        print(f"[{load()}]")
        started, cpu = time.perf_counter(), cpu_seconds()
        grades = grade_all(paths, jobs=jobs, progress=False, sandbox=sandbox)
        totals[jobs] = time.perf_counter() - started
        cpus[jobs] = cpu_seconds() - cpu + sum(g.cpu_seconds for g in grades)
        if jobs == 1:
            print(f"{'submission':<34} {'status':<8} {'score':>7} {'seconds':>8} {'CPU s':>6} {'peak MB':>8}")
            for g in grades:
                name = str(Path(g.submission).relative_to(ROOT))
                print(f"{name:<34} {g.status:<8} {g.score:>3}/{g.max_score:<3} {g.seconds:>8.1f} {g.cpu_seconds:>6.1f} {g.peak_memory_mb:>8.0f}")
    print(f"[{load()}]")
    print()
    for jobs, seconds in totals.items():
        print(f"{len(paths)} submissions, --jobs {jobs}: {seconds:.1f} s ({seconds / len(paths):.1f} s each), "
              f"{cpus[jobs]:.1f} CPU-seconds")
    print(f"--jobs 2 takes {totals[2] / totals[1]:.2f} of the time of --jobs 1 ({totals[1] / totals[2]:.2f}x faster)")
    print(f"on 2 otherwise idle cores: at least {cpus[2] / 2:.1f} s with --jobs 2 (CPU time / 2), "
          f"{cpus[1]:.1f} s with --jobs 1 if nothing overlapped")


def chapter_07(sandbox: str, count: int = 30) -> None:
    folder = Path(tempfile.mkdtemp(prefix="regcourse-bench-"))
    try:
        sources = [ROOT / "solutions" / "07_neural_networks.ipynb", ROOT / "exercises" / "07_neural_networks.ipynb"]
        paths = []
        for i in range(count):
            path = folder / f"student{i:02d}.ipynb"
            shutil.copy(sources[i % 2], path)
            paths.append(path)
        print(f"[{load()}]")
        started, cpu = time.perf_counter(), cpu_seconds()
        grades = grade_all(paths, jobs=2, progress=False, sandbox=sandbox)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu + sum(g.cpu_seconds for g in grades)
        print(f"[{load()}]")
        scores = sorted({(g.status, g.score, g.max_score) for g in grades})
        print(f"{count} chapter-07 submissions, --jobs 2: {seconds:.1f} s ({seconds / count:.1f} s each); "
              f"outcomes {scores}")
        print(f"CPU time used: {cpu:.1f} s, so at least {cpu / 2:.1f} s of wall time on 2 otherwise idle cores")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "course", "ch07"], default="all")
    parser.add_argument("--sandbox", default="auto")
    args = parser.parse_args()
    if args.part in ("all", "course"):
        course(args.sandbox)
        print()
    if args.part in ("all", "ch07"):
        chapter_07(args.sandbox)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
