"""Our logistic regression against scikit-learn and skglm, at equal accuracy (issue 23).

Rows: 100 repeated L1 fits on an 80×8 problem (λ = 0.02: the per-call cost, as a notebook or a
cross-validation loop calls it), L1-logistic paths (50 λ down to λ_max/100) on digits (3 vs 8,
pixels/16) and on breast cancer (standardized), a synthetic 2000×5000 L1 path (20 λ down to
λ_max/100), and an L2 fit on 2000×5000 (λ = 1/(2n), scikit-learn's default C = 1). Each method
solves the course objective (1/n)·Σ[log(1 + e^zᵢ) − yᵢzᵢ] + penalty, the intercept unpenalized:

    ours          regcourse.linear.path / fit with loss="logistic" (proximal Newton / Newton), tol 1e-10
    ours (FISTA)  the solver before issue 23, the same warm-started loop with solver="fista"
    skglm         GeneralizedLinearEstimator(Logistic(), L1(λ), ProxNewton(fit_intercept=True)),
                  warm-started along the path, tol = our goal, 1e-10·max(1, ‖Xᵀ(y − ȳ)‖∞/n)
    sklearn       LogisticRegression(C = 1/(nλ), l1_ratio=1, solver="saga", tol 1e-12) warm-started
                  for L1 (only the small rows: saga needs minutes on the large one; liblinear is
                  left out: it penalizes the intercept, another objective); solver="lbfgs",
                  tol 1e-12 for L2 (its own stopping rule ends it near KKT 5e-10 there)

The table gives median times over interleaved runs (BLAS at one thread), the ratio to ours, the
largest relative suboptimality along the path, (J − J_best)/J_best with J_best the lowest of
all methods at that λ, and the largest KKT residual relative to max(1, ‖Xᵀ(y − ȳ)‖∞/n).
Peers that are not installed are skipped.

    python benchmarks/logistic.py [--repeats 3] [--only digits cancer ...] [--no-fista]
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # before NumPy loads its BLAS
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = "1"

import argparse
import statistics
import time
import warnings

import numpy as np

from regcourse.linear import fit, path
from regcourse.linear.logistic import kkt_residual_logistic, lam_max_logistic, log_loss, solve_logistic
from regcourse.penalties import L1, L2

TOL = 1e-10


def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = (y == 3) | (y == 8)
    return X[keep] / 16.0, (y[keep] == 8).astype(float)


def cancer():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y.astype(float)


def synthetic(n=2000, p=5000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[rng.choice(p, 50, replace=False)] = rng.normal(size=50)
    return X, (rng.random(n) < 1.0 / (1.0 + np.exp(-X @ w))).astype(float)


def small(n=80, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.array([1.5, -1.0, 0.8, 0.0, -0.5, 0.0, 0.0, 0.0])
    return X, (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w + 0.3)))).astype(float)


REPEATED = 100  # "l1 fit ×100": one small fit, called as often as a notebook or a CV loop does


def _scale(X, y):
    return max(1.0, lam_max_logistic(X, y))


# --- methods: each returns a list of (coef, intercept), one per penalty -------------------------


def ours(X, y, task, lams):
    if task == "l1 path":
        result = path(X, y, "l1", lams, loss="logistic", tol=TOL)
        return list(zip(result.coefs, result.intercepts, strict=True))
    pen = L1(lams[0]) if task.startswith("l1") else L2(lams[0])
    for _ in range(REPEATED if task.endswith("×100") else 1):
        res = fit(X, y, pen, loss="logistic", tol=TOL)
    return [(res.coef, res.intercept)]


def ours_fista(X, y, task, lams):
    out, w, b = [], None, None
    for lam in lams:
        pen = L1(lam) if task.startswith("l1") else L2(lam)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w, b, _, _, _ = solve_logistic(
                X, y, pen, solver="fista", fit_intercept=True, tol=TOL, max_iter=100_000, coef_init=w, intercept_init=b
            )
        out.append((w.copy(), b))
    return out


def skglm_path(X, y, task, lams):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Logistic
    from skglm.penalties import L1 as SkL1
    from skglm.solvers import ProxNewton

    goal = TOL * _scale(X, y)
    repeated = task.endswith("×100")  # cold fits, as ours: a warm start would begin each repeat at the answer
    est = GeneralizedLinearEstimator(
        Logistic(), SkL1(lams[0]), ProxNewton(tol=goal, fit_intercept=True, warm_start=not repeated, max_iter=200)
    )
    out = []
    for lam in lams:
        est.penalty = SkL1(lam)
        for _ in range(REPEATED if task.endswith("×100") else 1):
            est.fit(X, 2 * y - 1)
        out.append((est.coef_.ravel().copy(), float(np.ravel(est.intercept_)[0])))
    return out


def sklearn_fit(X, y, task, lams):
    from sklearn.linear_model import LogisticRegression

    n = len(y)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if task == "l2 fit":
            sk = LogisticRegression(
                C=1.0 / (2 * n * lams[0]), l1_ratio=0.0, solver="lbfgs", tol=1e-12, max_iter=100_000
            )
            sk.fit(X, y)
            return [(sk.coef_[0].copy(), float(sk.intercept_[0]))]
        if task.endswith("×100"):
            for _ in range(REPEATED):
                sk = LogisticRegression(C=1.0 / (n * lams[0]), l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=100_000)
                sk.fit(X, y)
            return [(sk.coef_[0].copy(), float(sk.intercept_[0]))]
        sk = LogisticRegression(l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=100_000, warm_start=True)
        for lam in lams:
            sk.set_params(C=1.0 / (n * lam))
            sk.fit(X, y)
            out.append((sk.coef_[0].copy(), float(sk.intercept_[0])))
    return out


def _importable(name):
    try:
        __import__(name)
    except ImportError:
        return False
    return True


CASES = [  # title, data, task, number of λ (or the λ of a fit), last λ/λ_max, peers, run the old FISTA
    ("small 80×8", small, "l1 fit ×100", 0.02, None, ["sklearn", "skglm"], False),
    ("digits 3 vs 8, 357×64", digits, "l1 path", 50, 1e-2, ["sklearn", "skglm"], True),
    ("breast cancer, 569×30", cancer, "l1 path", 50, 1e-2, ["sklearn", "skglm"], True),
    ("synthetic 2000×5000", synthetic, "l1 path", 20, 1e-2, ["skglm"], False),  # FISTA: unfinished after 150 s
    ("synthetic 2000×5000", synthetic, "l2 fit", None, None, ["sklearn"], True),
]
METHODS = {"ours": ours, "ours (FISTA)": ours_fista, "skglm": skglm_path, "sklearn": sklearn_fit}


def _measure(X, y, task, lams, results):
    scale = _scale(X, y)
    pens = [L1(lam) if task.startswith("l1") else L2(lam) for lam in lams]
    J = {
        name: [log_loss(y, X @ w + b) + float(pen(w)) for (w, b), pen in zip(res, pens, strict=True)]
        for name, res in results.items()
    }
    best = np.min(np.array(list(J.values())), axis=0)
    rows = {}
    for name, res in results.items():
        sub = float(np.max((np.array(J[name]) - best) / np.abs(best)))
        kkt = max(kkt_residual_logistic(X, y, w, b, pen) for (w, b), pen in zip(res, pens, strict=True)) / scale
        rows[name] = (sub, kkt)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--no-fista", action="store_true")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message=".*contiguous arrays")  # numba's, inside skglm
    if _importable("skglm"):  # compile skglm's numba code before timing it
        Xw, yw = cancer()
        skglm_path(Xw, yw, "l1 path", [0.05])
    os.environ.setdefault("REGCOURSE_NUMBA", "1")  # ours: the compiled loops from the first call, compiled now
    rng = np.random.default_rng(0)
    Xs = rng.normal(size=(30, 4))
    fit(Xs, (Xs[:, 0] > 0).astype(float), L1(0.01), loss="logistic")
    print(f"load average: {os.getloadavg()}")
    print("| problem | task | method | time (s) | ratio to ours | suboptimality | KKT |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for title, data, task, n_lams, eps, peers, with_fista in CASES:
        if args.only and not any(word in title or word in task for word in args.only):
            continue
        X, y = data()
        if task == "l1 path":
            top = lam_max_logistic(X, y)
            lams = np.geomspace(top, top * eps, n_lams)
        elif task.startswith("l1"):
            lams = np.array([n_lams])
        else:
            lams = np.array([1.0 / (2 * len(y))])
        names = ["ours"] + ([] if args.no_fista or not with_fista else ["ours (FISTA)"])
        names += [peer for peer in peers if _importable(peer)]
        repeats = args.repeats if X.shape[1] < 1000 else 1
        times = {name: [] for name in names}
        results = {}
        for _ in range(repeats):  # interleaved
            for name in names:
                start = time.perf_counter()
                results[name] = METHODS[name](X, y, task, lams)
                times[name].append(time.perf_counter() - start)
        rows = _measure(X, y, task, lams, results)
        base = statistics.median(times["ours"])
        for name in names:
            median = statistics.median(times[name])
            sub, kkt = rows[name]
            print(f"| {title} | {task} | {name} | {median:.3g} | {median / base:.2f} | {sub:.1e} | {kkt:.1e} |")
        sys.stdout.flush()
    print(f"load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
