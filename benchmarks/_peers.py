"""Peer libraries as optional adapters onto the course objective, and that objective's J and KKT.

The course objective, with l1 = ρλ and l2 = (1 − ρ)λ (ρ = 1 for the lasso, 0.5 for the elastic
net of the benchmark), is

    J(w, b) = (1/n)·Σᵢ(yᵢ − xᵢ·w − b)² + l1·‖w‖₁ + l2·‖w‖².

Each adapter ``run(X, y, lams, rho, fit_intercept, single)`` solves it on the whole grid ``lams``
(decreasing; warm-started along it) or, with ``single``, at the one λ of ``lams`` from a cold
start as a user's one call would, and returns ``(coefs, intercepts)`` of shapes (L, p) and (L,).
Path adapters that fit no intercept themselves get centred data and return b = ȳ − x̄·w, the
exact minimizer in b for a given w (centring is part of the timed run). Each adapter's docstring
derives its conversion; ``AVAILABLE`` lists the ones whose library imports, ``MISSING`` the rest
with the import error. Peers run at tight tolerances, stated per adapter.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import scipy.sparse

from regcourse.linear import fit, path, penalty_for
from regcourse.linear.solvers import kkt_violation

OURS_TOL = 1e-10  # KKT residual relative to max|Xcᵀyc/n| (regcourse's own criterion)
GAP_TOL = 1e-12  # scikit-learn, celer: duality gap relative to ‖y‖² (sklearn) or ‖y‖²/n (celer)
KKT_TOL = 1e-12  # skglm, glum: their optimality measure relative to max|Xcᵀyc/n| (absolute tol scaled)
GLMNET_TOL = 1e-20  # glmnet's thresh: largest objective change of a coordinate step / null deviance (KKT ~ √thresh)
MAX_ITER = 100_000


def penalties(lams, rho):
    """The course's (l1, l2) along the grid: l1 = ρλ, l2 = (1 − ρ)λ."""
    lams = np.asarray(lams, dtype=float)
    return rho * lams, (1.0 - rho) * lams


def sklearn_alpha(lams, rho):
    """scikit-learn's (alpha, l1_ratio) for the course's (l1, l2).

    scikit-learn minimizes (1/2n)‖y − Xw − b‖² + α·r‖w‖₁ + (α(1 − r)/2)‖w‖². Times 2:
    MSE + 2αr‖w‖₁ + α(1 − r)‖w‖², so l1 = 2αr, l2 = α(1 − r): **α = l1/2 + l2**, **r = (l1/2)/α**.
    With l1 = ρλ, l2 = (1 − ρ)λ: α = λ(1 − ρ/2) and r = ρ/(2 − ρ) (λ/2 and 1 for the lasso).
    skglm's Lasso / ElasticNet and celer's objectives are the same, so they share this conversion.
    """
    alphas = np.asarray(lams, dtype=float) * (1.0 - rho / 2.0)
    return alphas, rho / (2.0 - rho)


def _centre(X, y, fit_intercept):
    """(Xc, yc, x̄, ȳ); without an intercept nothing is subtracted (sparse X stays sparse)."""
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    if scipy.sparse.issparse(X):
        raise ValueError("fit_intercept: the adapters centre dense X only; fit sparse X without an intercept")
    means = np.asarray(X.mean(axis=0)).reshape(-1)
    return np.asarray(X) - means, y - y.mean(), means, float(y.mean())


def _gradient_scale(X, y, fit_intercept) -> float:
    """max|Xcᵀyc/n| = max|Xᵀyc/n| (Σyc = 0): the half-gradient of the MSE at w = 0, the unit of the tolerances."""
    yc = y - y.mean() if fit_intercept else y
    return float(np.abs(np.asarray(X.T @ yc).reshape(-1)).max()) / len(yc)


def _with_intercepts(coefs, means, ybar):
    return coefs, ybar - coefs @ means


# --- the adapters ----------------------------------------------------------------------------


