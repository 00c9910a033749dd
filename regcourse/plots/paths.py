"""Coefficient paths: every weight against log λ."""

from __future__ import annotations

import numpy as np

from regcourse.plots._style import PALETTE, new_axes, styled


@styled
def coefficient_path(path, feature_names=None, *, mark_lam: float | None = None, ax=None):
    """Coefficients against λ (log scale, λ decreasing to the right) from ``regcourse.linear.path``.

    Each line is labelled with its feature at the right end; the top axis counts the non-zero
    coefficients. ``mark_lam`` draws a vertical line (a chosen λ).
    """
    fig, ax = new_axes(ax, figsize=(6.2, 4.2))
    order = np.argsort(path.lams)[::-1]
    lams, coefs = path.lams[order], path.coefs[order]
    names = list(feature_names) if feature_names is not None else [f"w{j + 1}" for j in range(coefs.shape[1])]
    for j in range(coefs.shape[1]):
        colour = PALETTE[j % len(PALETTE)]
        ax.plot(lams, coefs[:, j], color=colour, lw=1.5)
        ax.annotate(names[j], (lams[-1], coefs[-1, j]), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8, color=colour)
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ  (strong penalty ← → weak penalty)")
    ax.set_ylabel("coefficient")
    kind = {"l1": "lasso", "l2": "ridge", "elastic_net": "elastic net"}[path.kind]
    ax.set_title(f"The {kind} path")
    counts = np.count_nonzero(coefs, axis=1)
    top = ax.secondary_xaxis("top")
    ticks = lams[np.linspace(0, len(lams) - 1, min(6, len(lams))).astype(int)]
    top.set_xticks(ticks)
    top.set_xticklabels([str(int(counts[np.argmin(np.abs(lams - t))])) for t in ticks])
    top.set_xlabel("non-zero coefficients", fontsize=9)
    if mark_lam is not None:
        ax.axvline(mark_lam, color="0.2", ls="--", lw=1.2)
    return fig
