"""Our lasso and elastic-net paths and fits against scikit-learn's, at equal or better accuracy.

Same data, same grid of λ (scikit-learn's alpha = λ/2 for the lasso; for the elastic net with
our mix ρ, alpha = λ(1 − ρ/2) and l1_ratio = ρ/(2 − ρ), the conversions of
regcourse.conventions). Ours runs at tol 1e-10 (KKT residual relative to max|Xcᵀyc/n|), theirs
at tol 1e-12 (duality gap relative to ‖y‖²). Runs alternate between the two libraries so that
drift in machine speed (other processes on the same cores) hits both; the table gives median
times, their ratio, and each side's KKT residual: the largest violation of the course
objective's optimality conditions along the path, relative to the gradient at w = 0.

    python benchmarks/linear.py [--repeats 3] [--only NAME ...] [--task path|fit] [--memory] [--threads 1]

--threads sets the BLAS threads of both libraries (default 1: on a machine shared with other
jobs, OpenBLAS's spinning threads make multi-threaded BLAS many times slower, and unevenly so).

--memory also runs a 500×20000 lasso path (20 λ) in a subprocess and reports its peak resident
memory (VmHWM, Linux; the ru_maxrss of a child started from a big parent includes the parent's).
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # before NumPy loads its BLAS
    _threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = _threads

import argparse
import resource
import statistics
import subprocess
import time
import warnings

import numpy as np
import scipy.sparse
from sklearn.linear_model import enet_path, lasso_path

from regcourse.linear import default_lams, fit, path, penalty_for

TOL = 1e-10  # ours: KKT residual relative to max|Xcᵀyc/n|
SKLEARN_TOL = 1e-12  # theirs: duality gap relative to ‖y‖²


def _sparse_truth(rng, X, k=20, noise=1.0):
    w = np.zeros(X.shape[1])
    w[rng.choice(X.shape[1], size=k, replace=False)] = rng.normal(scale=2.0, size=k)
    return np.asarray(X @ w).reshape(-1) + noise * rng.normal(size=X.shape[0])


def gaussian(n, p, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    return X, _sparse_truth(rng, X)


def toeplitz(n, p, rho, seed):
    """Features with corr(xᵢ, xⱼ) = ρ^|i−j| (an AR(1) chain across features)."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, p))
    X[:, 0] = rng.normal(size=n)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.normal(size=n)
    return X, _sparse_truth(rng, X)


def duplicated(n, p, copies, seed):
    """Each of p Gaussian columns ``copies`` times in a row (n × copies·p): the lasso's solution is
    not unique (any split of a weight over its copies), so |Δcoef| may be large; compare the KKT."""
    X, y = gaussian(n, p, seed)
    return np.repeat(X, copies, axis=1), y


def sparse_problem(n, p, density, seed):
    rng = np.random.default_rng(seed)
    nnz = int(density * n * p)  # coordinates drawn directly (scipy.sparse.random permutes all n·p cells)
    X = scipy.sparse.coo_matrix(
        (rng.normal(size=nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))), shape=(n, p)
    ).tocsc()
    return X, _sparse_truth(rng, X, k=50)


# name, data, kind, ρ, "path" or "fit", n_lams, fit_intercept
ROWS = [
    ("tall 1e5×100", lambda: gaussian(100_000, 100, 0), "l1", 1.0, "path", 100, True),
    ("Toeplitz .95 2000×500", lambda: toeplitz(2000, 500, 0.95, 1), "l1", 1.0, "path", 100, True),
    ("Toeplitz .95 2000×500", lambda: toeplitz(2000, 500, 0.95, 1), "elastic_net", 0.5, "path", 100, True),
    ("dup×3 300×900", lambda: duplicated(300, 300, 3, 8), "l1", 1.0, "path", 100, True),
    ("1000×1000", lambda: gaussian(1000, 1000, 2), "l1", 1.0, "path", 100, True),
    ("p>n 200×5000", lambda: gaussian(200, 5000, 3), "l1", 1.0, "path", 100, True),
    ("p>n 200×5000", lambda: gaussian(200, 5000, 3), "l1", 1.0, "fit", 1, True),
    ("p>n 1000×10000", lambda: gaussian(1000, 10_000, 4), "l1", 1.0, "path", 100, True),
    ("sparse 1e4×5000 (1%)", lambda: sparse_problem(10_000, 5000, 0.01, 5), "l1", 1.0, "path", 100, False),
    ("sparse 2000×20000 (.5%)", lambda: sparse_problem(2000, 20_000, 0.005, 7), "l1", 1.0, "path", 100, False),
]
SINGLE_FIT_FRACTION = 0.05  # the single fit is at λ = λ_max/20