def run_regcourse(X, y, lams, rho, fit_intercept, single):
    """regcourse.linear itself at tol 1e-10 (KKT residual relative to max|Xcᵀyc/n|); λ is the course's."""
    kind = "l1" if rho == 1.0 else "elastic_net"
    if single:
        result = fit(
            X, y, penalty_for(kind, lams[0], rho), tol=OURS_TOL, max_iter=MAX_ITER, fit_intercept=fit_intercept
        )
        return result.coef[None], np.array([result.intercept])
    result = path(X, y, kind, lams, l1_ratio=rho, tol=OURS_TOL, max_iter=MAX_ITER, fit_intercept=fit_intercept)
    return result.coefs, np.asarray(result.intercepts)


def run_sklearn(X, y, lams, rho, fit_intercept, single):
    """scikit-learn: ``lasso_path`` / ``enet_path`` on centred data, ``Lasso`` / ``ElasticNet`` for one fit.

    Conversion: see ``sklearn_alpha`` (α = λ(1 − ρ/2), l1_ratio = ρ/(2 − ρ)). Tolerance 1e-12:
    its duality gap relative to ‖y‖² (scikit-learn's own criterion), max_iter 100000.
    """
    from sklearn.linear_model import ElasticNet, enet_path

    alphas, ratio = sklearn_alpha(lams, rho)
    if single:
        model = ElasticNet(alpha=alphas[0], l1_ratio=ratio, fit_intercept=fit_intercept, tol=GAP_TOL, max_iter=MAX_ITER)
        model.fit(X, y)
        return model.coef_[None], np.array([model.intercept_])
    Xc, yc, means, ybar = _centre(X, y, fit_intercept)
    _, coefs, _ = enet_path(Xc, yc, l1_ratio=ratio, alphas=alphas, tol=GAP_TOL, max_iter=MAX_ITER)
    return _with_intercepts(coefs.T, means, ybar)


def run_skglm(X, y, lams, rho, fit_intercept, single):
    """skglm's ``Lasso`` / ``ElasticNet`` estimators (Anderson-accelerated working-set CD), warm-started.

    Their objective is scikit-learn's, (1/2n)‖y − Xw‖² + α(r‖w‖₁ + (1 − r)/2·‖w‖²): the same
    conversion as ``sklearn_alpha``. Run on centred data without an intercept. skglm's tol is
    absolute, on its largest distance of −∇(½MSE) to α·∂penalty: set to 1e-12·max|Xcᵀyc/n|
    (1e-12 relative, our unit); max_iter 1000 outer iterations, max_epochs 100000.
    """
    from skglm import ElasticNet, Lasso

    alphas, ratio = sklearn_alpha(lams, rho)
    Xc, yc, means, ybar = _centre(X, y, fit_intercept)
    tol = KKT_TOL * _gradient_scale(X, y, fit_intercept)
    options = dict(fit_intercept=False, tol=tol, max_iter=1000, max_epochs=100_000, warm_start=True)
    model = Lasso(alpha=alphas[0], **options) if rho == 1.0 else ElasticNet(alpha=alphas[0], l1_ratio=ratio, **options)
    coefs = np.empty((len(alphas), X.shape[1]))
    for i, alpha in enumerate(alphas):
        model.alpha = alpha
        coefs[i] = model.fit(Xc, yc).coef_
    return _with_intercepts(coefs, means, ybar)


def run_celer(X, y, lams, rho, fit_intercept, single):
    """celer's ``celer_path`` (working sets, dual extrapolation) on centred data, warm-started along the grid.

    celer's Lasso and ElasticNet estimators document scikit-learn's objective
    (1/2n)‖y − Xw‖² + α·r‖w‖₁ + (α(1 − r)/2)‖w‖², so the conversion is ``sklearn_alpha``'s.
    (``celer_path``'s docstring writes α(1 − r)‖w‖² without the ½; the code has the ½, as the
    elastic-net KKT test of the adapters confirms.) Tolerance 1e-12: its duality
    gap relative to ‖y‖²/n; max_iter 1000 outer iterations, max_epochs 100000.
    """
    from celer import celer_path

    alphas, ratio = sklearn_alpha(lams, rho)
    Xc, yc, means, ybar = _centre(X, y, fit_intercept)
    if scipy.sparse.issparse(Xc):
        Xc = scipy.sparse.csc_matrix(Xc)
    else:
        Xc = np.asfortranarray(Xc)
    _, coefs, _ = celer_path(
        Xc, yc, "lasso", alphas=alphas, l1_ratio=ratio, tol=GAP_TOL, max_iter=1000, max_epochs=100_000, prune=True
    )
    return _with_intercepts(np.asarray(coefs).T, means, ybar)


