"""Why L1 gives exact zeros: loss contours meeting the constraint region.

The loss is the MSE of a two-feature least-squares problem whose minimum is at ``centre``
and whose contours are ellipses shaped by the features' ``correlation`` r:

    MSE(w) = (w − centre)ᵀ H (w − centre),   H = [[1, r], [r, 1]].

The region is {w : R(w) ≤ radius} with R the penalty's shape (``Penalty.budget``). The
constrained optimum comes from ``regcourse.linear.fit_constrained``; the contour through it
is where the growing ellipses first touch the region — at a corner of the L1 diamond when
the geometry allows, which puts the optimum on an axis: one weight exactly 0.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from regcourse import linear
from regcourse.penalties import L1, L2, ElasticNet
from regcourse.plots._alt import describe, num
from regcourse.plots._style import BLACK, KIND_COLOURS, KIND_NAMES, new_axes, opaque_legend, styled

_SHAPES = {
    "l1": "a diamond with its corners on the axes",
    "l2": "a disk",
    "elastic_net": "a diamond with outward-curved sides and corners on the axes",
}
N_CONTOURS = 7
_CIRCLE = np.linspace(0.0, 2.0 * math.pi, 241)


def quadratic_problem(centre, correlation: float):
    """X (2 × 2) and y whose MSE without intercept is (w − centre)ᵀH(w − centre).

    With H = LLᵀ (Cholesky) and X = √2·Lᵀ, XᵀX/2 = H; y = X·centre puts the minimum at centre.
    """
    r = float(correlation)
    if not -1.0 < r < 1.0:
        raise ValueError(f"correlation must lie strictly between -1 and 1, got {correlation}")
    H = np.array([[1.0, r], [r, 1.0]])
    X = math.sqrt(2.0) * np.linalg.cholesky(H).T
    return X, X @ np.asarray(centre, dtype=float), H


def _shape(kind: str, l1_ratio: float):
    return {"l1": L1(1.0), "l2": L2(1.0)}.get(kind) or ElasticNet(l1=l1_ratio, l2=1.0 - l1_ratio)


def _ellipse(centre, H, level: float) -> np.ndarray:
    """Points of {w : (w − centre)ᵀH(w − centre) = level}: centre + √level·H^(−½)·(cos t, sin t)."""
    values, vectors = np.linalg.eigh(H)
    unit = np.stack([np.cos(_CIRCLE), np.sin(_CIRCLE)])
    return (np.asarray(centre)[:, None] + vectors @ (np.sqrt(level / values)[:, None] * unit)).T


@functools.lru_cache(maxsize=256)  # a slider dragged back and forth revisits the same settings
def _solution_path(kind: str, l1_ratio: float, centre: tuple, correlation: float) -> np.ndarray:
    """The penalized solutions for 60 λ from where every weight is 0 (1000 for ridge) to 1e-4."""
    X, y, _ = quadratic_problem(centre, correlation)
    top = max(linear.lam_max(X, y, kind, l1_ratio=l1_ratio, fit_intercept=False), 1e-3) * 1.05 if kind != "l2" else 1e3
    coefs = linear.path(X, y, kind, np.geomspace(top, 1e-4, 60), l1_ratio=l1_ratio, fit_intercept=False).coefs
    coefs.setflags(write=False)
    return coefs


class GeometryDrawing:
    """Draws the geometry on an axes and redraws it in place when a setting changes.

    ``update`` accepts kind, radius or lam (the penalty strength; the radius then follows from
    the penalized solution), centre, correlation and l1_ratio. Artists are moved with
    ``set_data``/``set_xy``; nothing is re-plotted.
    """

    def __init__(
        self,
        ax,
        kind="l1",
        *,
        radius=1.0,
        lam=None,
        centre=(1.6, 0.4),
        correlation=0.4,
        l1_ratio=0.5,
        show_path=True,
        extent=2.6,
    ):
        self.ax = ax
        self.state = dict(
            kind=kind, radius=radius, lam=lam, centre=tuple(centre), correlation=correlation, l1_ratio=l1_ratio
        )
        self.show_path = show_path
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)
        ax.set_aspect("equal")
        ax.axhline(0.0, color=BLACK, lw=0.8, zorder=1)
        ax.axvline(0.0, color=BLACK, lw=0.8, zorder=1)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        self.contours = [ax.plot([], [], color="0.55", lw=0.8, zorder=2)[0] for _ in range(N_CONTOURS)]
        self.region_fill = ax.fill([0, 0], [0, 0], alpha=0.18, zorder=3)[0]
        (self.region,) = ax.plot([], [], lw=2.2, zorder=4)
        (self.path_line,) = ax.plot(
            [], [], ls="--", lw=1.2, color=BLACK, alpha=0.6, zorder=5, label="solutions as λ varies"
        )
        (self.touching,) = ax.plot([], [], lw=1.6, color=BLACK, zorder=5, label="contour touching the region")
        (self.free,) = ax.plot([], [], marker="*", ms=13, ls="", color=BLACK, zorder=6, label="least squares")
        (self.optimum,) = ax.plot([], [], marker="o", ms=8, ls="", zorder=7, mec="white", label="constrained optimum")
        self.readout = ax.text(
            0.02,
            0.98,
            "",
            transform=ax.transAxes,
            va="top",
            ha="left",
            fontsize=9,
            bbox=dict(boxstyle="round", fc="white", ec="0.8", alpha=0.9),
            zorder=8,
        )
        self.result = None
        self._legend_kind = None
        self._redraw(set(self.state))

    def update(self, **changes) -> None:
        unknown = set(changes) - set(self.state)
        if unknown:
            raise TypeError(f"unknown setting(s) {sorted(unknown)}; use {sorted(self.state)}")
        if "radius" in changes and "lam" not in changes:
            changes["lam"] = None  # the budget now drives
        if "centre" in changes:
            changes["centre"] = tuple(changes["centre"])
        before = dict(self.state)
        self.state.update(changes)
        self._redraw({key for key, value in self.state.items() if value != before[key]})

    def _redraw(self, changed) -> None:
        """Recompute and move only what depends on the settings in ``changed`` (all of them on the
        first call): the contours on the loss, the path on the loss and the penalty, the region
        and the optimum on everything, the legend and title on the kind."""
        first = self.result is None
        if not (first or changed):
            return
        s = self.state
        X, y, H = quadratic_problem(s["centre"], s["correlation"])
        kind, rho = s["kind"], s["l1_ratio"]
        shape = _shape(kind, rho)
        old_radius = s["radius"]
        if s["lam"] is not None:  # the penalized form: its solution sets the budget
            penalized = linear.fit(X, y, linear.penalty_for(kind, s["lam"], rho), fit_intercept=False)
            s["radius"] = max(shape.budget(penalized.coef), 1e-9)
        self.result = linear.fit_constrained(X, y, kind, s["radius"], l1_ratio=rho, fit_intercept=False)
        w = self.result.coef
        colour = KIND_COLOURS[kind]
        loss_changed = first or bool(changed & {"centre", "correlation"})
        if loss_changed:
            centre = np.asarray(s["centre"], dtype=float)
            top = float(centre @ H @ centre)  # the loss at w = 0
            for line, fraction in zip(self.contours, np.linspace(0.08, 1.6, N_CONTOURS) ** 2):
                line.set_data(*_ellipse(centre, H, fraction * top).T)
            self.free.set_data([centre[0]], [centre[1]])
        if self.show_path and (loss_changed or changed & {"kind", "l1_ratio"}):
            coefs = _solution_path(kind, rho, tuple(map(float, s["centre"])), float(s["correlation"]))
            self.path_line.set_data(coefs[:, 0], coefs[:, 1])
        if first or s["radius"] != old_radius or changed & {"kind", "l1_ratio", "radius"}:
            ball = shape.ball(s["radius"], n=241)
            self.region.set_data(ball[:, 0], ball[:, 1])
            self.region_fill.set_xy(ball)
        self.optimum.set_data([w[0]], [w[1]])
        if self._legend_kind != kind:  # legend handles copy colours when made
            self.region.set_color(colour)
            # the legend shows the region as a filled patch, unlike the contour lines (not by colour alone)
            self.region_fill.set_label(f"{KIND_NAMES[kind]} region R(w) ≤ budget")  # the number is in the readout
            self.region_fill.set_color(colour)
            self.optimum.set_color(colour)
            opaque_legend(self.ax, loc="lower left", fontsize=8)  # the explorer pastes it over the contours
            self.ax.set_title(f"{KIND_NAMES[kind]}: where the loss meets the budget")
            self._legend_kind = kind
        level = float((w - np.asarray(s["centre"])) @ H @ (w - np.asarray(s["centre"])))
        self.touching.set_data(*_ellipse(s["centre"], H, max(level, 1e-12)).T)
        zeros = int(np.sum(np.abs(w) < 1e-9))
        self._describe(w, zeros)
        self.readout.set_text(
            f"{KIND_NAMES[kind]}, budget {s['radius']:.2f}\n"
            f"λ = {self.result.lam:.3g}\n"
            f"w = ({w[0]:.2f}, {w[1]:.2f})"
            + (f"\n{zeros} weight exactly 0" if zeros == 1 else (f"\n{zeros} weights exactly 0" if zeros else ""))
        )

    def _describe(self, w, zeros: int) -> None:
        """Alt text from the current settings and solution (cheap: a few formatted numbers)."""
        s = self.state
        centre = tuple(float(c) for c in s["centre"])
        if zeros == 1:
            axis = "w₁" if abs(w[1]) < 1e-9 else "w₂"
            where = f"at a corner on the {axis} axis, so one weight is exactly 0"
        elif zeros == 2:
            where = "at the origin: both weights are exactly 0"
        else:
            where = "on a side of the region, where neither weight is 0"
        describe(
            self.ax,
            f"{KIND_NAMES[s['kind']]}: the region R(w) ≤ {num(s['radius'])}, {_SHAPES[s['kind']]}, in the "
            f"plane of the weights w₁ and w₂, with elliptical contours of the loss around the least-squares "
            f"point ({num(centre[0])}, {num(centre[1])}) (feature correlation {num(s['correlation'])}). The "
            f"growing contours first touch the region at the constrained optimum w = ({w[0]:.2f}, "
            f"{w[1]:.2f}), λ = {num(self.result.lam)}, {where}."
            + (" A dashed line shows the solutions as λ varies." if self.show_path else ""),
        )

    def moving_artists(self) -> list:
        """The artists on the axes that a change of the numeric settings moves (the kind also
        changes the legend and the title), in the order a full draw draws them."""
        return [*self.contours, self.region_fill, self.region, self.path_line, self.touching, self.free, self.optimum]


@styled
def constraint_geometry(
    kind: str = "l1",
    *,
    radius: float = 1.0,
    lam: float | None = None,
    centre=(1.6, 0.4),
    correlation: float = 0.4,
    l1_ratio: float = 0.5,
    show_path: bool = True,
    ax=None,
):
    """Loss contours, the region R(w) ≤ radius, the least-squares point, the constrained optimum,
    the contour touching the region and (``show_path``) the solutions as λ varies.

    Give ``lam`` instead of ``radius`` to draw the budget that the penalized solution at that λ
    uses. Returns the Figure; the drawing object is ``fig.regcourse_drawing``.
    """
    fig, ax = new_axes(ax, figsize=(5.2, 5.0))
    drawing = GeometryDrawing(
        ax, kind, radius=radius, lam=lam, centre=centre, correlation=correlation, l1_ratio=l1_ratio, show_path=show_path
    )
    fig.regcourse_drawing = drawing
    return fig
