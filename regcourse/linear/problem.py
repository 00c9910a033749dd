"""The problem every linear solver works on: checked inputs, centred implicitly.

Inputs accepted for X: a NumPy array (or nested lists), a ``scipy.sparse`` matrix or array, a
pandas DataFrame (its column names are kept); for y: a 1-D array, list or pandas Series.
Integer and float32 data are converted to float64, so results are float64 whatever the input
(the solvers' tolerance, 1e-10 relative, is below float32's resolution).

With the intercept fitted, the data are centred (x̄ and ȳ subtracted) and the best intercept
is b = ȳ − x̄·w. A dense X is centred once, into a copy (row-major; column-major with
``column_major=True``, for solvers that sweep its columns in place). A sparse X is never
densified nor centred: every product with Xc = X − 1·x̄ᵀ is written out,

    Xc·v = X·v − (x̄·v)·1,        Xcᵀ·r = Xᵀ·r − x̄·Σrᵢ,        XcᵀXc = XᵀX − n·x̄x̄ᵀ.

Two ways to hold the problem, chosen by shape:
    Gram       p ≤ n and p ≤ GRAM_MAX_FEATURES: G = XcᵀXc/n is formed once (p×p); a gradient
               costs p·|support| (glmnet's "covariance updates").
    residual   otherwise: no p×p array. A gradient is one pass Xcᵀ(yc − Xc·w)/n, O(n·p); the
               Gram entries a solver needs are computed for the columns it asks for, and cached.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from regcourse._arrays import check_shapes
from regcourse.penalties import Penalty

__all__ = [
    "KINDS",
    "GRAM_MAX_FEATURES",
    "check_kind",
    "check_penalty",
    "check_design",
    "is_sparse",
    "Problem",
]

KINDS = ("l1", "l2", "elastic_net")
GRAM_MAX_FEATURES = 4096  # a 4096×4096 Gram matrix is 128 MB
CACHE_MAX_COLUMNS = 6000  # the residual form's Gram cache is at most this many columns square


def check_kind(kind) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    return kind


def check_penalty(penalty) -> Penalty:
    if not isinstance(penalty, Penalty):
        raise TypeError(
            "penalty must be L1(...), L2(...), ElasticNet(...) or, for linear.fit, WeightedL1, MCP, SCAD or "
            f"GroupLasso (regcourse.penalties_sparse), got {type(penalty).__name__}"
        )
    return penalty


def is_sparse(X) -> bool:
    """True for a scipy.sparse matrix or array, decided without importing scipy."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(X)


def _is_pandas(value) -> bool:
    return type(value).__module__.split(".")[0] == "pandas" and hasattr(value, "to_numpy")