def glmnet_lambda(lams, rho, y_std):
    """python-glmnet's (alpha, lambda_path) for the course's (l1, l2), with ``standardize=False``.

    glmnet documents (1/2n)‖y − Xw − b‖² + λ_g[α_g‖w‖₁ + (1 − α_g)/2·‖w‖²], times 2:
    MSE + 2λ_gα_g‖w‖₁ + λ_g(1 − α_g)‖w‖². Its Fortran divides y and λ_g by s_y (the 1/n
    standard deviation of y), which leaves the L1 part exact and divides the L2 part by s_y, so it
    really minimizes MSE + 2λ_gα_g‖w‖₁ + (λ_g(1 − α_g)/s_y)‖w‖² (regcourse.conventions.to_glmnet).
    Hence **λ_g = l1/2 + l2·s_y** and **α_g = (l1/2)/λ_g**; with l1 = ρλ, l2 = (1 − ρ)λ:
    λ_g = λ(ρ/2 + (1 − ρ)s_y), α_g = (ρ/2)/(ρ/2 + (1 − ρ)s_y), constant along the path (λ/2 and 1
    for the lasso). ``standardize`` (True by default) would penalize the weights of the
    standardized features: off, so that the penalty is on X's own weights.
    """
    lams = np.asarray(lams, dtype=float)
    strength = rho / 2.0 + (1.0 - rho) * y_std
    return (rho / 2.0) / strength, lams * strength


def run_glmnet(X, y, lams, rho, fit_intercept, single):
    """python-glmnet's ``ElasticNet`` with an explicit ``lambda_path`` (conversion: ``glmnet_lambda``).

    No cross-validation (n_splits=0), ``standardize=False``, tol (glmnet's thresh, a bound on each
    coordinate step's decrease of the objective relative to the null deviance, so KKT ~ √thresh) 1e-20,
    max_iter 100000. glmnet may stop a path early when the explained deviance stops changing;
    the λ it did not reach are returned as NaN rows (the table then notes the shortfall).
    """
    from glmnet import ElasticNet

    y_std = float(np.std(y)) if fit_intercept else float(np.sqrt(np.mean(y**2)))
    alpha, lambda_path = glmnet_lambda(lams, rho, y_std)
    if single:  # glmnet needs a path to warm-start from; one λ is its user's single call
        lambda_path = np.array([lambda_path[0]])
    model = ElasticNet(
        alpha=alpha,
        lambda_path=lambda_path,
        standardize=False,
        fit_intercept=fit_intercept,
        n_splits=0,
        tol=GLMNET_TOL,
        max_iter=MAX_ITER,
    )
    model.fit(X, y)
    coefs = np.full((len(lambda_path), X.shape[1]), np.nan)
    intercepts = np.full(len(lambda_path), np.nan)
    k = model.coef_path_.shape[1]
    coefs[:k] = model.coef_path_.T
    intercepts[:k] = np.broadcast_to(model.intercept_path_, (k,))
    return coefs, intercepts


def run_glum(X, y, lams, rho, fit_intercept, single):
    """glum's ``GeneralizedLinearRegressor`` (family normal), ``alpha_search`` over the explicit grid.

    glum minimizes (1/2n)·deviance + α·r‖w‖₁ + (α(1 − r)/2)‖w‖², with the normal deviance the
    sum of squares: scikit-learn's parametrization, so ``sklearn_alpha``'s conversion. No
    ``scale_predictors``; glum fits the intercept itself. gradient_tol = 1e-12·max|Xcᵀyc/n|
    (its absolute tolerance on the minimum-norm subgradient, 1e-12 in our unit), step_size_tol
    1e-16, max_iter 1000.
    """
    from glum import GeneralizedLinearRegressor

    alphas, ratio = sklearn_alpha(lams, rho)
    options = dict(
        family="normal",
        l1_ratio=ratio,
        fit_intercept=fit_intercept,
        gradient_tol=KKT_TOL * _gradient_scale(X, y, fit_intercept),
        step_size_tol=1e-16,
        max_iter=1000,
    )
    if single:
        model = GeneralizedLinearRegressor(alpha=alphas[0], **options).fit(X, y)
        return model.coef_[None], np.array([model.intercept_])
    with warnings.catch_warnings():  # glum 3.4 deprecates ``alphas`` but its ``alpha`` takes no array yet
        warnings.simplefilter("ignore", DeprecationWarning)
        model = GeneralizedLinearRegressor(alpha_search=True, alphas=alphas, **options).fit(X, y)
    return np.asarray(model.coef_path_), np.broadcast_to(np.asarray(model.intercept_path_), (len(alphas),)).copy()


