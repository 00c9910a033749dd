"""Coefficient paths: every weight against log λ."""

from __future__ import annotations

import numpy as np

from regcourse.plots._style import PALETTE, new_axes, styled


@styled
def coefficient_path(path, feature_names=None, *, mark_lam: float | None = None, ax=None):
    """Coefficients against λ (log scale, λ decreasing to the right) from ``regcourse.linear.path``.

    Each line is labelled with its feature at the right end (``feature_names``, else the column
    names the path carries from a DataFrame, else w1, w2, …); the top axis counts the non-zero
    coefficients. ``mark_lam`` draws a vertical line (a chosen λ).
    """
    fig, ax = new_axes(ax, figsize=(6.2, 4.2))
    order = np.argsort(path.lams)[::-1]
    lams, coefs = path.lams[order], path.coefs[order]
    if feature_names is None:  # a path fitted on a DataFrame carries its column names
        feature_names = getattr(path, "feature_names", None)
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


_FIT_MARKERS = ("o", "x", "s", "^", "D", "v")


@styled
def path_with_fits(path, fits: dict, feature_names=None, *, ax=None):
    """The course's coefficient path (lines) with another tool's fits on top of it (markers).

    ``fits`` maps a legend label to ``(lams, coefs)``: the course λ each fit's settings were
    converted from, and the coefficients the tool returned, of shape (len(lams), p). Every
    marker takes its feature's colour and sits at its λ, so a tool that solves the course's
    problem puts its markers on the lines, and a wrong conversion puts them beside the lines.
    The fits get circles, crosses, squares, … in the order of ``fits`` (at most six).
    """
    if not isinstance(fits, dict) or not 1 <= len(fits) <= len(_FIT_MARKERS):
        raise ValueError(f"fits must be a dict of 1 to {len(_FIT_MARKERS)} label: (lams, coefs) items, got {fits!r}")
    p = path.coefs.shape[1]
    fig, ax = new_axes(ax, figsize=(6.4, 4.4))
    coefficient_path(path, feature_names, ax=ax)
    for (label, (lams, coefs)), marker in zip(fits.items(), _FIT_MARKERS):
        lams, coefs = np.asarray(lams, dtype=float).ravel(), np.asarray(coefs, dtype=float)
        if coefs.shape != (len(lams), p):
            raise ValueError(f"fits[{label!r}]: coefs must have shape (len(lams), {p}) = ({len(lams)}, {p}), "
                             f"got {coefs.shape}")
        for j in range(p):
            ax.scatter(lams, coefs[:, j], zorder=3, **_marker_style(marker, PALETTE[j % len(PALETTE)]))
        ax.scatter([], [], label=label, **_marker_style(marker, "0.3"))
    ax.legend(loc="best", fontsize=8)
    return fig


def _marker_style(marker: str, colour: str) -> dict:
    """Hollow filled markers (the line shows through), or a coloured cross."""
    if marker in ("x", "+"):
        return {"marker": marker, "s": 36, "linewidths": 1.4, "color": colour}
    return {"marker": marker, "s": 36, "linewidths": 1.4, "facecolors": "none", "edgecolors": colour}
