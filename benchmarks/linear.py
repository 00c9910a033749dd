"""Our lasso and elastic-net paths and fits against the peers' (scikit-learn, skglm, celer, glmnet, glum).

Every library solves the course objective J(w, b) = (1/n)Σ(yᵢ − xᵢw − b)² + l1‖w‖₁ + l2‖w‖²
(l1 = ρλ, l2 = (1 − ρ)λ) on the same grid of λ, through the adapters of benchmarks/_peers.py,
which convert λ to each peer's parametrization (their docstrings derive it) and run the peers at
tight tolerances (scikit-learn and celer: duality gap 1e-12; skglm and glum: 1e-12 of
max|Xcᵀyc/n|; glmnet: thresh 1e-20; ours: KKT 1e-10). Equal accuracy is then checked here, not
trusted: for each λ, J of every library's (w, b) is evaluated in float64, the best J across
libraries is the reference, and the table gives each library's median time, its worst
suboptimality (J − J_best)/J_best along the path ("!" when above 1e-8: not at equal accuracy) and
its KKT residual (regcourse's kkt_violation, relative to max|Xcᵀyc/n|). "vs best" is our time over
the fastest peer's that reached 1e-8.

Each library runs in its own worker process (started once, warmed up so that numba's compiling
is not timed), one run at a time, the libraries interleaved within each repeat; a run that takes
more than --time-limit seconds is killed and reported as "did not finish". A library whose first
run takes over 20 s runs once. For the rows with "calls", the time is per call (ms) over that
many calls, as a notebook or cross-validation makes them.

    python benchmarks/linear.py [--repeats 3] [--only WORD ...] [--task path|fit|logistic]
        [--peers sklearn,skglm,celer,glmnet,glum] [--time-limit 60] [--big] [--memory] [--threads 1]

--only keeps the rows with one of these words in their name (e.g. --only tall 50×10).
--big adds the sparse 20000×50000 (0.1%) path down to 1e-3·λ_max, limited to --big-time-limit
(300 s) per library and run: minutes.
--task logistic runs benchmarks/logistic.py's main with the other arguments, when it exists.
--threads sets the BLAS threads of every library (default 1: on a machine shared with other
jobs, OpenBLAS's spinning threads make multi-threaded BLAS many times slower, and unevenly so).
--memory also runs a 500×20000 lasso path (20 λ) in a subprocess and reports its peak resident
memory (VmHWM, Linux; the ru_maxrss of a child started from a big parent includes the parent's).
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # before NumPy loads its BLAS (worker processes inherit the environment)
    _threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = _threads

import argparse
import importlib.util
import multiprocessing
import resource
import statistics
import subprocess
import time
import traceback
import warnings
from pathlib import Path
from typing import NamedTuple

import _peers
import numpy as np
from _problems import PROBLEMS

from regcourse.linear import default_lams

SUBOPT_GOAL = 1e-8  # equal accuracy: worst (J − J_best)/J_best along the path
SLOW = 20.0  # seconds: a library whose first run takes longer runs once
SINGLE_FIT_FRACTION = 0.05  # a single fit is at λ = λ_max/20


class Row(NamedTuple):
    name: str  # problem name (a key of PROBLEMS)
    rho: float  # share of λ on the L1 term: 1 lasso, 0.5 elastic net
    task: str  # "path" or "fit"
    n_lams: int = 100
    calls: int = 1  # > 1: the time is per call over this many calls
    big: bool = False  # only with --big
    depth: float = SINGLE_FIT_FRACTION  # a single fit's λ as a fraction of λ_max

    @property
    def label(self) -> str:
        kind = "lasso" if self.rho == 1.0 else f"enet ρ={self.rho}"
        what = f"path {self.n_lams}λ" if self.task == "path" else "fit"
        if self.task == "fit" and self.depth != SINGLE_FIT_FRACTION:
            what += f" λmax/{1 / self.depth:.0f}"
        return f"{kind} {what}" + (f" ×{self.calls}" if self.calls > 1 else "")


ROWS = [
    Row("small 50×10", 1.0, "path", calls=50),
    Row("small 50×10", 1.0, "fit", calls=50),
    Row("small 50×10", 0.5, "path", calls=50),
    Row("p>n 40×100", 1.0, "path", calls=20),
    Row("p>n 40×100", 1.0, "fit", calls=50),
    Row("p>n 100×300", 1.0, "path"),
    Row("p>n 100×300", 1.0, "fit", calls=10),
    Row("p>n 300×1000", 1.0, "fit", calls=5),
    Row("p>n 300×1000", 1.0, "fit", depth=1e-2),
    Row("p>n 300×1000", 0.5, "fit", depth=1e-2),
    Row("p>n 300×1000", 1.0, "fit", depth=1e-3),
    Row("p>n 300×1000", 0.5, "fit", depth=1e-3),
    Row("1000×50", 1.0, "path"),
    Row("5000×200", 1.0, "path"),
    Row("5000×200", 0.5, "path"),
    Row("20000×60", 1.0, "path"),
    Row("tall 1e5×100", 1.0, "path"),
    Row("Toeplitz .95 2000×500", 1.0, "path"),
    Row("Toeplitz .95 2000×500", 0.5, "path"),
    Row("Toeplitz .95 2000×500", 1.0, "fit", calls=5),
    Row("make_regression 5000×2000", 0.5, "path"),
    Row("make_regression 5000×2000", 0.5, "fit"),
    Row("make_regression 5000×2000", 0.5, "fit", depth=1e-2),
    Row("dup×3 300×900", 1.0, "path"),
    Row("poly diabetes 442×285", 1.0, "path"),
    Row("poly diabetes 442×285", 0.5, "path"),
    Row("Toeplitz .8 500×5000", 1.0, "path"),
    Row("Toeplitz .8 500×5000", 1.0, "fit"),
    Row("Toeplitz .8 500×5000", 1.0, "fit", depth=1e-2),
    Row("Toeplitz .8 500×5000", 0.5, "fit", depth=1e-2),
    Row("1000×1000", 1.0, "path"),
    Row("1000×1000", 0.5, "path"),
    Row("1000×1000", 1.0, "fit", calls=5),
    Row("1000×1000", 1.0, "fit", depth=1e-2),
    Row("1000×1000", 0.5, "fit", depth=1e-2),
    Row("1000×1000", 1.0, "fit", depth=1e-3),
    Row("p>n 200×5000", 1.0, "path"),
    Row("p>n 200×5000", 1.0, "fit"),
    Row("p>n 200×5000", 1.0, "fit", depth=1e-2),
    Row("p>n 200×5000", 0.5, "fit", depth=1e-2),
    Row("p>n 1000×10000", 1.0, "path"),
    Row("sparse 1e4×5000 (1%)", 1.0, "path"),
    Row("sparse 2000×20000 (.5%)", 1.0, "path"),
    Row("sparse 20000×50000 (.1%)", 1.0, "path", big=True),
]


def grid(row: Row, X, y, fit_intercept: bool) -> np.ndarray:
    """The path's λ (course units, λ_max down to 1e-3·λ_max), or the one λ = depth·λ_max of a single
    fit (λ_max/20 unless the row says otherwise)."""
    kind = "l1" if row.rho == 1.0 else "elastic_net"
    if row.task == "path":
        return default_lams(X, y, kind, l1_ratio=row.rho, n_lams=row.n_lams, fit_intercept=fit_intercept)
    lams = default_lams(X, y, kind, l1_ratio=row.rho, n_lams=2, eps=row.depth, fit_intercept=fit_intercept)
    return lams[1:]


# --- the worker processes ---------------------------------------------------------------------


def _warm_up(run) -> None:
    """Compile whatever a library compiles on first use (numba), dense and sparse, lasso and enet."""
    import scipy.sparse

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8))
    y = X[:, 0] + rng.normal(size=30)
    for data, intercept in ((X, True), (scipy.sparse.csc_matrix(X), False)):
        for rho in (1.0, 0.5):
            top = 2.0 * float(np.abs(X.T @ (y - y.mean())).max()) / 30 / rho
            run(data, y, np.geomspace(top, top / 100, 3), rho, intercept, False)
            run(data, y, np.array([top / 10]), rho, intercept, True)


def _serve(conn, library: str) -> None:
    """Worker: receive (row index, λ grid), build the row's data (kept for the next request), run, reply."""
    warnings.simplefilter("ignore")  # peers warn when a tight tolerance is not reached; the table shows it
    os.environ.setdefault(
        "REGCOURSE_NUMBA", "1"
    )  # ours: compiled loops from the first call, so the warm-up compiles them
    run = _peers.ADAPTERS[library][1]
    _warm_up(run)
    conn.send("ready")
    data = {}
    while (request := conn.recv()) is not None:
        index, lams = request
        row = ROWS[index]
        try:
            if row.name not in data:
                data = {row.name: PROBLEMS[row.name]()}
            X, y, fit_intercept = data[row.name]
            conn.send("built")  # the time limit starts now, not while the data is made
            started = time.perf_counter()
            for _ in range(row.calls):
                coefs, intercepts = run(X, y, lams, row.rho, fit_intercept, row.task == "fit")
            conn.send(((time.perf_counter() - started) / row.calls, np.asarray(coefs), np.asarray(intercepts)))
        except Exception:  # noqa: BLE001 — reported in the table, the worker lives on
            conn.send("failed: " + traceback.format_exc().strip().splitlines()[-1])


