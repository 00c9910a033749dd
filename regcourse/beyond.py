"""Regularizers that are not a penalty term, and the penalties they amount to.

All under the course's objective, the mean squared error (1/n)·Σ(yᵢ − xᵢ·w − b)² with the
intercept b unpenalized (the data are centred, so b = ȳ − x̄·w throughout).

Early stopping. Gradient descent on the MSE from w = 0 with step η takes
w ← w + 2η·(c − Gw), with G = XcᵀXc/n and c = Xcᵀyc/n (the 2 is the MSE's own). Along an
eigenvector of G with eigenvalue s, after k steps it has reached the fraction
1 − (1 − 2ηs)ᵏ of the least-squares weight; ridge with strength λ reaches s/(s + λ). Both are
≈ 1 for s ≫ λ and ≈ 0 for s ≪ λ, and with λ = 1/(2ηk) and t = 2ηks they read 1 − e⁻ᵗ (for
small steps, (1 − 2ηs)ᵏ ≈ e^(−2ηks)) and t/(1 + t). Since e⁻ᵗ ≤ 1/(1 + t), and the ratio
(1 − e⁻ᵗ)(1 + t)/t is at most 1.298 (at t ≈ 1.79), stopping after k steps acts like ridge with

    λ ≈ 1/(2·η·k)            (under ½·MSE + (λ/2)‖w‖² the 2 disappears: λ ≈ 1/(η·k))

in this precise sense: along every eigenvector of G, the early-stopped weight is at least the
ridge weight and at most about 1.3 times it. Assumptions: w starts at 0; the step is stable
(2ηs_max < 1, which gives the lower bound for any such step, since 1 − a ≤ e⁻ᵃ); the upper bound
is the small-step limit. tests/test_beyond.py checks both bounds on random problems.

Noise injection. Adding independent noise ε with mean 0 and covariance σ²I to the inputs and
averaging the squared error over it gives exactly the ridge objective with λ = σ²:

    E_ε (1/n)·Σ(yᵢ − (xᵢ + εᵢ)·w − b)² = (1/n)·Σ(yᵢ − xᵢ·w − b)² + σ²·‖w‖²,

because the cross term has mean 0 and E(εᵢ·w)² = σ²‖w‖².

Dropout on a linear model. Inverted dropout keeps each input with probability 1 − q and scales
the kept ones by 1/(1 − q), so x̃ has mean x and Var(x̃ⱼ) = q/(1 − q)·xⱼ². Averaged over the masks,

    E (1/n)·Σ(yᵢ − x̃ᵢ·w − b)² = (1/n)·Σ(yᵢ − xᵢ·w − b)² + Σⱼ λⱼ·wⱼ²,   λⱼ = q/(1 − q)·(1/n)·Σᵢ xᵢⱼ²,

a ridge penalty whose strength differs per feature and depends on the data (on the raw,
uncentred inputs, since dropout zeroes raw inputs).

The bias–variance trade-off. Over many training sets drawn from the same truth, the expected
squared error of a prediction at x splits into bias² (how far the average fit is from the
truth) + variance (how much the fit moves between training sets) + the noise σ².
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from regcourse._arrays import check_count, check_nonnegative, check_xy

__all__ = [
    "early_stopping_epoch",
    "lp_ball",
    "shift_image",
    "lp_ball_minimizer",
    "gradient_descent_path",
    "early_stopping_lam",
    "ridge_solution",
    "ridge_path_coefs",
    "closest_ridge_lam",
    "noisy_copies",
    "noise_design",
    "dropout_lams",
    "dropout_expected_design",
    "fit_generalized_ridge",
    "BiasVariance",
    "bias_variance_ridge",
]


def _centred(X, y):
    X, y = check_xy(X, y)
    x_mean, y_mean = X.mean(axis=0), float(y.mean())
    return X - x_mean, y - y_mean, x_mean, y_mean


def _positive(value, name: str) -> float:
    value = check_nonnegative(value, name)
    if value == 0:
        raise ValueError(f"{name} must be positive, got 0")
    return value


# --- early stopping ---------------------------------------------------------------------


def gradient_descent_path(X, y, step: float, n_steps: int) -> np.ndarray:
    """The weights after 0, 1, …, n_steps steps of gradient descent on the MSE from w = 0.

    w ← w + 2·step·(c − Gw); returns an array of shape (n_steps + 1, p). Raises when the step is
    unstable (2·step·s_max ≥ 2, where the iterates would blow up)."""
    Xc, yc, _, _ = _centred(X, y)
    step = _positive(step, "step")
    n_steps = check_count(n_steps, "n_steps")
    n, p = Xc.shape
    G, c = Xc.T @ Xc / n, Xc.T @ yc / n
    s_max = float(np.linalg.eigvalsh(G)[-1])
    if 2.0 * step * s_max >= 2.0:
        raise ValueError(
            f"step={step:g} is too large for these data: gradient descent needs step < "
            f"1/s_max = {1.0 / s_max:.4g} (s_max, the largest eigenvalue of XcᵀXc/n)"
        )
    weights = np.zeros((n_steps + 1, p))
    w = np.zeros(p)
    for k in range(1, n_steps + 1):
        w = w + 2.0 * step * (c - G @ w)
        weights[k] = w
    return weights


def early_stopping_lam(step: float, n_steps) -> np.ndarray | float:
    """The ridge strength that k = n_steps steps of size ``step`` roughly amount to: 1/(2·step·k)
    (per eigen-direction of G the early-stopped weight lies between 1 and ≈1.3 times the ridge
    weight at this λ; see the module's docstring)."""
    step = _positive(step, "step")
    k = np.asarray(n_steps, dtype=float)
    if np.any(k <= 0) or not np.all(np.isfinite(k)):
        raise ValueError("n_steps must be positive")
    lam = 1.0 / (2.0 * step * k)
    return float(lam) if lam.ndim == 0 else lam


def ridge_solution(X, y, lam: float) -> np.ndarray:
    """The ridge weights: (G + λI)w = c on the centred data."""
    return ridge_path_coefs(X, y, [lam])[0]


def ridge_path_coefs(X, y, lams) -> np.ndarray:
    """Ridge weights for each λ, shape (len(lams), p), by one eigendecomposition of G."""
    Xc, yc, _, _ = _centred(X, y)
    n = Xc.shape[0]
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    if np.any(lams < 0) or not np.all(np.isfinite(lams)):
        raise ValueError("lams must be finite and non-negative")
    s, V = np.linalg.eigh(Xc.T @ Xc / n)
    s = np.maximum(s, 0.0)
    projected = V.T @ (Xc.T @ yc / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        filtered = np.where(s[None, :] + lams[:, None] > 0, projected[None, :] / (s[None, :] + lams[:, None]), 0.0)
    return filtered @ V.T


def closest_ridge_lam(X, y, w, lams) -> float:
    """The λ among ``lams`` whose ridge solution is nearest to w (Euclidean distance)."""
    lams = np.asarray(lams, dtype=float)
    coefs = ridge_path_coefs(X, y, lams)
    return float(lams[np.argmin(np.linalg.norm(coefs - np.asarray(w, dtype=float), axis=1))])


def early_stopping_epoch(val_losses, patience: int) -> tuple[int, int]:
    """(best, stop): the epoch with the lowest validation loss seen when training stops, and the
    epoch at which it stops — the first one after ``patience`` epochs without a new best (or the
    last epoch). Epochs are counted from 0; ties keep the earlier epoch."""
    losses = np.asarray(val_losses, dtype=float)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"val_losses must be a non-empty 1-D sequence, got shape {losses.shape}")
    if not np.all(np.isfinite(losses)):
        raise ValueError("val_losses contains NaN or an infinite value")
    patience = check_count(patience, "patience")
    best = 0
    for epoch in range(1, losses.size):
        if losses[epoch] < losses[best]:
            best = epoch
        elif epoch - best >= patience:
            return best, epoch
    return best, losses.size - 1


def lp_ball(p: float, radius: float = 1.0, n: int = 721) -> np.ndarray:
    """Boundary points (n × 2) of {w ∈ R²: |w₁|ᵖ + |w₂|ᵖ ≤ radius} for p > 0, and of the square
    max(|w₁|, |w₂|) ≤ radius for p = inf (a bound on each weight: clipping). For p ≤ 1 the ball has
    corners on the axes (and is not convex for p < 1); for p > 1 it is smooth."""
    p = float(p)
    if not (p > 0):
        raise ValueError(f"p must be positive (or inf), got {p}")
    radius = check_nonnegative(radius, "radius")
    angle = np.linspace(0.0, 2.0 * np.pi, check_count(n, "n"))
    c, s = np.cos(angle), np.sin(angle)
    if math.isinf(p):
        scale = radius / np.maximum(np.abs(c), np.abs(s))
    else:
        scale = (radius / (np.abs(c) ** p + np.abs(s) ** p)) ** (1.0 / p)
    return np.column_stack([scale * c, scale * s])


def lp_ball_minimizer(H, centre, p: float, budget: float = 1.0, n: int = 4001) -> np.ndarray:
    """The point of the ball |w₁|ᵖ + |w₂|ᵖ ≤ budget nearest to ``centre`` in the metric of H, i.e.
    the minimizer of the quadratic loss (w − centre)ᵀH(w − centre) over the ball (H symmetric
    positive definite, 2 × 2). When the centre lies outside, the minimizer lies on the boundary
    (a convex loss has no other local minimum), which is searched on ``n`` points plus the four
    points on the axes, so a corner is returned exactly (one weight exactly 0). Works for p < 1,
    where the ball is not convex and a gradient method could stop at a local minimum."""
    H = np.asarray(H, dtype=float)
    centre = np.asarray(centre, dtype=float)
    if H.shape != (2, 2) or centre.shape != (2,):
        raise ValueError(f"H must be 2 × 2 and centre a pair, got shapes {H.shape} and {centre.shape}")
    p, budget = float(p), check_nonnegative(budget, "budget")
    if not (p > 0):
        raise ValueError(f"p must be positive (or inf), got {p}")
    size = float(np.max(np.abs(centre))) if math.isinf(p) else float(np.sum(np.abs(centre) ** p))
    if size <= budget:
        return centre.copy()
    reach = budget if math.isinf(p) else budget ** (1.0 / p)
    axes = reach * np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    candidates = np.vstack([lp_ball(p, budget, n), axes])
    d = candidates - centre
    return candidates[int(np.argmin(np.einsum("ij,jk,ik->i", d, H, d)))].copy()


def shift_image(image, down: int = 0, right: int = 0) -> np.ndarray:
    """The image moved ``down`` rows and ``right`` columns (negative: up, left), with the pixels
    that enter from the border set to 0 and those that leave dropped: a data-augmentation copy
    that keeps its label."""
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (rows × columns), got shape {image.shape}")
    for name, value in (("down", down), ("right", right)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer number of pixels, got {value!r}")
    rows, cols = image.shape
    shifted = np.zeros_like(image)
    if abs(down) < rows and abs(right) < cols:
        target = (slice(max(down, 0), rows + min(down, 0)), slice(max(right, 0), cols + min(right, 0)))
        source = (slice(max(-down, 0), rows + min(-down, 0)), slice(max(-right, 0), cols + min(-right, 0)))
        shifted[target] = image[source]
    return shifted


# --- noise injection ------------------------------------------------------------------------


def noisy_copies(X, y, sigma: float, copies: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``copies`` copies of the data, each input row with fresh Gaussian noise of std ``sigma``."""
    X, y = check_xy(X, y)
    sigma = check_nonnegative(sigma, "sigma")
    copies = check_count(copies, "copies")
    rng = np.random.default_rng(seed)
    X_big = np.tile(X, (copies, 1))
    return X_big + sigma * rng.standard_normal(X_big.shape), np.tile(y, copies)


def noise_design(X, y, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Every row perturbed by ±σ√p·eⱼ for each feature j: 2p copies whose noise has mean exactly 0
    and covariance exactly σ²I, so least squares on them is exactly ridge with λ = σ²."""
    X, y = check_xy(X, y)
    sigma = check_nonnegative(sigma, "sigma")
    n, p = X.shape
    shifts = sigma * math.sqrt(p) * np.vstack([np.eye(p), -np.eye(p)])  # (2p, p)
    X_big = (X[None, :, :] + shifts[:, None, :]).reshape(2 * p * n, p)
    return X_big, np.tile(y, 2 * p)


# --- dropout -------------------------------------------------------------------------------


def _check_drop(drop_prob) -> float:
    drop_prob = check_nonnegative(drop_prob, "drop_prob")
    if drop_prob >= 1:
        raise ValueError(f"drop_prob must be in [0, 1), got {drop_prob}")
    return drop_prob


def dropout_lams(X, drop_prob: float) -> np.ndarray:
    """λⱼ = q/(1 − q)·(1/n)·Σᵢ xᵢⱼ²: the per-feature ridge that inverted dropout amounts to."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (samples × features), got shape {X.shape}")
    q = _check_drop(drop_prob)
    return q / (1.0 - q) * np.mean(X**2, axis=0)


def dropout_expected_design(X, y, drop_prob: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row under every one of the 2^p dropout masks, with each mask's probability as a
    weight: (X_masked, y_repeated, weights). Weighted least squares on it minimizes the exact
    expectation over the masks. For small p only (2^p copies)."""
    X, y = check_xy(X, y)
    q = _check_drop(drop_prob)
    n, p = X.shape
    if p > 12:
        raise ValueError(f"X has p={p} features; enumerating 2^p masks is for p ≤ 12")
    masks = np.array(list(itertools.product((0.0, 1.0), repeat=p)))  # (2^p, p); 1 = kept
    kept = masks.sum(axis=1)
    probability = (1.0 - q) ** kept * q ** (p - kept)
    scaled = masks / (1.0 - q)
    X_big = (X[None, :, :] * scaled[:, None, :]).reshape(-1, p)
    return X_big, np.tile(y, len(masks)), np.repeat(probability, n)


def fit_generalized_ridge(X, y, lams) -> tuple[np.ndarray, float]:
    """Minimize MSE + Σⱼ λⱼ·wⱼ² with an unpenalized intercept; returns (coef, intercept)."""
    Xc, yc, x_mean, y_mean = _centred(X, y)
    n, p = Xc.shape
    lams = np.broadcast_to(np.asarray(lams, dtype=float), (p,))
    if np.any(lams < 0) or not np.all(np.isfinite(lams)):
        raise ValueError("lams must be finite and non-negative, one per feature")
    w = np.linalg.solve(Xc.T @ Xc / n + np.diag(lams), Xc.T @ yc / n)
    return w, y_mean - float(x_mean @ w)


# --- bias and variance ----------------------------------------------------------------------


@dataclass(frozen=True)
class BiasVariance:
    """Per λ, averaged over the test inputs: bias², variance, the noise σ², and the test MSE
    measured on fresh noisy targets (which bias² + variance + σ² predicts)."""

    lams: np.ndarray
    bias2: np.ndarray
    variance: np.ndarray
    noise: float
    test_mse: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.bias2 + self.variance + self.noise

    @property
    def best_lam(self) -> float:
        return float(self.lams[np.argmin(self.total)])


def bias_variance_ridge(
    lams,
    *,
    n_train: int = 30,
    n_features: int = 20,
    noise: float = 1.0,
    n_sets: int = 300,
    n_test: int = 200,
    seed: int = 0,
) -> BiasVariance:
    """Ridge on ``n_sets`` training sets from one linear truth y = x·w* + ε (x ~ N(0, I),
    ε ~ N(0, noise²), w* fixed by the seed); bias² and variance of its predictions at fixed
    test inputs, per λ."""
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    if np.any(lams < 0) or not np.all(np.isfinite(lams)):
        raise ValueError("lams must be finite and non-negative")
    n_train = check_count(n_train, "n_train")
    n_sets = check_count(n_sets, "n_sets")
    noise = check_nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    w_true = rng.normal(scale=0.5, size=n_features)
    X_test = rng.standard_normal((n_test, n_features))
    f_test = X_test @ w_true
    predictions = np.empty((len(lams), n_sets, n_test))
    for s in range(n_sets):
        X = rng.standard_normal((n_train, n_features))
        y = X @ w_true + noise * rng.standard_normal(n_train)
        coefs = ridge_path_coefs(X, y, lams)
        intercepts = y.mean() - coefs @ X.mean(axis=0)
        predictions[:, s, :] = coefs @ X_test.T + intercepts[:, None]
    mean_prediction = predictions.mean(axis=1)
    bias2 = np.mean((mean_prediction - f_test) ** 2, axis=1)
    variance = np.mean(predictions.var(axis=1), axis=1)
    fresh = f_test + noise * rng.standard_normal((n_sets, n_test))
    test_mse = np.mean((predictions - fresh[None, :, :]) ** 2, axis=(1, 2))
    return BiasVariance(lams, bias2, variance, noise**2, test_mse)
