"""The data of benchmarks/linear.py's rows: ``PROBLEMS[name]()`` is (X, y, fit_intercept), seeded.

Dense problems fit an intercept; the sparse ones do not (centring would densify X).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse


def _sparse_truth(rng, X, k=20, noise=1.0):
    w = np.zeros(X.shape[1])
    w[rng.choice(X.shape[1], size=k, replace=False)] = rng.normal(scale=2.0, size=k)
    return np.asarray(X @ w).reshape(-1) + noise * rng.normal(size=X.shape[0])


def gaussian(n, p, seed):
    """Independent N(0, 1) features, 20 non-zero true weights (fewer when p < 20), noise N(0, 1)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    return X, _sparse_truth(rng, X, k=min(20, p // 2)), True


def toeplitz(n, p, rho, seed):
    """Features with corr(xᵢ, xⱼ) = ρ^|i−j| (an AR(1) chain across features)."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, p))
    X[:, 0] = rng.normal(size=n)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.normal(size=n)
    return X, _sparse_truth(rng, X), True


def duplicated(n, p, copies, seed):
    """Each of p Gaussian columns ``copies`` times in a row (n × copies·p): the lasso's solution is
    not unique (any split of a weight over its copies), so coefficients differ between libraries;
    J and the KKT residual do not."""
    X, y, _ = gaussian(n, p, seed)
    return np.repeat(X, copies, axis=1), y, True


def sparse_problem(n, p, density, seed):
    rng = np.random.default_rng(seed)
    nnz = int(density * n * p)  # coordinates drawn directly (scipy.sparse.random permutes all n·p cells)
    X = scipy.sparse.coo_matrix(
        (rng.normal(size=nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))), shape=(n, p)
    ).tocsc()
    return X, _sparse_truth(rng, X, k=50), False


def regression(n, p, seed):
    """scikit-learn's make_regression(n, p, n_informative=10, noise=1): independent features."""
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=n, n_features=p, n_informative=10, noise=1.0, random_state=seed)
    return X, y, True


def polynomial_diabetes():
    """scikit-learn's diabetes data (442×10), all monomials of degree ≤ 3 (285 columns), standardized.

    (Degree 2 gives 65 columns; the issue's 442×285 is degree 3 without the constant.)
    """
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import PolynomialFeatures

    X, y = load_diabetes(return_X_y=True)
    Z = PolynomialFeatures(degree=3, include_bias=False).fit_transform(X)
    return (Z - Z.mean(axis=0)) / Z.std(axis=0), y, True


PROBLEMS = {
    "small 50×10": lambda: gaussian(50, 10, 10),
    "p>n 40×100": lambda: gaussian(40, 100, 17),
    "p>n 100×300": lambda: gaussian(100, 300, 18),
    "p>n 300×1000": lambda: gaussian(300, 1000, 19),
    "1000×50": lambda: gaussian(1000, 50, 11),
    "5000×200": lambda: gaussian(5000, 200, 12),
    "20000×60": lambda: gaussian(20_000, 60, 13),
    "tall 1e5×100": lambda: gaussian(100_000, 100, 0),
    "Toeplitz .95 2000×500": lambda: toeplitz(2000, 500, 0.95, 1),
    "make_regression 5000×2000": lambda: regression(5000, 2000, 14),
    "dup×3 300×900": lambda: duplicated(300, 300, 3, 8),
    "poly diabetes 442×285": polynomial_diabetes,
    "Toeplitz .8 500×5000": lambda: toeplitz(500, 5000, 0.8, 15),
    "1000×1000": lambda: gaussian(1000, 1000, 2),
    "p>n 200×5000": lambda: gaussian(200, 5000, 3),
    "p>n 1000×10000": lambda: gaussian(1000, 10_000, 4),
    "sparse 1e4×5000 (1%)": lambda: sparse_problem(10_000, 5000, 0.01, 5),
    "sparse 2000×20000 (.5%)": lambda: sparse_problem(2000, 20_000, 0.005, 7),
    "sparse 20000×50000 (.1%)": lambda: sparse_problem(20_000, 50_000, 0.001, 16),
}