class Worker:
    """One library's process; killed and restarted when a run exceeds its time limit."""

    def __init__(self, library: str):
        self.library, self.process = library, None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.library), daemon=True)
        self.process.start()
        if not self.conn.poll(600) or self.conn.recv() != "ready":
            raise RuntimeError(f"{self.library}: the worker did not start")

    def run(self, index: int, lams: np.ndarray, limit: float):
        """(seconds, coefs, intercepts), or a string saying why there is none."""
        if self.process is None:
            self.start()
        try:
            self.conn.send((index, lams))
            if self.conn.poll(600) and (reply := self.conn.recv()) != "built":
                return reply  # the data could not be made
            if self.conn.poll(limit):
                return self.conn.recv()
        except (EOFError, OSError):  # the process died (crash, out of memory): say so, go on
            code = self.process.exitcode
            self.stop(kill=True)
            return f"worker died (exit code {code})"
        self.stop(kill=True)
        return f"did not finish in {limit:g} s"

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill or not self.process.is_alive():
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(10)
        self.process = None


# --- measuring one row --------------------------------------------------------------------------


def measure(index: int, row: Row, workers: dict, repeats: int, limit: float) -> dict:
    """{library: (times, coefs, intercepts) or a note}, the libraries interleaved within each repeat."""
    X, y, fit_intercept = PROBLEMS[row.name]()
    lams = grid(row, X, y, fit_intercept)
    times = {name: [] for name in workers}
    outcome = {}
    for repeat in range(repeats):
        order = list(workers)[repeat % len(workers) :] + list(workers)[: repeat % len(workers)]
        for name in order:
            if isinstance(outcome.get(name), str) or (repeat and max(times[name]) > SLOW):
                continue  # failed, timed out, or slow enough to run once
            reply = workers[name].run(index, lams, limit)
            if isinstance(reply, str):
                outcome[name] = reply
                continue
            times[name].append(reply[0])
            outcome[name] = reply[1:]
    return {"X": X, "y": y, "fit_intercept": fit_intercept, "lams": lams, "times": times, "outcome": outcome}


