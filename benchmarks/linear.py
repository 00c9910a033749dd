"""Our lasso and elastic-net paths against scikit-learn's lasso_path and enet_path.

Same data, same grid of 100 λ (scikit-learn's alpha = λ/2 for the lasso; for the elastic
net with our mix ρ, alpha = λ(1 − ρ/2) and l1_ratio = ρ/(2 − ρ), the conversions of
regcourse.conventions), both at tight tolerance. Runs alternate between the two libraries;
the table gives median times, their ratio, the largest coefficient difference, and each
side's optimality residual (the largest violation of the course objective's KKT
conditions along the path, in gradient units): when the coefficients differ, it says
which solution is the accurate one.

    python benchmarks/linear.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import enet_path, lasso_path

from regcourse.linear import default_lams, path

TOL = 1e-10  # ours: optimality residual relative to max|Xᵀy/n|
SKLEARN_TOL = 1e-12  # theirs: duality gap relative to ‖y‖²; tighter stops converging (its float floor)


def problems():
    X, y = load_diabetes(return_X_y=True)
    yield "diabetes 442×10", X, y
    rng = np.random.default_rng(0)
    n, p = 5000, 200
    shared = rng.normal(size=(n, 1))
    X = np.sqrt(0.7) * rng.normal(size=(n, p)) + np.sqrt(0.3) * shared  # correlation 0.3
    w = np.zeros(p)
    w[:20] = rng.normal(scale=2.0, size=20)
    yield "synthetic 5000×200", X, X @ w + rng.normal(size=n)


def ours(X, y, kind, lams, rho):
    return path(X, y, kind, lams, l1_ratio=rho, tol=TOL, max_iter=100_000).coefs


def theirs(X, y, kind, lams, rho):
    Xc, yc = X - X.mean(axis=0), y - y.mean()  # their paths fit no intercept: centre first
    if kind == "l1":
        _, coefs, _ = lasso_path(Xc, yc, alphas=lams / 2, tol=SKLEARN_TOL, max_iter=100_000)
    else:
        _, coefs, _ = enet_path(Xc, yc, l1_ratio=rho / (2 - rho), alphas=lams * (1 - rho / 2), tol=SKLEARN_TOL, max_iter=100_000)
    return coefs.T


def kkt_residual(X, y, coefs, lams, rho) -> float:
    """max over the path of the violation of 0 ∈ ∇MSE + ρλ·∂‖w‖₁ + 2(1−ρ)λ·w."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    worst = 0.0
    for w, lam in zip(coefs, lams):
        g = -(2.0 / len(y)) * Xc.T @ (yc - Xc @ w) + 2.0 * (1.0 - rho) * lam * w
        violation = np.where(w != 0, np.abs(g + rho * lam * np.sign(w)), np.maximum(np.abs(g) - rho * lam, 0.0))
        worst = max(worst, float(violation.max()))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # scikit-learn warns when its tight tolerance is not reached
    print(f"{'problem':<20} {'path':<14} {'ours (s)':>9} {'sklearn (s)':>11} {'ratio':>6} {'max |Δcoef|':>12}"
          f" {'relative':>9} {'KKT ours':>9} {'KKT sklearn':>11}")
    worst_ratio, worst_diff = 0.0, 0.0
    for name, X, y in problems():
        for kind, rho in (("l1", 1.0), ("elastic_net", 0.5)):
            lams = default_lams(X, y, kind, l1_ratio=rho)
            times = {"ours": [], "sklearn": []}
            for _ in range(args.repeats):  # alternate so that drift in machine speed hits both
                for label, run in (("ours", ours), ("sklearn", theirs)):
                    started = time.perf_counter()
                    coefs = run(X, y, kind, lams, rho)
                    times[label].append(time.perf_counter() - started)
                    if label == "ours":
                        mine = coefs
                    else:
                        reference = coefs
            a, b = statistics.median(times["ours"]), statistics.median(times["sklearn"])
            diff = float(np.abs(mine - reference).max())
            relative = diff / float(np.abs(reference).max())
            worst_ratio, worst_diff = max(worst_ratio, a / b), max(worst_diff, diff)
            label = "lasso" if kind == "l1" else f"enet (ρ={rho})"
            print(f"{name:<20} {label:<14} {a:>9.3f} {b:>11.3f} {a / b:>6.2f} {diff:>12.1e} {relative:>9.1e}"
                  f" {kkt_residual(X, y, mine, lams, rho):>9.1e} {kkt_residual(X, y, reference, lams, rho):>11.1e}")
    print(f"\nworst time ratio {worst_ratio:.2f} (target ≤ 2); worst coefficient difference {worst_diff:.1e}"
          " (target ≤ 1e-6; where it is larger, compare the KKT columns)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