# name → (module to import, adapter)
ADAPTERS = {
    "regcourse": ("regcourse", run_regcourse),
    "sklearn": ("sklearn", run_sklearn),
    "skglm": ("skglm", run_skglm),
    "celer": ("celer", run_celer),
    "glmnet": ("glmnet", run_glmnet),
    "glum": ("glum", run_glum),
}
PEERS = [name for name in ADAPTERS if name != "regcourse"]


def availability() -> tuple[list[str], dict[str, str]]:
    """(importable adapters, {missing adapter: reason}), importing each peer once."""
    available, missing = [], {}
    for name, (module, _) in ADAPTERS.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(module)
        except Exception as error:  # noqa: BLE001 — a broken optional install is reported, not raised
            missing[name] = f"{type(error).__name__}: {error}"
        else:
            available.append(name)
    return available, missing


# --- the course objective, evaluated the same way for every library ----------------------------


class Objective:
    """J and the KKT residual of the course objective on (X, y), in float64, for any library's output."""

    def __init__(self, X, y, fit_intercept):
        self.X, self.y, self.n = X, np.asarray(y, dtype=float), len(y)
        self.means = np.asarray(X.mean(axis=0)).reshape(-1) if fit_intercept else np.zeros(X.shape[1])
        self.yc = self.y - self.y.mean() if fit_intercept else self.y
        col_sq = np.asarray(X.multiply(X).sum(axis=0) if scipy.sparse.issparse(X) else (X * X).sum(axis=0))
        self.diag = col_sq.reshape(-1) / self.n - self.means**2  # diag(G) = ‖xⱼ − x̄ⱼ‖²/n
        self.scale = float(np.abs(self._xt(self.yc)).max()) / self.n  # max|Xcᵀyc/n|

    def _xt(self, R):
        """Xcᵀ R for a vector or a matrix of columns, without densifying a sparse X."""
        return np.asarray(self.X.T @ R) - np.multiply.outer(self.means, R.sum(axis=0))

    def values(self, coefs, intercepts, lams, rho) -> np.ndarray:
        """J(wₖ, bₖ) for each λₖ (NaN where a library returned none)."""
        l1, l2 = penalties(lams, rho)
        W = np.nan_to_num(coefs).T
        R = self.y[:, None] - np.asarray(self.X @ W) - np.nan_to_num(intercepts)[None, :]
        J = (R**2).mean(axis=0) + l1 * np.abs(W).sum(axis=0) + l2 * (W**2).sum(axis=0)
        return np.where(np.isnan(coefs).any(axis=1) | np.isnan(intercepts), np.nan, J)

    def kkt(self, coefs, lams, rho) -> float:
        """Largest KKT residual along the grid, relative to max|Xcᵀyc/n| (regcourse's kkt_violation).

        Per coordinate |S(qⱼ + Gⱼⱼwⱼ, l1/2) − (Gⱼⱼ + l2)·wⱼ| with q = Xcᵀ(yc − Xc·w)/n; the
        intercept is taken at its optimum for w (the residual is of the centred problem).
        """
        l1, l2 = penalties(lams, rho)
        keep = ~np.isnan(coefs).any(axis=1)
        W = coefs[keep].T
        R = self.yc[:, None] - (np.asarray(self.X @ W) - self.means @ W)
        Q = self._xt(R) / self.n
        worst = 0.0
        for k, (a, b) in enumerate(zip(l1[keep], l2[keep])):
            worst = max(worst, float(kkt_violation(Q[:, k], W[:, k], self.diag, a / 2.0, b).max(initial=0.0)))
        return worst / self.scale
