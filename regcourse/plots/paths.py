"""Coefficient paths: every weight against log λ."""

from __future__ import annotations

import numpy as np

from regcourse.plots._style import PALETTE, new_axes, styled


@styled
def coefficient_path(path, feature_names=None, *, mark_lam: float | None = None, ax=None):
    """Coefficients against λ (log scale, λ decreasing to the right) from ``regcourse.linear.path``.

    Each line is labelled with its feature (``feature_names``, else the column names the path
    carries from a DataFrame, else w1, w2, …) right of its end, the labels spread apart so that
    none overlaps another, each joined to its line by a leader line; the top axis counts the non-zero
    coefficients. ``mark_lam`` draws a vertical line (a chosen λ).
    """
    check_path(path)
    check_feature_names(feature_names, path.coefs.shape[1])
    if mark_lam is not None:
        from regcourse._arrays import as_real_number

        if as_real_number(mark_lam, "mark_lam") <= 0:
            raise ValueError(f"mark_lam must be a λ > 0 (the axis is logarithmic), got {mark_lam}")
    fig, ax = new_axes(ax, figsize=(6.2, 4.2))
    order = np.argsort(path.lams)[::-1]
    lams, coefs = path.lams[order], path.coefs[order]
    if feature_names is None:  # a path fitted on a DataFrame carries its column names
        feature_names = getattr(path, "feature_names", None)
    names = list(feature_names) if feature_names is not None else [f"w{j + 1}" for j in range(coefs.shape[1])]
    from regcourse.plots._labels import EndLabels  # imports matplotlib: only when drawing

    colours = [PALETTE[j % len(PALETTE)] for j in range(coefs.shape[1])]
    for j, colour in enumerate(colours):
        ax.plot(lams, coefs[:, j], color=colour, lw=1.5)
    EndLabels(ax, np.full(len(names), lams[-1]), coefs[-1], names, colours)  # spread apart, never overlapping
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


def check_path(path, name: str = "path") -> None:
    """A TypeError naming ``name`` unless it looks like the result of ``regcourse.linear.path``."""
    lams, coefs = getattr(path, "lams", None), getattr(path, "coefs", None)
    if lams is None or coefs is None or not hasattr(path, "kind"):
        raise TypeError(f"{name} must be the result of regcourse.linear.path(...), got {type(path).__name__}")
    lams, coefs = np.asarray(lams), np.asarray(coefs)
    if lams.ndim != 1 or lams.size == 0 or coefs.ndim != 2 or coefs.shape[0] != lams.size:
        raise ValueError(f"{name} must hold one row of coefficients per λ, got lams of shape {lams.shape} "
                         f"and coefs of shape {coefs.shape}")


def check_feature_names(feature_names, p: int, name: str = "feature_names") -> None:
    """An error naming ``name`` unless it is None or holds exactly one label per coefficient."""
    if feature_names is None:
        return
    if isinstance(feature_names, (str, bytes)) or not hasattr(feature_names, "__len__"):
        raise TypeError(f"{name} must be a list of {p} names, one per coefficient, got {feature_names!r:.60}")
    if len(feature_names) != p:
        raise ValueError(f"{name} must have one name per coefficient: {p} expected, got {len(feature_names)}")


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
