"""Figures of what comes after the lasso (chapter 12): the one-dimensional thresholding rules,
a non-convex objective with two minima, the group lasso against the lasso on one-hot columns,
and stability selection's frequencies."""

from __future__ import annotations

import numpy as np

from regcourse.plots._alt import describe, num, plural, words
from regcourse.plots._style import BLACK, BLUE, GREY, MARKERS, VERMILLION, WINE, new_axes, series_style, styled

_RULE_STYLES = {
    "soft (lasso)": (BLUE, "-"),
    "hard": (GREY, "--"),
    "SCAD": (WINE, "-."),
    "MCP": (VERMILLION, (0, (5, 1.5, 1, 1.5, 1, 1.5))),
}


@styled
def thresholding_rules(lam: float = 1.0, gamma: float = 3.0, a: float = 3.7, *, ax=None):
    """The weight each penalty gives a single feature with XᵀX/n = 1 (orthonormal design) and
    least-squares weight z, under the course's objective (w − z)² + P(w): each penalty's prox at
    step ½. Soft-thresholding at λ/2 (the lasso), hard thresholding at λ/2 for reference, SCAD (a)
    and MCP (γ)."""
    from regcourse.penalties import L1
    from regcourse.penalties_sparse import MCP, SCAD

    fig, ax = new_axes(ax, figsize=(6.0, 4.4))
    top = 1.15 * max(gamma, a) * lam
    z = np.linspace(-top, top, 801)
    rules = {
        "soft (lasso)": L1(lam).prox(z, 0.5),
        "hard": np.where(np.abs(z) > lam / 2, z, 0.0),
        "SCAD": SCAD(lam, a).prox(z, 0.5),
        "MCP": MCP(lam, gamma).prox(z, 0.5),
    }
    ax.plot(z, z, color=BLACK, ls=":", lw=1.0, label="no penalty: w = z")
    for name, values in rules.items():
        colour, style = _RULE_STYLES[name]
        ax.plot(z, values, color=colour, ls=style, lw=1.8, label=name)
    ax.axvspan(-lam / 2, lam / 2, color=GREY, alpha=0.15, hatch="//", label="|z| ≤ λ/2: all give 0")
    ax.set_xlabel("z, the least-squares weight")
    ax.set_ylabel("the penalized weight w")
    ax.set_title(f"Thresholding rules (λ = {lam:g}, γ = {gamma:g}, a = {a:g})")
    ax.legend(fontsize=8, loc="upper left")
    probe = float(0.9 * top)
    at = {name: float(np.interp(probe, z, values)) for name, values in rules.items()}
    describe(
        ax,
        f"The weight w that four penalties give one feature of an orthonormal design, against its "
        f"least-squares weight z {_span(z)}, with the line w = z for reference (λ = {num(lam)}). All four "
        f"return 0 for |z| ≤ λ/2 = {num(lam / 2)}. Above it soft-thresholding (the lasso) subtracts λ/2 from "
        f"every larger input, so at z = {num(probe)} it gives {num(at['soft (lasso)'])}; hard thresholding "
        f"jumps to w = z; SCAD (a = {num(a)}) and MCP (γ = {num(gamma)}) rise faster than z and reach w = z "
        f"at |z| = aλ = {num(a * lam)} and γλ = {num(gamma * lam)}, beyond which they leave z unchanged "
        f"(at z = {num(probe)}: SCAD {num(at['SCAD'])}, MCP {num(at['MCP'])}): no bias on large weights.",
    )
    return fig


def _span(values) -> str:
    return f"from {num(np.min(values))} to {num(np.max(values))}"


