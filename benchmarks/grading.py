"""How long grading takes, with one job and with two, and how much memory a submission uses.

1. Every notebook in solutions/ and exercises/ graded with --jobs 1 and then --jobs 2: a table
   per submission (status, score, wall time, peak resident memory of all its processes), then
   the total time of each and the ratio.
2. 30 chapter-07 submissions (copies of the solution and the untouched exercise, alternating)
   graded with --jobs 2: the total time (target: at most 120 s on 2 cores).
3. Attacks on resources (``--part attacks``), each graded beside an honest chapter-01 solution
   with --memory-mb 400 and --jobs 2, with and without cgroups (REGCOURSE_NO_CGROUPS=1): the
   largest resident memory of any grading worker, the rise of the host's memory in use and of its
   shared memory (tmpfs), and the classmate's time and score; the attacks are one message of 20
   frames of 60 MB, 3 GB written to the sandbox's /tmp in 50 MB files, and 150 busy sessions.

The machine's load average is printed before and after each part: other work on the same cores
slows grading down, and the figures should be read with it. The CPU time of every submission's
processes (worker, sandbox, kernel; polled every 0.1 s) and of the grader is added up too: divided
by the number of cores, it is the wall time the same work needs at least on an idle machine.

    python benchmarks/grading.py                 # both parts
    python benchmarks/grading.py --part ch07     # only the 30 chapter-07 submissions
    python benchmarks/grading.py --part attacks  # only the attacks on resources
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
                print(
                    f"{name:<34} {g.status:<8} {g.score:>3}/{g.max_score:<3} {g.seconds:>8.1f} "
                    f"{g.cpu_seconds:>6.1f} {g.peak_memory_mb:>8.0f}"
                )
    print(f"[{load()}]")
    print()
    for jobs, seconds in totals.items():
        print(
            f"{len(paths)} submissions, --jobs {jobs}: {seconds:.1f} s ({seconds / len(paths):.1f} s each), "
            f"{cpus[jobs]:.1f} CPU-seconds"
        )
    print(f"--jobs 2 takes {totals[2] / totals[1]:.2f} of the time of --jobs 1 ({totals[1] / totals[2]:.2f}x faster)")
    print(
        f"on 2 otherwise idle cores: at least {cpus[2] / 2:.1f} s with --jobs 2 (CPU time / 2), "
        f"{cpus[1]:.1f} s with --jobs 1 if nothing overlapped"
    )


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
        print(
            f"{count} chapter-07 submissions, --jobs 2: {seconds:.1f} s ({seconds / count:.1f} s each); "
            f"outcomes {scores}"
        )
        print(f"CPU time used: {cpu:.1f} s, so at least {cpu / 2:.1f} s of wall time on 2 otherwise idle cores")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


ATTACKS = {
    "message frames": "k = get_ipython().kernel\nblock = b'x' * (60 * 2**20)\nk.session.send(k.iopub_socket, "
    "'display_data', {'data': {'text/plain': 'hi'}, 'metadata': {}}, parent=k.get_parent(), "
    "buffers=[block] * 20)\nimport time\ntime.sleep(5)",
    "tmpfs 3 GB": "chunk = b'x' * (50 * 2**20)\nfor i in range(60):\n    with open(f'/tmp/fill{i}', 'wb') as f:\n"
    "        f.write(chunk)",
    "150 busy sessions": "import subprocess\nfor i in range(150):\n"
    "    subprocess.Popen(['sh', '-c', 'while :; do :; done'], start_new_session=True)\nimport time\ntime.sleep(25)",
}


def _meminfo_mb() -> dict[str, float]:
    with open("/proc/meminfo") as stream:
        return {line.split(":")[0]: int(line.split()[1]) / 1024 for line in stream}


def _grade_watched(paths, **options):
    """grade_all, sampling every 50 ms the largest worker's RSS and the host's memory rise."""
    import threading

    import psutil

    start, peaks, done = _meminfo_mb(), {"worker": 0.0, "used": 0.0, "shmem": 0.0}, threading.Event()

    def watch():
        while not done.is_set():
            now = _meminfo_mb()
            peaks["used"] = max(peaks["used"], start["MemAvailable"] - now["MemAvailable"])
            peaks["shmem"] = max(peaks["shmem"], now["Shmem"] - start["Shmem"])
            for process in psutil.process_iter(["cmdline", "memory_info"]):
                try:
                    if "regcourse.grading._worker" in " ".join(process.info["cmdline"] or []):
                        peaks["worker"] = max(peaks["worker"], process.info["memory_info"].rss / 2**20)
                except (psutil.NoSuchProcess, TypeError):
                    pass
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        grades = grade_all(paths, progress=False, warn=lambda text: None, **options)
    finally:
        done.set()
        thread.join()
    return grades, peaks


def attacks(sandbox: str) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell

    from regcourse.grading import _limits

    folder = Path(tempfile.mkdtemp(prefix="regcourse-bench-"))
    try:
        honest = folder / "honest.ipynb"
        shutil.copy(ROOT / "solutions" / "01_overfitting.ipynb", honest)
        alone, _ = _grade_watched([honest], chapter=1, sandbox=sandbox)
        print(f"[{load()}]")
        print(
            f"the classmate alone: {alone[0].status} {alone[0].score}/{alone[0].max_score} in {alone[0].seconds:.1f} s"
        )
        print(
            f"{'attack':<18} {'cgroups':<8} {'attack row':<48} {'worker MB':>9} {'host MB':>8} {'tmpfs MB':>8} "
            f"{'classmate':>10} {'s':>6}"
        )
        for name, cell in ATTACKS.items():
            notebook = nbformat.read(ROOT / "exercises" / "01_overfitting.ipynb", as_version=4)
            notebook.cells.append(new_code_cell(cell))
            attack = folder / "attack.ipynb"
            nbformat.write(notebook, attack)
            for cgroups in (True, False):
                if cgroups:
                    os.environ.pop(_limits.DISABLE_VARIABLE, None)
                else:
                    os.environ[_limits.DISABLE_VARIABLE] = "1"
                try:
                    grades, peaks = _grade_watched(
                        [attack, honest], chapter=1, sandbox=sandbox, jobs=2, memory_mb=400, timeout=120
                    )
                finally:
                    os.environ.pop(_limits.DISABLE_VARIABLE, None)
                row = f"{grades[0].status}: {grades[0].reason}"[:48]
                mate = grades[1]
                print(
                    f"{name:<18} {'yes' if cgroups else 'no':<8} {row:<48} {peaks['worker']:>9.0f} "
                    f"{peaks['used']:>8.0f} {peaks['shmem']:>8.0f} {mate.status + ' ' + str(mate.score):>10} "
                    f"{mate.seconds:>6.1f}"
                )
        print(f"[{load()}]")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "course", "ch07", "attacks"], default="all")
    parser.add_argument("--sandbox", default="auto")
    args = parser.parse_args()
    if args.part in ("all", "course"):
        course(args.sandbox)
        print()
    if args.part in ("all", "ch07"):
        chapter_07(args.sandbox)
        print()
    if args.part in ("all", "attacks"):
        attacks(args.sandbox)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