def _as_float_array(value, name: str) -> np.ndarray:
    if value is None or isinstance(value, (str, bytes, dict)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    if _is_pandas(value):
        value = value.to_numpy()
    try:
        array = np.asarray(value)
    except ValueError as err:  # ragged nested lists
        raise TypeError(f"{name} must be a rectangular array of numbers ({err})") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers, got complex values (dtype {array.dtype})")
    if array.dtype.kind not in "fiub":
        try:
            array = array.astype(float)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be an array of numbers ({err})") from None
    return array.astype(np.float64, copy=False)


def _check_finite(values: np.ndarray, name: str) -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        total = values.sum()  # one pass, no temporary: finite unless some entry is not (or the sum overflows)
    if np.isfinite(total):
        return
    if not np.all(np.isfinite(values)):
        what = "NaN" if np.isnan(values).any() else "an infinite value"
        raise ValueError(f"{name} contains {what}; every entry must be a finite number")


def check_design(X, y):
    """(X, y, feature_names): X as a float64 array or CSC matrix (never densified), y as a 1-D
    float64 array, and the DataFrame's column names (or None). Raises naming X or y."""
    feature_names = None
    if is_sparse(X):
        if X.dtype.kind == "c":
            raise TypeError(f"X must hold real numbers, got complex values (dtype {X.dtype})")
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (samples × features), got shape {X.shape}")
        X = X.tocsc().astype(np.float64)  # a copy: the caller's matrix is never changed
        X.sum_duplicates()
        _check_finite(X.data, "X")
    else:
        if _is_pandas(X) and hasattr(X, "columns"):
            feature_names = tuple(str(column) for column in X.columns)
        X = _as_float_array(X, "X")
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (samples × features), got shape {X.shape}")
        _check_finite(X, "X")
    y = _as_float_array(y, "y")
    check_shapes(X, y)
    _check_finite(y, "y")
    return X, y, feature_names


CENTRING_ROWS = 256


def _centred_column_major(X: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """X − 1·meanᵀ in column-major order, ``CENTRING_ROWS`` rows at a time: each band is
    transposed in cache, where a plain column-major copy of a row-major X would miss the cache at
    every element (5000×2000: 20–28 ms, against 48 ms for ``np.subtract(..., order="F")``)."""
    n, p = X.shape
    out = np.empty((p, n))  # its transpose is the column-major n×p result
    for start in range(0, n, CENTRING_ROWS):
        np.subtract(X[start : start + CENTRING_ROWS].T, mean[:, None], out=out[:, start : start + CENTRING_ROWS])
    return out.T


def symmetric_times(G: np.ndarray, v: np.ndarray) -> np.ndarray:
    """G·v for a symmetric G, by BLAS's symv, which reads one triangle: on this machine 2–3×
    faster than the general product on a 2000×2000 Gram matrix. Falls back to G @ v for
    anything but a contiguous float64 matrix and vector."""
    if G.dtype == np.float64 and v.dtype == np.float64 and v.ndim == 1 and G.shape[0] and G.flags.c_contiguous:
        from scipy.linalg.blas import dsymv

        return dsymv(1.0, G.T, v)  # C-ordered and symmetric: the transpose is the column-major view BLAS takes
    return G @ v


class Problem:
    """The centred least-squares problem min (1/n)‖yc − Xc·w‖², with the products solvers need.

    ``c = Xcᵀyc/n``, ``diag[j] = ‖Xc[:, j]‖²/n`` and ``yy = ‖yc‖²/n``, so that
    MSE(w) = wᵀGw − 2cᵀw + yy with G = XcᵀXc/n.
    """

    def __init__(self, X, y, fit_intercept: bool, *, gram: bool | None = None, column_major: bool = False):
        X, y, self.feature_names = check_design(X, y)
        n, p = X.shape
        self.n, self.p = n, p
        self.sparse = is_sparse(X)
        self.x_mean = np.asarray(X.mean(axis=0)).reshape(-1) if fit_intercept else np.zeros(p)
        self.y_mean = float(y.mean()) if fit_intercept else 0.0
        self.yc = y - self.y_mean
        self.rank_bound = min(n - 1 if fit_intercept else n, p)  # rank of Xc
        with np.errstate(over="ignore", invalid="ignore"):
            if self.sparse:
                self.X = X
                squares = np.asarray(X.multiply(X).sum(axis=0)).reshape(-1)
                self.diag = np.maximum(squares / n - self.x_mean**2, 0.0)
            else:
                # Xc, row-major (XcᵀXc is several times faster than column-major), or column-major for
                # solvers that sweep its columns in place (``screened``'s residual form)
                self.X = _centred_column_major(X, self.x_mean) if column_major else X - self.x_mean
            self.c = self.rmatvec(self.yc) / n
            self.yy = float(self.yc @ self.yc) / n
        self.use_gram = (p <= n and p <= GRAM_MAX_FEATURES) if gram is None else bool(gram)
        self.G = None
        with np.errstate(over="ignore", invalid="ignore"):
            if self.use_gram:
                if self.sparse:
                    self.G = np.asarray((X.T @ X).todense()) / n - np.outer(self.x_mean, self.x_mean)
                else:
                    self.G = self.X.T @ self.X / n
                    self.diag = self.G.diagonal().copy()  # no second pass over X
            if not self.sparse and not self.use_gram:
                self.diag = np.einsum("ij,ij->j", self.X, self.X) / n
        self._check_representable()
        self.newton_slope = None  # newton_cg's first step at the last λ, to start the next λ's (a path)
        self.small_factor = {}  # small_p's last Cholesky factor, reused at the next λ of a path
        self._cache_index = np.full(p, -1)
        self._cache_columns = np.zeros(0, dtype=int)
        self._cache_block = np.zeros((0, 0))

    def _check_representable(self) -> None:
        """X and y can be finite while their products overflow (X·1e200): say so, naming X or y."""
        if not math.isfinite(self.yy):
            raise ValueError("y is too large: its squares overflow float64; rescale y (e.g. divide by its std)")
        quantities = [self.diag, self.c] + ([self.G] if self.G is not None else [])
        if not all(np.all(np.isfinite(q)) for q in quantities):
            raise ValueError(
                "X is too large: products of its columns overflow float64 (XᵀX is not finite); "
                "rescale X, e.g. standardize its columns"
            )

    # --- products with Xc ----------------------------------------------------------------

    def matvec(self, w: np.ndarray, columns=None) -> np.ndarray:
        """Xc·w, using only ``columns`` (the support of w) when given."""
        X, mean = self.X, self.x_mean
        if columns is not None and 4 * len(columns) < self.p:  # else the copy of X[:, columns] costs more than it saves
            X, mean, w = X[:, columns], mean[columns], w[columns]
        if self.sparse:
            return np.asarray(X @ w).reshape(-1) - float(mean @ w)
        return X @ w

    def rmatvec(self, r: np.ndarray) -> np.ndarray:
        """Xcᵀ·r."""
        if self.sparse:
            return np.asarray(self.X.T @ r).reshape(-1) - self.x_mean * float(r.sum())
        return self.X.T @ r

    def gram_matvec(self, v: np.ndarray) -> np.ndarray:
        """G·v = XcᵀXc·v/n, without forming G in the residual form."""
        if self.G is not None:
            return symmetric_times(self.G, v)
        support = np.flatnonzero(v)
        return self.rmatvec(self.matvec(v, support)) / self.n

    def neg_half_gradient(self, w: np.ndarray) -> np.ndarray:
        """q = c − G·w = Xcᵀ(yc − Xc·w)/n, minus half the gradient of the MSE."""
        support = np.flatnonzero(w)
        if self.G is not None and not self.sparse:  # sparse X: two passes over its non-zeros are cheaper
            if 4 * support.size > self.p:
                return self.c - symmetric_times(self.G, w)  # no copy of G[:, support]
            return self.c - self.G[:, support] @ w[support]
        return self.rmatvec(self.yc - self.matvec(w, support)) / self.n

    def gram(self) -> np.ndarray:
        """G = XcᵀXc/n, p×p: the one formed at construction (the Gram form), else formed now from
        a dense X and not kept (a caller that forms it once for a whole path keeps it)."""
        if self.G is not None:
            return self.G
        if self.sparse:
            return self.gram_columns(np.arange(self.p))
        return self.X.T @ self.X / self.n

    def gram_columns(self, columns: np.ndarray) -> np.ndarray:
        """G[:, columns], shape (p, len(columns))."""
        if self.G is not None:
            return self.G[:, columns]
        if self.sparse:
            block = self.X[:, columns]
            return (
                np.asarray((self.X.T @ block).todense()) - self.n * np.outer(self.x_mean, self.x_mean[columns])
            ) / self.n
        return self.X.T @ self.X[:, columns] / self.n

    def _cross(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """G[rows][:, columns] computed from the data."""
        if self.sparse:
            product = np.asarray((self.X[:, rows].T @ self.X[:, columns]).todense())
            return product / self.n - np.outer(self.x_mean[rows], self.x_mean[columns])
        return self.X[:, rows].T @ self.X[:, columns] / self.n

    def gram_block(self, columns: np.ndarray) -> np.ndarray:
        """G[columns][:, columns]. In the residual form, entries once computed are cached, so a
        working set that grows by a few columns costs n·|W|·(new columns), not n·|W|². When
        ``columns`` is the cache's own order, the cached array itself is returned: read it only."""
        if self.G is not None:
            return self.G[np.ix_(columns, columns)]
        new = columns[self._cache_index[columns] < 0]
        if new.size:
            if self._cache_columns.size + new.size > CACHE_MAX_COLUMNS:  # forget, keep memory bounded
                self._cache_index[self._cache_columns] = -1
                self._cache_columns = np.zeros(0, dtype=int)
                self._cache_block = np.zeros((0, 0))
            old = self._cache_columns
            cross = self._cross(old, new)
            size = old.size + new.size
            block = np.empty((size, size))
            block[: old.size, : old.size] = self._cache_block
            block[: old.size, old.size :] = cross
            block[old.size :, : old.size] = cross.T
            block[old.size :, old.size :] = self._cross(new, new)
            self._cache_block = block
            self._cache_columns = np.concatenate([old, new])
            self._cache_index[new] = np.arange(old.size, size)
        where = self._cache_index[columns]
        if where.size == self._cache_columns.size and np.array_equal(where, np.arange(where.size)):
            return self._cache_block  # the cache's own order (a working set grown by appending): no copy
        return self._cache_block[np.ix_(where, where)]

    def gram_entries(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """G[rows][:, columns] (cached like ``gram_block`` in the residual form)."""
        if self.G is not None:
            return self.G[np.ix_(rows, columns)]
        if rows.size == 0 or columns.size == 0:
            return np.zeros((rows.size, columns.size))
        self.gram_block(np.union1d(rows, columns))
        return self._cache_block[np.ix_(self._cache_index[rows], self._cache_index[columns])]

    # --- quantities ------------------------------------------------------------------------

    @property
    def scale(self) -> float:
        """The size of the gradient at w = 0, the yardstick for the tolerance."""
        return max(float(np.abs(self.c).max()), 1e-300)

    def largest_eigenvalue(self) -> float:
        """λ_max(G), from G itself, from the n×n matrix XcXcᵀ/n (same non-zero spectrum), or by
        power iteration when both are large."""
        if self.G is not None:
            return max(float(np.linalg.eigvalsh(self.G)[-1]), 1e-300)
        if self.n <= GRAM_MAX_FEATURES:
            return max(float(np.linalg.eigvalsh(self.kernel())[-1]), 1e-300)
        v = np.random.default_rng(0).normal(size=self.p)
        estimate = 0.0
        for _ in range(500):
            u = self.gram_matvec(v)
            norm = float(np.linalg.norm(u))
            if norm == 0.0:
                return 1e-300
            new_estimate, v = norm / float(np.linalg.norm(v)), u / norm
            if abs(new_estimate - estimate) <= 1e-10 * new_estimate:
                break
            estimate = new_estimate
        return 1.01 * new_estimate  # a power-iteration estimate is from below: step sizes need an upper bound

    def kernel(self) -> np.ndarray:
        """K = XcXcᵀ/n, n×n (for p > n: ridge's dual form and G's spectrum)."""
        if self.sparse:
            K = np.asarray((self.X @ self.X.T).todense())
            row_means = np.asarray(self.X @ self.x_mean).reshape(-1)
            K = K - row_means[:, None] - row_means[None, :] + float(self.x_mean @ self.x_mean)
            return K / self.n
        return self.X @ self.X.T / self.n

    def lipschitz(self) -> float:
        """L = 2·λ_max(G), the Lipschitz constant of the MSE's gradient."""
        return 2.0 * self.largest_eigenvalue()

    def mse(self, w: np.ndarray) -> float:
        if self.G is not None:
            return max(float(w @ (self.G @ w) - 2.0 * self.c @ w + self.yy), 0.0)
        residual = self.yc - self.matvec(w, np.flatnonzero(w))
        return float(residual @ residual) / self.n

    def intercept(self, w: np.ndarray) -> float:
        return self.y_mean - float(self.x_mean @ w)

    def centred_dense(self) -> tuple[np.ndarray, np.ndarray]:
        """(Xc, yc) as dense arrays: only for solvers that need them (ridge at λ = 0)."""
        if self.sparse:
            return np.asarray(self.X.todense()) - self.x_mean, self.yc
        return self.X, self.yc