def _centred(X, y, fit_intercept):
    if not fit_intercept:
        return X, y
    return X - X.mean(axis=0), y - y.mean()


def ours(X, y, kind, lams, rho, fit_intercept):
    if lams.size == 1:
        return fit(X, y, penalty_for(kind, lams[0], rho), tol=TOL, max_iter=100_000, fit_intercept=fit_intercept).coef[
            None
        ]
    return path(X, y, kind, lams, l1_ratio=rho, tol=TOL, max_iter=100_000, fit_intercept=fit_intercept).coefs


def theirs(X, y, kind, lams, rho, fit_intercept):
    Xc, yc = _centred(X, y, fit_intercept)  # their paths fit no intercept: centre first (timed: ours centres too)
    if kind == "l1":
        _, coefs, _ = lasso_path(Xc, yc, alphas=lams / 2, tol=SKLEARN_TOL, max_iter=100_000)
    else:
        _, coefs, _ = enet_path(
            Xc, yc, l1_ratio=rho / (2 - rho), alphas=lams * (1 - rho / 2), tol=SKLEARN_TOL, max_iter=100_000
        )
    return coefs.T


def kkt_residual(X, y, coefs, lams, rho, fit_intercept) -> float:
    """max over the path of the violation of 0 ∈ ∇MSE + ρλ·∂‖w‖₁ + 2(1−ρ)λ·w, relative to max|∇MSE(0)|."""
    n = len(y)
    means = np.asarray(X.mean(axis=0)).reshape(-1) if fit_intercept else np.zeros(X.shape[1])
    yc = y - y.mean() if fit_intercept else y

    def xt(r):  # Xcᵀr without densifying
        return np.asarray(X.T @ r).reshape(-1) - means * r.sum()

    scale = 2.0 / n * np.abs(xt(yc)).max()
    worst = 0.0
    for w, lam in zip(coefs, lams):
        residual = yc - (np.asarray(X @ w).reshape(-1) - means @ w)
        g = -(2.0 / n) * xt(residual) + 2.0 * (1.0 - rho) * lam * w
        violation = np.where(w != 0, np.abs(g + rho * lam * np.sign(w)), np.maximum(np.abs(g) - rho * lam, 0.0))
        worst = max(worst, float(violation.max()))
    return worst / scale


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--only", nargs="*", help="run only rows whose name has one of these words (e.g. tall 1000×1000)"
    )
    parser.add_argument("--task", choices=("path", "fit"), help="run only the paths or only the single fit")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for both libraries")
    args = parser.parse_args()
    print(
        f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS')}; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    warnings.simplefilter("ignore")  # scikit-learn warns when its tight tolerance is not reached
    print(
        f"{'problem':<22} {'task':<16} {'ours (s)':>9} {'sklearn (s)':>11} {'ratio':>6} {'max |Δcoef|':>12}"
        f" {'KKT ours':>9} {'KKT sklearn':>11}"
    )
    worst_ratio = 0.0
    for name, make, kind, rho, task, n_lams, fit_intercept in ROWS:
        if (args.only and not set(args.only) & set(name.split())) or (args.task and task != args.task):
            continue
        X, y = make()
        if task == "path":
            lams = default_lams(X, y, kind, l1_ratio=rho, n_lams=n_lams, fit_intercept=fit_intercept)
        else:
            lams = default_lams(
                X, y, kind, l1_ratio=rho, n_lams=2, eps=SINGLE_FIT_FRACTION, fit_intercept=fit_intercept
            )[1:]
        times = {"ours": [], "sklearn": []}
        results = {}
        for _ in range(args.repeats):
            for label, run in (("ours", ours), ("sklearn", theirs)):
                started = time.perf_counter()
                results[label] = run(X, y, kind, lams, rho, fit_intercept)
                times[label].append(time.perf_counter() - started)
        a, b = statistics.median(times["ours"]), statistics.median(times["sklearn"])
        worst_ratio = max(worst_ratio, a / b)
        diff = float(np.abs(results["ours"] - results["sklearn"]).max())
        label = ("lasso" if kind == "l1" else f"enet (ρ={rho})") + (f" path {n_lams}λ" if task == "path" else " fit")
        print(
            f"{name:<22} {label:<16} {a:>9.3f} {b:>11.3f} {a / b:>6.2f} {diff:>12.1e}"
            f" {kkt_residual(X, y, results['ours'], lams, rho, fit_intercept):>9.1e}"
            f" {kkt_residual(X, y, results['sklearn'], lams, rho, fit_intercept):>11.1e}",
            flush=True,
        )
    print(f"\nworst time ratio {worst_ratio:.2f} (target ≤ 1, never above 2)")
    if args.memory:
        print(memory_row())
    print(f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