def report(row: Row, measured: dict) -> tuple[str, float | None]:
    """The row's lines of the table, and our time over the fastest peer at equal accuracy."""
    lams, times, outcome = measured["lams"], measured["times"], measured["outcome"]
    objective = _peers.Objective(measured["X"], measured["y"], measured["fit_intercept"])
    values = {
        name: objective.values(*result, lams, row.rho)
        for name, result in outcome.items()
        if not isinstance(result, str)
    }
    best = np.nanmin(np.vstack(list(values.values())), axis=0) if values else None
    per_call = row.calls > 1
    lines, accurate = [], {}
    for name, result in outcome.items():
        head = f"{row.name:<26} {row.label:<20} {name:<10}"
        if isinstance(result, str):
            lines.append(f"{head} {result}")
            continue
        seconds = statistics.median(times[name])
        subopt = float(np.nanmax((values[name] - best) / np.abs(best)))
        missing = int(np.isnan(values[name]).sum())
        kkt = objective.kkt(result[0], lams, row.rho)
        notes = [f"{len(times[name])} run" + "s" * (len(times[name]) > 1)]
        if missing:
            notes.append(f"{missing} of {len(lams)} λ not returned")
        ok = subopt <= SUBOPT_GOAL and not missing
        if ok:
            accurate[name] = seconds
        shown = f"{seconds * 1e3:>9.2f} ms" if per_call else f"{seconds:>9.3f} s "
        flag = " " if ok else "!"
        lines.append(f"{head} {shown} {subopt:>9.1e}{flag} {kkt:>8.1e}  {', '.join(notes)}")
    ours = accurate.get("regcourse")
    peers = {name: t for name, t in accurate.items() if name != "regcourse"}
    ratio = None
    if ours is not None and peers:
        fastest = min(peers, key=peers.get)
        ratio = ours / peers[fastest]
        lines.append(f"{'':<26} {'':<20} {'ours/best':<10} {ratio:>9.2f}    (fastest at ≤1e-8: {fastest})")
    return "\n".join(lines), ratio


