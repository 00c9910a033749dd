"""Figures of ridge through the SVD: how much each principal direction is shrunk, the effective
degrees of freedom of ridge and the lasso, and the selection criteria side by side."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from regcourse.plots._alt import describe, num, span, words
from regcourse.plots._style import BLACK, BLUE, GREY, MARKERS, VERMILLION, new_axes, series_style, styled


@styled
def shrinkage_factors(X, lams, *, ax=None):
    """sⱼ(λ) = dⱼ²/(dⱼ² + nλ) against λ, one line per principal direction j of the centred X (in the
    legend with its variance gⱼ = dⱼ²/n); a hollow dot marks where each line crosses ½, at λ = gⱼ."""
    from regcourse.ridge_svd import ridge_shrinkage

    lams = np.sort(np.asarray(lams, dtype=float))
    if lams.ndim != 1 or lams.size < 2 or lams[0] <= 0:
        raise ValueError("lams must hold at least two values > 0 (the λ axis is logarithmic)")
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    d, _ = ridge_shrinkage(X, float(lams[0]))
    factors = (d**2)[:, None] / ((d**2)[:, None] + n * lams[None, :])
    variances = d**2 / n
    fig, ax = new_axes(ax, figsize=(7.4, 4.0))
    for j in range(d.size):
        style = series_style(j)
        ax.plot(lams, factors[j], lw=1.6, label=f"PC{j + 1}: variance {num(variances[j], 2)}", **style)
        if lams[0] <= variances[j] <= lams[-1]:
            ax.plot(variances[j], 0.5, "o", color=style["color"], mfc="white", ms=5, zorder=3)
    ax.plot([], [], "o", color=BLACK, mfc="white", ms=5, label="crosses ½ at λ = its variance")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("λ  (← more shrinkage · less shrinkage →)")
    ax.set_ylabel("shrinkage factor d²/(d² + nλ)")
    ax.set_title("Ridge shrinks each principal direction")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    middle = lams.size // 2
    describe(
        ax,
        f"The factor by which ridge shrinks the fit along each of the {d.size} principal directions of the "
        f"centred features, against λ {span(lams)} on a log scale, one line per direction; the directions' "
        f"variances are {words([num(v, 2) for v in variances])}. Every factor falls from near 1 to near 0 as λ "
        f"grows and crosses one half where λ equals the direction's variance (hollow dots), so a direction of "
        f"small variance falls first: at λ = {num(lams[middle])} the largest-variance direction keeps "
        f"{num(factors[0, middle], 2)} of its fit and the smallest keeps {num(factors[-1, middle], 2)}.",
    )
    return fig


@styled
def degrees_of_freedom_curves(X, y, lams, *, simulated: Mapping[str, list] | None = None, ax=None):
    """Ridge's df(λ) = 1 + Σ dⱼ²/(dⱼ² + nλ) (a line) and the lasso's 1 + number of non-zero weights
    along its path (steps), against λ; ``simulated`` adds estimates of the covariance definition of
    df as points with ±2 standard-error bars: {"ridge": [(λ, df, se), …], "lasso": [...]}."""
    from regcourse.linear import path
    from regcourse.ridge_svd import ridge_df

    lams = np.sort(np.asarray(lams, dtype=float))[::-1]
    if lams.ndim != 1 or lams.size < 2 or lams[-1] <= 0:
        raise ValueError("lams must hold at least two values > 0 (the λ axis is logarithmic)")
    X = np.asarray(X, dtype=float)
    ridge = ridge_df(X, lams)
    lasso = 1 + np.count_nonzero(path(X, y, "l1", lams).coefs, axis=1)
    fig, ax = new_axes(ax, figsize=(6.4, 4.0))
    ax.plot(lams, ridge, color=BLUE, ls="--", lw=1.8, label="ridge: 1 + Σ d²/(d² + nλ)")
    ax.step(lams, lasso, where="mid", color=VERMILLION, lw=1.6, label="lasso: 1 + number of non-zero weights")
    marks = {"ridge": (BLUE, "s"), "lasso": (VERMILLION, "o")}
    described = []
    for kind, points in (simulated or {}).items():
        if kind not in marks:
            raise ValueError(f"simulated keys must be 'ridge' or 'lasso', got {kind!r}")
        points = np.asarray(points, dtype=float).reshape(-1, 3)
        colour, marker = marks[kind]
        ax.errorbar(points[:, 0], points[:, 1], yerr=2 * points[:, 2], fmt="none", ecolor=colour, capsize=3)
        ax.plot(
            points[:, 0],
            points[:, 1],
            marker,
            color=colour,
            mfc="white",
            ms=6,
            label=f"{kind}: Σ Cov(ŷᵢ, yᵢ)/σ², simulated (±2 s.e.)",
        )
        described.append(
            f"{kind} at λ = {words([num(lam) for lam in points[:, 0]])}: {words([num(v, 3) for v in points[:, 1]])}"
        )
    ax.axhline(X.shape[1] + 1, color=GREY, ls=":", lw=1.2)
    ax.axhline(1, color=GREY, ls=":", lw=1.2)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ  (← simpler · more flexible →)")
    ax.set_ylabel("degrees of freedom")
    ax.set_title("How many parameters the fit uses")
    ax.legend(fontsize=8, loc="lower right")
    text = (
        f"Degrees of freedom against λ {span(lams)} on a log scale, between dotted lines at 1 (the intercept "
        f"alone) and p + 1 = {X.shape[1] + 1}. Ridge's df (dashed) falls smoothly from {num(ridge[-1])} to "
        f"{num(ridge[0])}; the lasso's 1 + number of non-zero weights (steps) falls from {lasso[-1]} to "
        f"{lasso[0]} in whole steps."
    )
    if described:
        text += " Simulated estimates of the covariance definition (points with error bars): " + "; ".join(described)
        text += "."
    describe(ax, text)
    return fig


@styled
def criteria_curves(lams, curves: Mapping[str, np.ndarray], *, test_error=None, ax=None):
    """Estimates of the prediction error against λ (``curves``: a name → one value per λ, all on
    the MSE scale), each with its minimum marked, and the error measured on new data if given."""
    lams = np.asarray(lams, dtype=float)
    if lams.ndim != 1 or lams.size < 2 or np.any(lams <= 0):
        raise ValueError("lams must hold at least two values > 0 (the λ axis is logarithmic)")
    if not curves:
        raise ValueError("curves must name at least one criterion")
    fig, ax = new_axes(ax, figsize=(6.6, 4.2))
    described = []
    for i, (name, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != lams.shape:
            raise ValueError(f"curve {name!r} has {values.size} values for {lams.size} λ")
        style = series_style(i)
        best = int(np.nanargmin(np.where(np.isfinite(values), values, np.nan)))
        ax.plot(lams, values, lw=1.6, **style)
        ax.plot(
            lams[best],
            values[best],
            MARKERS[i % len(MARKERS)],
            color=style["color"],
            ms=8,
            mfc="white",
            mew=1.6,
            ls=style["ls"],
            label=f"{name}: lowest at λ = {num(lams[best])}",
        )
        described.append(f"{name} lowest at λ = {num(lams[best])} ({num(values[best])})")
    if test_error is not None:
        test_error = np.asarray(test_error, dtype=float)
        best = int(np.argmin(test_error))
        ax.plot(
            lams, test_error, color=BLACK, ls=":", lw=2.4, label=f"test MSE (new data): lowest at λ = {num(lams[best])}"
        )
        described.append(f"the error measured on new data lowest at λ = {num(lams[best])} ({num(test_error[best])})")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ  (← simpler · more flexible →)")
    ax.set_ylabel("estimated prediction error (MSE)")
    ax.set_title("Choosing λ: criteria side by side")
    ax.legend(fontsize=8)
    describe(
        ax,
        f"{len(curves)} estimates of the prediction error against λ {span(lams)} on a log scale, each with its "
        f"minimum marked by a hollow marker: " + "; ".join(described) + ".",
    )
    return fig


__all__ = ["shrinkage_factors", "degrees_of_freedom_curves", "criteria_curves"]
