"""How many parameters a fit really uses, and the criteria that charge for them.

For a fit ŷ = f(y) of data y = μ + ε with ε ~ N(0, σ²I) and the design X held fixed, the
*degrees of freedom* are

    df = (1/σ²)·Σᵢ Cov(ŷᵢ, yᵢ),

how strongly each fitted value follows its own observation. Least squares with k columns and an
intercept has df = k + 1; ridge has df = 1 + Σⱼ dⱼ²/(dⱼ² + nλ) (``ridge_svd.ridge_df``); and the lasso
has, in expectation, df = 1 + E[number of non-zero weights] (Zou, Hastie & Tibshirani 2007; Tibshirani
& Taylor 2012: for X in general position). ``covariance_df`` estimates df by simulation, which is
how the lecture checks both formulas.

With df in hand, the Gaussian model's criteria (σ² known, or estimated once from the least-squares
fit on every feature) are, for a fit with residual sum of squares RSS on n rows,

    Cp  = RSS/n + 2·df·σ²/n,
    AIC = n·log(2πσ²) + RSS/σ² + 2·df,
    BIC = n·log(2πσ²) + RSS/σ² + log(n)·df.

AIC = (n/σ²)·Cp + n·log(2πσ²): with σ² the same for every model they pick the same one. BIC charges
log n per degree of freedom instead of 2, more from n ≥ 8, so it picks a smaller model.
(scikit-learn's ``LassoLarsIC`` uses the same AIC and BIC, with df counting the weights only.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from regcourse._arrays import check_count, check_xy

__all__ = ["Criteria", "information_criteria", "noise_variance", "CovarianceDF", "covariance_df"]


@dataclass(frozen=True)
class Criteria:
    """Cp, AIC and BIC for each model (arrays of one length), and the σ² they used."""

    rss: np.ndarray
    df: np.ndarray
    n_samples: int
    noise_variance: float
    cp: np.ndarray
    aic: np.ndarray
    bic: np.ndarray


def information_criteria(rss, df, n_samples: int, noise_variance: float) -> Criteria:
    """Cp = RSS/n + 2·df·σ²/n, AIC = n·log(2πσ²) + RSS/σ² + 2·df, BIC with log(n) for 2."""
    n = check_count(n_samples, "n_samples")
    rss = np.atleast_1d(np.asarray(rss, dtype=float))
    df = np.atleast_1d(np.asarray(df, dtype=float))
    if rss.shape != df.shape:
        raise ValueError(f"rss and df must have the same shape, got {rss.shape} and {df.shape}")
    if not (np.all(np.isfinite(rss)) and np.all(rss >= 0)):
        raise ValueError("rss must be finite and >= 0 (a residual sum of squares)")
    if not (np.all(np.isfinite(df)) and np.all(df >= 0)):
        raise ValueError("df must be finite and >= 0 (degrees of freedom)")
    sigma2 = float(noise_variance)
    if not (np.isfinite(sigma2) and sigma2 > 0):
        raise ValueError(f"noise_variance must be a finite number > 0, got {noise_variance!r}")
    fit = n * np.log(2 * np.pi * sigma2) + rss / sigma2
    return Criteria(
        rss=rss,
        df=df,
        n_samples=n,
        noise_variance=sigma2,
        cp=rss / n + 2 * df * sigma2 / n,
        aic=fit + 2 * df,
        bic=fit + np.log(n) * df,
    )


def noise_variance(X, y) -> float:
    """σ̂² = RSS/(n − p − 1) of least squares with an intercept on every feature: unbiased for σ²
    when the linear model with these features is right. Needs n > p + 1."""
    X, y = check_xy(X, y)
    n, p = X.shape
    if n <= p + 1:
        raise ValueError(
            f"noise_variance needs more rows than features + 1 (got n = {n}, p = {p}): with n ≤ p + 1 "
            "least squares fits the data exactly and leaves no residual to estimate σ² from"
        )
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    coef, _, rank, _ = np.linalg.lstsq(Xc, yc, rcond=None)
    return float(np.sum((yc - Xc @ coef) ** 2) / (n - rank - 1))


@dataclass(frozen=True)
class CovarianceDF:
    """df = Σᵢ Cov(ŷᵢ, yᵢ)/σ² estimated over simulated data sets, its standard error, and the mean
    of ``count`` (for example the number of non-zero weights) over the same fits, if given."""

    df: float
    standard_error: float
    mean_count: float | None
    n_sims: int


def covariance_df(
    fit_predict: Callable[[np.ndarray], np.ndarray],
    mean,
    noise: float,
    *,
    n_sims: int = 500,
    count: Callable[[np.ndarray], float] | None = None,
    seed: int = 0,
) -> CovarianceDF:
    """Simulate y = mean + noise·ε n_sims times, fit each (``fit_predict(y)`` returns ŷ, or
    (ŷ, model) when ``count`` is given and ``count(model)`` counts something of the model), and
    estimate df = (1/σ²)·Σᵢ Cov(ŷᵢ, yᵢ) as (1/σ²)·Σᵢ mean over sims of (ŷᵢ − meanᵢ)·(yᵢ − meanᵢ).

    With the known mean each term is unbiased (E[meanᵢ·εᵢ] = 0), and subtracting it from ŷᵢ removes
    most of the simulation noise; the standard error comes from the spread of the per-simulation
    sums."""
    mean = np.asarray(mean, dtype=float)
    if mean.ndim != 1 or mean.size < 2 or not np.all(np.isfinite(mean)):
        raise ValueError("mean must be a finite 1-D array (the noise-free response μ)")
    noise = float(noise)
    if not (np.isfinite(noise) and noise > 0):
        raise ValueError(f"noise must be a finite number > 0 (σ), got {noise!r}")
    n_sims = check_count(n_sims, "n_sims")
    if n_sims < 2:
        raise ValueError("n_sims must be at least 2 to give a standard error")
    from regcourse.selection import check_seed  # selection re-exports ridge_svd, which imports this module

    rng = np.random.default_rng(check_seed(seed))
    sums, counts = np.empty(n_sims), []
    for k in range(n_sims):
        eps = rng.standard_normal(mean.size)
        out = fit_predict(mean + noise * eps)
        if count is not None:
            out, model = out
            counts.append(float(count(model)))
        fitted = np.asarray(out, dtype=float)
        if fitted.shape != mean.shape:
            raise ValueError(f"fit_predict must return {mean.shape[0]} fitted values, got shape {fitted.shape}")
        sums[k] = float((fitted - mean) @ eps) / noise  # Σᵢ (ŷᵢ − μᵢ)·σεᵢ / σ²
    return CovarianceDF(
        df=float(sums.mean()),
        standard_error=float(sums.std(ddof=1) / np.sqrt(n_sims)),
        mean_count=float(np.mean(counts)) if counts else None,
        n_sims=n_sims,
    )