def memory_row() -> str:
    code = (
        "import numpy as np; from regcourse.linear import path\n"
        "rng = np.random.default_rng(6); X = rng.normal(size=(500, 20000)); w = np.zeros(20000); w[:20] = 2.0\n"
        "y = X @ w + rng.normal(size=500)\n"
        "result = path(X, y, 'l1', n_lams=20)\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(int(peak) / 1024, X.nbytes / 2**20, result.converged)\n"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    seconds = time.perf_counter() - started
    return (
        f"500×20000 lasso path (20 λ): peak memory of the whole process {float(out[0]):.0f} MB "
        f"(X itself {float(out[1]):.0f} MB; budget 1024 MB), {seconds:.1f} s, converged {out[2]}"
    )


def logistic(argv: list[str]) -> int:
    """--task logistic: benchmarks/logistic.py's main(argv), when that script exists."""
    script = Path(__file__).with_name("logistic.py")
    if not script.exists():
        print("logistic rows are not available: benchmarks/logistic.py does not exist")
        return 0
    spec = importlib.util.spec_from_file_location("benchmarks_logistic", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="run only rows whose name has one of these words (e.g. tall 50×10)")
    parser.add_argument("--task", choices=("path", "fit", "logistic"), help="only the paths or only the single fits")
    parser.add_argument("--peers", default=",".join(_peers.PEERS), help="comma-separated: " + ",".join(_peers.PEERS))
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per library and run")
    parser.add_argument("--big", action="store_true", help="add the sparse 20000×50000 path (minutes)")
    parser.add_argument("--big-time-limit", type=float, default=300.0, help="seconds per library and run, --big row")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for every library")
    args = parser.parse_args(argv)
    unknown = set(args.peers.split(",")) - set(_peers.PEERS)
    if unknown:
        parser.error(f"--peers: unknown {sorted(unknown)}; choose from {','.join(_peers.PEERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "logistic" in argv and "--task" in argv and argv[argv.index("--task") + 1] == "logistic":
        at = argv.index("--task")
        return logistic(argv[:at] + argv[at + 2 :])
    args = parse(argv)
    available, missing = _peers.availability()
    chosen = ["regcourse"] + [name for name in args.peers.split(",") if name]
    print(
        f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS')}; load average "
        + " ".join(f"{v:.2f}" for v in os.getloadavg())
        + f" on {os.cpu_count()} CPUs; repeats {args.repeats}, time limit {args.time_limit:g} s"
        + (f" ({args.big_time_limit:g} s for --big)" if args.big else "")
    )
    for name in chosen:
        if name in missing:
            print(f"{name}: skipped, not importable ({missing[name]})")
    workers = {name: Worker(name) for name in chosen if name in available}
    print(f"{'problem':<26} {'task':<20} {'library':<10} {'time':>12} {'subopt':>10} {'KKT':>8}  notes")
    worst = 0.0
    try:
        for index, row in enumerate(ROWS):
            if (row.big and not args.big) or (args.task and row.task != args.task):
                continue
            if args.only and not set(args.only) & set(row.name.split()):
                continue
            limit = args.big_time_limit if row.big else args.time_limit
            lines, ratio = report(row, measure(index, row, workers, args.repeats, limit))
            worst = max(worst, ratio or 0.0)
            print(lines, flush=True)
    finally:
        for worker in workers.values():
            worker.stop()
    print(f"\nworst ratio to the fastest peer at equal accuracy {worst:.2f} (goal ≤ 1, never above 2)")
    print("load average " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    if args.memory:
        print(memory_row())
    print(f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