@styled
def two_minima(X, y, penalty, minima: dict, *, ax=None):
    """Contours of the course's objective J(w₁, w₂) = (1/n)‖yc − Xc·w‖² + penalty(w) for two
    features, with ``minima`` ({label: weights}, e.g. the fits from two starts) marked."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have exactly two columns, got shape {X.shape}")
    if not 1 <= len(minima) <= 4:
        raise ValueError("minima must hold 1 to 4 labelled weight vectors")
    fig, ax = new_axes(ax, figsize=(5.4, 4.6))
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    G, c, const = Xc.T @ Xc / len(y), Xc.T @ yc / len(y), float(yc @ yc) / len(y)
    points = np.array([np.asarray(w, dtype=float) for w in minima.values()])
    reach = 1.3 * max(float(np.abs(points).max()), 0.5)
    grid = np.linspace(-0.4 * reach, reach, 241)
    W1, W2 = np.meshgrid(grid, grid)
    flat = np.column_stack([W1.ravel(), W2.ravel()])
    mse = const - 2 * flat @ c + np.einsum("ij,jk,ik->i", flat, G, flat)
    if getattr(penalty, "kind", "") not in ("mcp", "scad", "l1", "l2", "elastic_net"):
        raise ValueError("penalty must act on each weight alone: MCP, SCAD, L1, L2 or ElasticNet")
    one = np.array([float(penalty(np.array([v]))) for v in grid])  # P(w) = P(w₁) + P(w₂)
    pen = (one[None, :] + one[:, None]).ravel()
    J = (mse + pen).reshape(W1.shape)
    values = {
        label: const - 2 * w @ c + w @ G @ w + float(penalty(np.asarray(w, dtype=float))) for label, w in minima.items()
    }
    low = min(values.values())
    levels = low + np.geomspace(0.01, 1.0, 14) * (float(J.max()) - low)
    ax.contour(W1, W2, J, levels=levels, colors=GREY, linewidths=0.8)
    markers = ("o", "s", "^", "D")
    for k, (label, w) in enumerate(minima.items()):
        ax.plot(
            *w,
            markers[k],
            color=series_style(k)["color"],
            ms=9,
            mfc="white" if k % 2 else None,
            mew=2,
            ls="none",
            label=f"{label}: J = {values[label]:.3f}",
        )
    ax.set_aspect("equal")
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    ax.set_title(f"{getattr(penalty, 'kind', 'penalty').upper()}: the objective's contours")
    ax.legend(fontsize=8, loc="upper right")
    best = min(values, key=values.get)
    distinct = len({tuple(np.round(np.asarray(w, dtype=float), 6)) for w in minima.values()}) > 1
    point = "; ".join(
        f"{label} at ({num(w[0])}, {num(w[1])}) with J = {num(values[label], 4)}" for label, w in minima.items()
    )
    ending = (
        f"The lowest of them is {best}'s; each lies in a valley of its own, so the objective is not convex and "
        "where a solver ends depends on where it starts."
        if distinct
        else "They are the same point: every start ends there."
    )
    describe(
        ax,
        f"Contour lines of the objective, mean squared error plus the penalty, over two weights w₁ and w₂ "
        f"{_span(grid)}. Marked: {point}. {ending}",
    )
    return fig


@styled
def group_selection(coefs: dict, feature_names, truth=None, *, ax=None):
    """Side-by-side bars of each model's weights ({label: weights}), columns grouped by the name up
    to "=" (one-hot levels of one categorical feature form a group), with the true weights as
    black crosses. Groups are separated by lines and named below."""
    from regcourse.plots.weights import HATCHES

    names = [str(name) for name in feature_names]
    arrays = {label: np.asarray(w, dtype=float) for label, w in coefs.items()}
    if not arrays or any(a.shape != (len(names),) for a in arrays.values()):
        raise ValueError(f"coefs must hold weight vectors of {len(names)} entries each")
    fig, ax = new_axes(ax, figsize=(7.4, 3.8))
    groups = [name.split("=")[0] for name in names]
    index, width = np.arange(len(names)), 0.8 / len(arrays)
    summaries = []
    for k, (label, values) in enumerate(arrays.items()):
        x = index + (k - (len(arrays) - 1) / 2) * width
        ax.bar(
            x,
            values,
            width=width,
            color=series_style(k)["color"],
            hatch=HATCHES[k % len(HATCHES)],
            edgecolor="white",
            lw=0,
            label=label,
        )
        summaries.append(f"{label}: {_group_story(values, groups)}")
    if truth is not None:
        ax.plot(index, np.asarray(truth, dtype=float), "x", color=BLACK, ms=7, mew=1.8, ls="none", label="true weight")
    ordered = list(dict.fromkeys(groups))
    for g in ordered[1:]:
        ax.axvline(groups.index(g) - 0.5, color=GREY, lw=0.8, ls=":")
    ax.axhline(0, color=BLACK, lw=0.6)
    ax.set_xticks(index, names, rotation=60, fontsize=8)
    ax.set_ylabel("weight")
    ax.set_title("Whole groups or single levels")
    ax.legend(fontsize=8, ncols=len(arrays) + 1, loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False)
    describe(
        ax,
        f"Bars of the weights of {len(names)} columns, {plural(len(ordered), 'group')} ({words(ordered)}; a "
        "categorical feature's one-hot levels form one group), for "
        + words(list(arrays))
        + ", side by side"
        + (", with the true weights as crosses" if truth is not None else "")
        + ". "
        + " ".join(summaries),
    )
    return fig


def _group_story(values: np.ndarray, groups: list) -> str:
    """Which groups a model keeps whole, keeps in part (some levels 0), and drops."""
    whole, part, dropped = [], [], []
    for g in dict.fromkeys(groups):
        members = values[[i for i, name in enumerate(groups) if name == g]]
        kept = int(np.sum(members != 0))
        (whole if kept == members.size else dropped if kept == 0 else part).append(
            g if kept in (0, members.size) else f"{g} ({kept} of {members.size} levels)"
        )
    return (
        f"keeps {words(whole) or 'no group'} whole, "
        f"{'keeps only part of ' + words(part) if part else 'keeps no group in part'}, "
        f"drops {words(dropped) or 'nothing'}."
    )


@styled
def stability_frequencies(result, feature_names=None, *, highlight=(), threshold: float = 0.8, ax=None):
    """Stability selection: each feature's selection frequency over the subsamples against λ
    (``result`` from ``after_lasso.stability_selection``). Features in ``highlight`` (indices, e.g.
    the true support) are drawn in colour and named at their line's end; the others thin and grey."""
    from matplotlib.ticker import NullFormatter

    from regcourse.plots._labels import EndLabels

    lams, freq = np.asarray(result.lams, dtype=float), np.asarray(result.frequency, dtype=float)
    p = freq.shape[1]
    names = [str(n) for n in feature_names] if feature_names is not None else [f"x{j + 1}" for j in range(p)]
    highlight = [int(j) for j in highlight]
    fig, ax = new_axes(ax, figsize=(6.6, 4.0))
    order = np.argsort(lams)
    others = [j for j in range(p) if j not in highlight]
    for j in others:
        ax.plot(lams[order], freq[order, j], color=GREY, lw=0.8, alpha=0.7)
    if others:
        ax.plot([], [], color=GREY, lw=0.8, label=f"the other {len(others)} features")
    colours = []
    for k, j in enumerate(highlight):
        style = series_style(k % 4)  # grey, the fifth colour, is the other features'
        colours.append(style["color"])
        marker = MARKERS[k % len(MARKERS)]  # a third cue: colours and line styles repeat after four
        ax.plot(lams[order], freq[order, j], lw=1.8, marker=marker, ms=4, gid=f"series:{names[j]}", **style)
    ax.axhline(threshold, color=BLACK, ls=":", lw=1.2, label=f"threshold {threshold:g}")
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())  # only the decades are numbered
    ax.invert_xaxis()
    if highlight:
        EndLabels(
            ax, np.full(len(highlight), lams.min()), freq[order[0], highlight], [names[j] for j in highlight], colours
        )
    ax.set_xlabel("λ  (← fewer features · more features →)")
    ax.set_ylabel("share of subsamples selecting it")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("Stability selection")
    ax.legend(fontsize=8, loc="center left")
    best = freq.max(axis=0)
    stable = [names[j] for j in np.flatnonzero(best >= threshold)]
    top_other = max(others, key=lambda j: best[j]) if others else None
    describe(
        ax,
        f"Selection frequency of {p} features over the random subsamples against λ {_span(lams)} on a log "
        f"scale, with a dotted threshold at {num(threshold)}. "
        + (f"Drawn in colour and labelled: {words([names[j] for j in highlight])}. " if highlight else "")
        + f"Reaching the threshold at some λ: {words(stable) or 'none'} ({len(stable)} of {p})."
        + (
            f" Of the other features the most often selected is {names[top_other]}, at most "
            f"{num(best[top_other])} of the subsamples."
            if top_other is not None
            else ""
        ),
    )
    return fig
