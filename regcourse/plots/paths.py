"""Coefficient paths: every weight against log λ."""

from __future__ import annotations

import numpy as np

from regcourse.plots._alt import describe, num, plural, words
from regcourse.plots._style import GREY, new_axes, series_style, styled

KIND_WORDS = {"l1": "lasso", "l2": "ridge", "elastic_net": "elastic net"}


@styled
def coefficient_path(path, feature_names=None, *, mark_lam: float | None = None, ax=None):
    """Coefficients against λ (log scale, λ decreasing to the right) from ``regcourse.linear.path``.

    Each line is labelled with its feature (``feature_names``, else the column names the path
    carries from a DataFrame, else w1, w2, …) right of its end, the labels spread apart so that
    none overlaps another, each joined to its line by a leader line; the top axis counts the non-zero
    coefficients. ``mark_lam`` draws a vertical line (a chosen λ). Lines take the course's series
    colours and line styles in turn (``_style.series_style``), so no two share both; a feature
    whose name is "" is drawn as a thin grey line without a label (the background of the picture).
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

    styles = feature_styles(names)
    for j, style in enumerate(styles):
        if style is None:
            ax.plot(lams, coefs[:, j], color=GREY, lw=0.7, alpha=0.6, zorder=1)
        else:
            ax.plot(lams, coefs[:, j], lw=1.6, zorder=2, gid=f"series:{names[j]}", **style)  # gid: tests find it
    shown = [j for j, style in enumerate(styles) if style is not None]
    EndLabels(
        ax,
        np.full(len(shown), lams[-1]),
        coefs[-1, shown],
        [names[j] for j in shown],
        [styles[j]["color"] for j in shown],
    )  # spread apart, never overlapping
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
    describe(ax, path_alt(path.kind, lams, coefs, names, mark_lam))
    return fig


def feature_styles(names) -> list:
    """``ax.plot`` keywords for each feature's line: the series styles in turn for named
    features, None for a feature named "" (drawn as background)."""
    styles, i = [], 0
    for name in names:
        if str(name) == "":
            styles.append(None)
        else:
            styles.append(series_style(i))
            i += 1
    return styles


def _entry(lams, column) -> float | None:
    """The largest λ (λ decreasing along ``lams``) from which a coefficient is non-zero to the end."""
    nonzero = column != 0
    if not nonzero[-1]:
        return None
    zeros = np.flatnonzero(~nonzero)
    return float(lams[zeros[-1] + 1]) if zeros.size else float(lams[0])


def path_alt(kind: str, lams, coefs, names, mark_lam=None) -> str:
    """The alt text of a coefficient path (λ decreasing along ``lams``)."""
    p = coefs.shape[1]
    named = [j for j in range(p) if str(names[j]) != ""]
    label = {j: str(names[j]) for j in named}
    text = (
        f"The {KIND_WORDS[kind]} path: {plural(p, 'coefficient')} against λ, from {num(lams[0])} down to "
        f"{num(lams[-1])} on a log scale (the penalty weakens to the right)"
    )
    if len(named) < p:
        text += (
            f"; the {len(named)} labelled features ({words(label[j] for j in named)}) in colour, "
            f"the other {p - len(named)} in grey"
        )
    text += "."
    counts = np.count_nonzero(coefs, axis=1)
    if kind == "l2":
        text += (
            " No coefficient is exactly 0 at any λ: all shrink smoothly towards 0 as λ grows, the largest"
            f" in size being {num(np.abs(coefs[0]).max())} at the largest λ."
        )
    else:
        entries = sorted(
            ((_entry(lams, coefs[:, j]), j) for j in named if _entry(lams, coefs[:, j]) is not None),
            key=lambda item: -item[0],
        )
        if entries:
            listed = [f"{label[j]} at λ = {num(lam)}" for lam, j in entries[:5]]
            text += f" Labelled features enter in the order {words(listed)}"
            text += f", and {len(entries) - 5} more after them." if len(entries) > 5 else "."
        never = [label[j] for j in named if _entry(lams, coefs[:, j]) is None]
        if never:
            text += f" {words(never)} {'is' if len(never) == 1 else 'are'} still 0 at the smallest λ."
        text += f" The number of non-zero coefficients grows from {counts[0]} to {counts[-1]}."
    biggest = sorted(named, key=lambda j: -abs(coefs[-1, j]))[:3]
    if biggest:
        text += " At the smallest λ the largest are " + words(f"{label[j]} {num(coefs[-1, j])}" for j in biggest) + "."
    if mark_lam is not None:
        at = int(np.argmin(np.abs(np.log(lams) - np.log(mark_lam))))
        chosen = [label[j] for j in named if coefs[at, j] != 0]
        text += (
            f" A dashed line marks λ = {num(mark_lam)}, where {plural(int(counts[at]), 'coefficient')} "
            f"{'is' if counts[at] == 1 else 'are'} non-zero" + (f", among them {words(chosen)}" if chosen else "") + "."
        )
    return text


def check_path(path, name: str = "path") -> None:
    """A TypeError naming ``name`` unless it looks like the result of ``regcourse.linear.path``."""
    lams, coefs = getattr(path, "lams", None), getattr(path, "coefs", None)
    if lams is None or coefs is None or not hasattr(path, "kind"):
        raise TypeError(f"{name} must be the result of regcourse.linear.path(...), got {type(path).__name__}")
    lams, coefs = np.asarray(lams), np.asarray(coefs)
    if lams.ndim != 1 or lams.size == 0 or coefs.ndim != 2 or coefs.shape[0] != lams.size:
        raise ValueError(
            f"{name} must hold one row of coefficients per λ, got lams of shape {lams.shape} "
            f"and coefs of shape {coefs.shape}"
        )


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
    styles = feature_styles(
        list(feature_names)
        if feature_names is not None
        else (getattr(path, "feature_names", None) or [f"w{j + 1}" for j in range(p)])
    )
    gaps = {}
    order = np.argsort(path.lams)
    for (label, (lams, coefs)), marker in zip(fits.items(), _FIT_MARKERS):
        lams, coefs = np.asarray(lams, dtype=float).ravel(), np.asarray(coefs, dtype=float)
        if coefs.shape != (len(lams), p):
            raise ValueError(
                f"fits[{label!r}]: coefs must have shape (len(lams), {p}) = ({len(lams)}, {p}), got {coefs.shape}"
            )
        for j in range(p):
            colour = styles[j]["color"] if styles[j] else GREY
            ax.scatter(lams, coefs[:, j], zorder=3, **_marker_style(marker, colour))
        ax.scatter([], [], label=label, **_marker_style(marker, "black"))  # a key to the shape, in no feature's colour
        on_path = np.column_stack(
            [np.interp(np.log(lams), np.log(path.lams[order]), path.coefs[order, j]) for j in range(p)]
        )
        gaps[label] = float(np.abs(coefs - on_path).max())
    ax.legend(loc="best", fontsize=8)
    scale = float(np.abs(path.coefs).max()) or 1.0
    describe(
        ax,
        ax.regcourse_alt + f" Markers show another tool's fits at {len(next(iter(fits.values()))[0])} "
        "values of λ, in each feature's colour. "
        + " ".join(
            f"{label} ({_FIT_SHAPES[marker]}): {'on the lines' if gaps[label] <= 0.01 * scale else 'off the lines'}"
            f", at most {num(gaps[label])} from them."
            for label, marker in zip(fits, _FIT_MARKERS)
        ),
    )
    return fig


_FIT_SHAPES = {"o": "circles", "x": "crosses", "s": "squares", "^": "triangles", "D": "diamonds", "v": "down triangles"}


def _marker_style(marker: str, colour: str) -> dict:
    """Hollow filled markers (the line shows through), or a coloured cross."""
    if marker in ("x", "+"):
        return {"marker": marker, "s": 36, "linewidths": 1.4, "color": colour}
    return {"marker": marker, "s": 36, "linewidths": 1.4, "facecolors": "none", "edgecolors": colour}
