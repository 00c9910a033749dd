"""Interactive explorers: move a control, watch the picture change.

Each explorer displays itself in Jupyter, exposes ``.controls`` (name → control, each with a
``.value`` and ``.observe``) and ``.update(**values)``, which moves those controls and redraws — the
same call a slider makes, so tests and benchmarks can drive it without a browser.

They work on ipywidgets 7.7 (Google Colab) and 8.x (JupyterLab, Binder) with the default inline
backend. The controls, the picture and the numbers beside it are the small accessible widgets of
``regcourse._controls`` (drawn through anywidget): each slider is named by its label and announces
its value as text, toggle buttons say which one is pressed, the picture has alt text that follows
the state, and the numbers are a polite live region. A slider moves over a fixed list of round
values (p = 2 stays 2; a log slider's λ is 0.5, not 10^-0.3). Artists are updated in place and
only they are redrawn: the parts that do not change (contours, axes, text) are rendered once into a
background that each update restores (blitting, off screen). When ipympl is active
(``%matplotlib widget``), the live canvas is shown instead and redrawn with ``draw_idle``; a
``<canvas>`` has no alt text, so the same description follows the state as a caption beneath it.

One picture, wherever the notebook is read: live, an explorer displays itself as a single output,
the widget view, and sends its starting picture along in that output's metadata
(``STATIC_IMAGE_KEY``: an ``<img>`` with alt text as ``text/html``), which frontends ignore.
``regcourse execute`` saves the output as that picture alone
(``regcourse.authoring.static_images_into_outputs``): no widget view and no widget state, so
JupyterLab, nbconvert, nbviewer and GitHub all show the one picture, with its alt text, without a
kernel or a widget script, and the PNG is stored once. Updates change the picture's value and
send no display messages, so re-running a notebook leaves its text outputs as they were.
"""

from __future__ import annotations

import base64
import html
import io
import struct
import sys
import zlib

import numpy as np

from regcourse import linear
from regcourse.plots._style import BLUE, GREEN, ORANGE, VERMILLION, opaque_legend, rc, style_axes

__all__ = ["geometry_explorer", "overfitting_explorer", "path_explorer", "lp_explorer", "Explorer", "STATIC_IMAGE_KEY"]

# Where an explorer's live output carries its static picture: metadata[STATIC_IMAGE_KEY]["text/html"],
# an <img> of the PNG (a data URL) with alt text, at the figure's size.
STATIC_IMAGE_KEY = "regcourse.static_image"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _ipympl_active() -> bool:
    import matplotlib

    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend == "widget"


def _new_figure(figsize, ncols=1):
    """A figure with an Agg canvas (for off-screen blitting), or a live ipympl canvas."""
    import matplotlib.pyplot as plt

    with plt.rc_context(rc()):
        if _ipympl_active():
            plt.ioff()
            fig, axes = plt.subplots(1, ncols, figsize=figsize, layout="constrained")
            return fig, axes
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from regcourse.plots._style import figure_class

        fig = figure_class()(figsize=figsize, layout="constrained")
        FigureCanvasAgg(fig)
        return fig, fig.subplots(1, ncols)


class Explorer:
    """Controls, a figure and the redraw loop shared by every explorer.

    Subclasses set up their drawing and implement ``_apply(values) -> bool``, which updates
    the artists from the controls' values and returns True when the static background changed.
    """

    dynamic: list
    overlays: list = []  # static artists that lie over moving ones (a legend): pasted as cached pixels

    def __init__(self, fig, controls: dict, layout_rows):
        import ipywidgets as widgets

        from regcourse._controls import Caption, Picture, Readout

        self.figure = fig
        self.controls = controls
        self.live = _ipympl_active()
        self._backgrounds = {}
        self._holding = False
        self.image = Picture()  # the PNG, with alt text that follows the state
        self.info = Readout()  # the numbers: text costs nothing to redraw, in the figure it does
        for control in controls.values():
            control.observe(self._on_change, names="value")
        # Rows wrap on a narrow window or at a large zoom instead of running off the side.
        rows = [
            widgets.HBox([controls[name] for name in row], layout=widgets.Layout(flex_flow="row wrap"))
            for row in layout_rows
        ]
        self.caption = Caption()  # live: the canvas's description, which it cannot carry itself
        if self.live:
            self.figure.canvas.draw_idle()
            self.widget = widgets.VBox(rows + [self.info, self.figure.canvas, self.caption])
        else:
            # Lay the figure out once, then freeze it: constrained layout keeps nudging positions on
            # later draws, which would leave a cached background misaligned with what is drawn on it.
            self.figure.canvas.draw()
            self.figure.set_layout_engine("none")
            self.widget = widgets.VBox(rows + [self.info, self.image])

    # --- driving it ---

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def update(self, **values) -> None:
        """Move the named controls to these values, then redraw once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise TypeError(f"unknown control(s) {sorted(unknown)}; the controls are {sorted(self.controls)}")
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.redraw()

    def _on_change(self, change) -> None:
        if not self._holding:
            self.redraw()

    def redraw(self) -> None:
        if self._apply(self.values()):
            self.forget_backgrounds()
        self.info.value = self.describe()
        self.image.alt = self.alt_text()
        if self.live:
            self.caption.value = self.image.alt
        self._show()

    def describe(self) -> str:
        """The numbers behind the current picture, shown beside it."""
        return ""

    def alt_text(self) -> str:
        """What the current picture shows, in words: its alt text (live and in the saved notebook)."""
        return self.describe()

    # --- showing it ---

    def _show(self) -> None:
        if self.live:
            self.figure.canvas.draw_idle()
            return
        self.image.value = self.render_png()

    def background_key(self):
        """What the static background depends on; one background is cached per key."""
        return None

    def forget_backgrounds(self) -> None:
        """Drop the cached backgrounds: the next frame draws everything again."""
        self._backgrounds.clear()

    def _cached_background(self):
        """(the figure without moving artists and overlays, each overlay's stamp: the flat
        indices of the pixels it covers and their colours)."""
        key = self.background_key()
        if key not in self._backgrounds:
            canvas = self.figure.canvas
            hidden = {artist: artist.get_visible() for artist in [*self.dynamic, *self.overlays]}
            for artist in hidden:
                artist.set_visible(False)
            canvas.draw()
            background = canvas.copy_from_bbox(self.figure.bbox)
            stamps = [self._stamp(overlay, background) for overlay in self.overlays]
            canvas.restore_region(background)
            for artist, visible in hidden.items():
                artist.set_visible(visible)
            self._backgrounds[key] = (background, stamps)
        return self._backgrounds[key]

    def _stamp(self, overlay, background):
        """The pixels ``overlay`` covers (drawn on a transparent canvas: every pixel it touches
        gets some alpha) and their colours drawn over the background.

        Pasting them over the moving artists beneath gives what a full draw gives wherever the
        overlay is opaque — a legend with an opaque face and a frame drawn without
        antialiasing — and leaves every pixel around it to the moving artists.
        """
        canvas = self.figure.canvas
        pixels = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)
        overlay.set_visible(True)
        pixels[:] = 0
        self.figure.draw_artist(overlay)
        covered = np.flatnonzero(pixels[:, 3])
        canvas.restore_region(background)
        self.figure.draw_artist(overlay)
        return covered, pixels[covered].copy()

    def render_png(self) -> bytes:
        """The figure as PNG: the cached background, the moving artists on top, and the overlays'
        stamps pasted in their place in the drawing order (by zorder)."""
        canvas = self.figure.canvas
        background, stamps = self._cached_background()
        canvas.restore_region(background)
        pixels = np.asarray(canvas.buffer_rgba())
        stamped = {id(overlay): stamp for overlay, stamp in zip(self.overlays, stamps)}
        for artist in sorted([*self.dynamic, *self.overlays], key=lambda a: a.get_zorder()):  # stable
            if id(artist) in stamped:
                covered, colours = stamped[id(artist)]
                pixels.reshape(-1, 4)[covered] = colours
            else:
                self.figure.draw_artist(artist)
        return _png(pixels)

    def static_png(self) -> bytes:
        """The current picture as PNG, for readers without a running kernel."""
        if not self.live:
            return self.render_png()
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def static_html(self) -> str:
        """The current picture as an ``<img>`` (a PNG data URL) with its alt text, at its natural size."""
        png = self.static_png()
        width, height = struct.unpack(">II", png[16:24])  # from the PNG's IHDR chunk
        return (
            f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
            f'alt="{html.escape(self.alt_text(), quote=True)}" width="{width}" height="{height}">'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widget view as data (the same on ipywidgets 7 and 8: widget-view version 2.0), and the
        current picture as HTML in the metadata, for the saved notebook (see the module's doc)."""
        data = {
            WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": self.widget.model_id},
            "text/plain": f"{type(self).__name__}: an interactive figure (run the notebook in Jupyter to move it)",
        }
        metadata = {STATIC_IMAGE_KEY: {"text/html": self.static_html()}, **_colab_metadata()}
        return data, metadata


def _colab_metadata() -> dict:
    """On Google Colab, where anywidget turns on the custom widget manager: the output metadata that
    tells Colab to draw this view with it (what anywidget adds to its own widgets' outputs)."""
    output = sys.modules.get("google.colab.output")
    url = getattr(getattr(output, "_widgets", None), "_installed_url", None)
    return {WIDGET_VIEW: {"colab": {"custom_widget_manager": {"url": url}}}} if url else {}


# --- checking an explorer's starting values -----------------------------------------------------
# A slider clamps a value outside its range without a word and a ToggleButtons raises a bare
# TraitError; explorers check their arguments first and name the one that is wrong.


def _check_choice(value, name: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def _check_range(value, name: str, low: float, high: float) -> float:
    from regcourse._arrays import as_real_number

    number = as_real_number(value, name)
    if not low <= number <= high:
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}] (the range of its slider), got {number:g}")
    return number


def _short_exp(value: float) -> str:
    """1e-08 → "1e-8", 2e-05 → "2e-5", 10.0 → "10": a log slider's value as a reader takes it in."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _png(rgba: np.ndarray) -> bytes:
    """A PNG of an RGBA pixel array, written directly: rows copied whole (no row filters) and
    zlib at level 1 — a few times faster than Pillow's encoder on our flat-coloured figures."""
    height, width = rgba.shape[:2]
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # each row starts with filter type 0
    rows[:, 1:] = rgba.reshape(height, -1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
        + chunk(b"IEND", b"")
    )


# --- the geometry explorer -------------------------------------------------------------------


class GeometryExplorer(Explorer):
    def __init__(self, kind="l1", radius=1.0, lam=0.5, centre=(1.6, 0.4), correlation=0.4, l1_ratio=0.5):
        _check_choice(kind, "kind", ("l1", "l2", "elastic_net"))
        radius = _check_range(radius, "radius", 0.05, 3.0)
        lam = _check_range(lam, "lam", 1e-3, 10.0)
        l1_ratio = _check_range(l1_ratio, "l1_ratio", 0.05, 0.95)
        correlation = _check_range(correlation, "correlation", -0.9, 0.9)
        if isinstance(centre, (str, bytes)) or not hasattr(centre, "__len__") or len(centre) != 2:
            raise ValueError(f"centre must be a pair (w₁, w₂), got {centre!r}")
        centre = (_check_range(centre[0], "centre[0]", -2.0, 2.0), _check_range(centre[1], "centre[1]", -2.0, 2.0))

        from regcourse._controls import Choice, grid, nice_log, numeric_options
        from regcourse.plots.geometry import GeometryDrawing

        def slider(name, values, start, fmt, **options):
            return Choice(numeric_options(values, fmt, start), start, description=name, **options)

        two, one = "{:.2f}".format, "{:.1f}".format
        controls = {
            "kind": Choice(
                [("L1", "l1"), ("L2", "l2"), ("elastic net", "elastic_net")], kind, description="penalty", toggles=True
            ),
            "mode": Choice([("budget", "budget"), ("λ", "lam")], "budget", description="set by", toggles=True),
            "radius": slider("budget", grid(0.05, 3.0, 0.05, 2), radius, two),
            "lam": slider("λ", nice_log(1e-3, 10.0), lam, "{:g}".format, log=True),
            "l1_ratio": slider("L1 share", grid(0.05, 0.95, 0.05, 2), l1_ratio, two),
            "centre_x": slider("centre w₁", grid(-2.0, 2.0, 0.1, 1), centre[0], one),
            "centre_y": slider("centre w₂", grid(-2.0, 2.0, 0.1, 1), centre[1], one),
            "correlation": slider("correlation", grid(-0.9, 0.9, 0.05, 2), correlation, two),
        }
        import matplotlib.pyplot as plt

        fig, ax = _new_figure((5.6, 5.4))
        with plt.rc_context(rc()):
            self.drawing = GeometryDrawing(
                ax, kind, radius=radius, centre=centre, correlation=correlation, l1_ratio=l1_ratio
            )
        self.drawing.readout.set_visible(False)  # shown as HTML beside the figure instead
        super().__init__(
            fig, controls, [["kind", "mode"], ["radius", "lam", "l1_ratio"], ["centre_x", "centre_y", "correlation"]]
        )
        self.redraw()

    @property
    def dynamic(self) -> list:
        # Everything a control moves, contours and path included, so that no slider rebuilds the
        # background; only the kind does (the title), and each kind's background is kept. The
        # spines lie over the contours' ends, so they are drawn in their place, not cached.
        return [*self.drawing.moving_artists(), *self.drawing.ax.spines.values()]

    @property
    def overlays(self) -> list:
        return [self.drawing.ax.get_legend()]  # text is slow to draw: its pixels are pasted instead

    def background_key(self):
        return self.drawing.state["kind"]

    def _apply(self, v) -> bool:
        settings = dict(
            kind=v["kind"], l1_ratio=v["l1_ratio"], centre=(v["centre_x"], v["centre_y"]), correlation=v["correlation"]
        )
        if v["mode"] == "lam":
            settings["lam"] = v["lam"]
        else:
            settings["radius"] = v["radius"]
        self.drawing.update(**settings)  # recomputes only what the changed settings affect
        return False

    def describe(self) -> str:
        return self.drawing.readout.get_text().replace("\n", "   ")

    def alt_text(self) -> str:
        from regcourse.plots._style import KIND_NAMES

        s = self.drawing.state
        w = self.drawing.result.coef
        shape = {"l1": "a diamond", "l2": "a disc", "elastic_net": "a rounded diamond"}[s["kind"]]
        zeros = int(np.sum(np.abs(w) < 1e-9))
        return (
            f"{KIND_NAMES[s['kind']]}: where the loss meets the budget. Elliptic contours of a quadratic loss "
            f"around its least-squares minimum (a star) at w = ({s['centre'][0]:.1f}, {s['centre'][1]:.1f}), "
            f"feature correlation {s['correlation']:.2f}; the constraint region, {shape} of budget "
            f"{s['radius']:.2f} (λ = {self.drawing.result.lam:.3g}); the constrained optimum (a dot) at "
            f"w = ({w[0]:.2f}, {w[1]:.2f}), where a contour touches the region"
            + (f", {zeros} weight exactly 0" if zeros == 1 else f", {zeros} weights exactly 0" if zeros else "")
            + ". A dashed line traces the solutions for every λ."
        )


def geometry_explorer(**defaults) -> GeometryExplorer:
    """Move the budget (or λ) and watch the constrained optimum slide along the region.

    Controls: kind (L1, L2, elastic net), mode (set by budget or by λ), radius, lam, l1_ratio,
    centre_x, centre_y, correlation. The dashed line traces the solutions for every λ.
    """
    return GeometryExplorer(**defaults)


# --- the overfitting explorer -----------------------------------------------------------------


class OverfittingExplorer(Explorer):
    MAX_DEGREE = 15

    def __init__(self, degree=3, lam=0.0, n_samples=30, seed=0):
        import matplotlib.pyplot as plt

        from regcourse._arrays import check_count

        if check_count(degree, "degree") > self.MAX_DEGREE:
            raise ValueError(f"degree must lie in [1, {self.MAX_DEGREE}] (the range of its slider), got {degree}")
        lam = _check_range(lam, "lam", 0.0, 10.0)
        if check_count(n_samples, "n_samples") < 10:
            raise ValueError(f"n_samples must be at least 10 (to split into training and validation), got {n_samples}")

        from regcourse.data import make_polynomial
        from regcourse.selection import train_val_split

        data = make_polynomial(n_samples=n_samples, seed=seed)
        x, y = np.asarray(data.x, dtype=float), np.asarray(data.y, dtype=float)
        X_train, X_val, y_train, y_val = train_val_split(x[:, None], y, val_fraction=0.4, seed=seed)
        self.x_train, self.x_val, self.y_train, self.y_val = X_train[:, 0], X_val[:, 0], y_train, y_val
        self.scale = float(np.abs(x).max()) or 1.0
        self.grid = np.linspace(x.min(), x.max(), 300)
        from regcourse._controls import Choice, nice_log, numeric_options

        lam = max(lam, 1e-8)
        controls = {
            "degree": Choice([(str(d), d) for d in range(1, self.MAX_DEGREE + 1)], degree, description="degree"),
            "lam": Choice(
                numeric_options(nice_log(1e-8, 10.0, (1, 2, 5)), _short_exp, lam), lam, description="λ (L2)", log=True
            ),
        }
        fig, (ax_fit, ax_err) = _new_figure((10.0, 4.0), ncols=2)
        with plt.rc_context(rc()):
            self.points = [
                ax_fit.scatter(self.x_train, self.y_train, s=22, color="0.2", zorder=3, label="training"),
                ax_fit.scatter(
                    self.x_val, self.y_val, s=22, facecolor="white", edgecolor="0.2", zorder=3, label="validation"
                ),
            ]
            truth = getattr(data, "truth", None)
            self.has_truth = callable(truth)
            if self.has_truth:
                ax_fit.plot(self.grid, truth(self.grid), ":", color="0.5", label="true function")
            (self.fit_line,) = ax_fit.plot([], [], color=VERMILLION, lw=2, label="fitted polynomial")
            low, high = float(y.min()), float(y.max())
            ax_fit.set_ylim(low - 0.5 * (high - low), high + 0.5 * (high - low))
            ax_fit.set_xlabel("x")
            ax_fit.set_ylabel("y")
            opaque_legend(ax_fit, fontsize=8, loc="upper right")
            degrees = np.arange(1, self.MAX_DEGREE + 1)
            self.degrees = degrees
            (self.train_line,) = ax_err.plot(
                degrees, np.ones_like(degrees, dtype=float), "o-", ms=3, color=BLUE, label="training error"
            )
            (self.val_line,) = ax_err.plot(
                degrees, np.ones_like(degrees, dtype=float), "o-", ms=3, color=ORANGE, label="validation error"
            )
            self.marker = ax_err.axvline(degree, color=GREEN, ls="--", lw=1.2)
            ax_err.set_yscale("log")
            ax_err.set_xlabel("polynomial degree (model complexity →)")
            ax_err.set_ylabel("mean squared error (log scale)")
            opaque_legend(ax_err, fontsize=8, loc="upper left")
            for ax in (ax_fit, ax_err):
                style_axes(ax)
        self.axes = (ax_fit, ax_err)
        # One y-range for the whole λ slider, so moving λ never rescales (and re-renders) the axis.
        lams = controls["lam"].values
        extremes = np.concatenate([np.concatenate(self._errors(lams[0])), np.concatenate(self._errors(lams[-1]))])
        ax_err.set_ylim(extremes.min() / 2, extremes.max() * 2)
        # The points lie over the fitted curve and the spines over the ends of every line, so
        # they are drawn in their place each frame (cheap); the legends are pasted (text is not).
        self.dynamic = [
            self.fit_line,
            self.train_line,
            self.val_line,
            self.marker,
            *self.points,
            *ax_fit.spines.values(),
            *ax_err.spines.values(),
        ]
        self.overlays = [ax_fit.get_legend(), ax_err.get_legend()]
        self._last_lam = None
        super().__init__(fig, controls, [["degree", "lam"]])
        self.redraw()

    def _errors(self, lam):
        """Training and validation MSE of every degree at this λ."""
        train, val = [], []
        for d in self.degrees:
            model = self._fit(d, lam)
            train.append(np.mean((self.y_train - model.predict(self._design(self.x_train, d))) ** 2))
            val.append(np.mean((self.y_val - model.predict(self._design(self.x_val, d))) ** 2))
        return np.array(train), np.array(val)

    def _design(self, x, degree):
        from regcourse.data import polynomial_design

        return polynomial_design(x, degree, self.scale)

    def _fit(self, degree, lam):
        from regcourse.penalties import L2

        return linear.fit(self._design(self.x_train, degree), self.y_train, L2(lam), solver="closed_form")

    def _apply(self, v) -> bool:
        degree, lam = int(v["degree"]), float(v["lam"])
        if lam != self._last_lam:  # the error curves depend on λ only
            self.errors = self._errors(lam)
            self.train_line.set_ydata(self.errors[0])
            self.val_line.set_ydata(self.errors[1])
            self._last_lam = lam
        model = self._fit(degree, lam)
        self.fit_line.set_data(self.grid, model.predict(self._design(self.grid, degree)))
        self.marker.set_xdata([degree, degree])
        train, val = self.errors[0][degree - 1], self.errors[1][degree - 1]
        self.summary = (
            f"degree {degree}, L2 penalty λ = {lam:.1e}:   training MSE {train:.3f}   validation MSE {val:.3f}"
        )
        return False

    def describe(self) -> str:
        return self.summary

    def alt_text(self) -> str:
        degree, lam = int(self.controls["degree"].value), float(self.controls["lam"].value)
        best = int(self.degrees[np.argmin(self.errors[1])])
        return (
            f"Left: {self.x_train.size} training points (filled), {self.x_val.size} validation points (open), "
            + ("the true function (dotted) and " if self.has_truth else "")
            + f"the fitted polynomial of degree {degree} with L2 penalty "
            f"λ = {lam:.1e}. Right: training and validation mean squared error (log scale) for every degree "
            f"from 1 to {self.MAX_DEGREE} at this λ, a dashed line at degree {degree}: training MSE "
            f"{self.errors[0][degree - 1]:.3f}, validation MSE {self.errors[1][degree - 1]:.3f}; the validation "
            f"error is lowest at degree {best}."
        )


def overfitting_explorer(**defaults) -> OverfittingExplorer:
    """Polynomial degree and an L2 penalty λ: the fit, and training vs validation error, live."""
    return OverfittingExplorer(**defaults)


# --- the path explorer ---------------------------------------------------------------------------


class PathExplorer(Explorer):
    def __init__(self, X=None, y=None, feature_names=None, kind="l1", l1_ratio=0.5, n_lams=100):
        import matplotlib.pyplot as plt

        from regcourse._arrays import check_count
        from regcourse.plots.paths import check_feature_names, coefficient_path

        _check_choice(kind, "kind", ("l1", "l2", "elastic_net"))
        if check_count(n_lams, "n_lams") < 2:
            raise ValueError(f"n_lams must be at least 2 (a slider needs two positions), got {n_lams}")
        if X is None:
            from regcourse.data import load_diabetes

            data = load_diabetes()
            X, y = data.X, data.y
            feature_names = data.feature_names if feature_names is None else feature_names
        from regcourse._arrays import check_xy

        self.X, self.y = check_xy(X, y)
        check_feature_names(feature_names, self.X.shape[1])
        self.path = linear.path(self.X, self.y, kind, n_lams=n_lams, l1_ratio=l1_ratio)
        names = list(feature_names) if feature_names is not None else [f"w{j + 1}" for j in range(self.X.shape[1])]
        self.names = [str(name) for name in names]
        from regcourse._controls import Choice

        # The slider walks the path's λ grid (from the largest λ down) and shows each λ, not its index.
        controls = {
            "step": Choice([(f"{lam:.3g}", i) for i, lam in enumerate(self.path.lams)], n_lams // 3, description="λ")
        }
        fig, (ax_path, ax_bars) = _new_figure((11.0, 4.2), ncols=2)
        with plt.rc_context(rc()):
            coefficient_path(self.path, names, ax=ax_path)
            self.line = ax_path.axvline(self.path.lams[0], color="0.2", ls="--", lw=1.2)
            self.bars = ax_bars.barh(names, np.zeros(len(names)), color=BLUE)
            ax_bars.axvline(0.0, color="0.3", lw=0.8, zorder=0.9)  # under the bars: a zero bar is a vermillion mark
            limit = float(np.abs(self.path.coefs).max()) * 1.1
            ax_bars.set_xlim(-limit, limit)
            ax_bars.set_xlabel("coefficient")
            ax_bars.set_title("Coefficients at the chosen λ (vermillion: exactly 0)")
            ax_bars.invert_yaxis()
            style_axes(ax_bars)
            ax_bars.set_axisbelow(True)  # grid under the bars, as in the cached background
        self.axes = (ax_path, ax_bars)
        # the spines lie over the λ line's ends: drawn in their place
        self.dynamic = [self.line, *self.bars, *ax_path.spines.values(), *ax_bars.spines.values()]
        super().__init__(fig, controls, [["step"]])
        self.redraw()

    def _apply(self, v) -> bool:
        i = int(v["step"])
        lam, coef = self.path.lams[i], self.path.coefs[i]
        self.line.set_xdata([lam, lam])
        for bar, value in zip(self.bars, coef):
            bar.set_width(value)
            bar.set_color(VERMILLION if value == 0 else BLUE)
        mse = float(np.mean((self.y - self.X @ coef - self.path.intercepts[i]) ** 2))
        self.summary = (
            f"λ = {lam:.3g}:   {np.count_nonzero(coef)} of {coef.size} coefficients non-zero   training MSE {mse:.1f}"
        )
        return False

    def describe(self) -> str:
        return self.summary

    def alt_text(self) -> str:
        i = int(self.controls["step"].value)
        lam, coef = self.path.lams[i], self.path.coefs[i]
        order = np.argsort(-np.abs(coef), kind="stable")
        nonzero = [f"{self.names[j]} {coef[j]:+.3g}" for j in order if coef[j] != 0]
        zero = [self.names[j] for j in range(coef.size) if coef[j] == 0]
        return (
            f"Left: the coefficient path, each of the {coef.size} coefficients against λ (log scale), a dashed "
            f"line at λ = {lam:.3g}. Right: the coefficients at that λ as bars: "
            + (f"non-zero {', '.join(nonzero)}" if nonzero else "none non-zero")
            + (f"; exactly 0 (vermillion) {', '.join(zero)}." if zero else "; none exactly 0.")
        )


def path_explorer(X=None, y=None, feature_names=None, *, kind: str = "l1", l1_ratio: float = 0.5) -> PathExplorer:
    """A λ slider moving along the coefficient path (the diabetes data by default): the
    coefficients at that λ, how many are non-zero, and the training error."""
    return PathExplorer(X, y, feature_names, kind=kind, l1_ratio=l1_ratio)


# --- the Lp ball explorer ----------------------------------------------------------------------------


class LpExplorer(Explorer):
    """The ball |w₁|ᵖ + |w₂|ᵖ ≤ budget, a fixed quadratic loss's contours, and the point of the ball
    where the loss is smallest; p and the budget are the controls."""

    P_RANGE = (0.25, 8.0)
    # Round values of p, about evenly spaced on a log scale, with 1 and 2 among them.
    P_CHOICES = (
        0.25,
        0.3,
        0.35,
        0.4,
        0.45,
        0.5,
        0.6,
        0.7,
        0.8,
        0.9,
        1.0,
        1.1,
        1.2,
        1.3,
        1.4,
        1.5,
        1.6,
        1.8,
        2.0,
        2.25,
        2.5,
        2.75,
        3.0,
        3.5,
        4.0,
        4.5,
        5.0,
        6.0,
        7.0,
        8.0,
    )

    def __init__(self, p=2.0, budget=1.0, centre=(1.6, 0.4), correlation=0.4):
        import matplotlib.pyplot as plt

        from regcourse.plots.geometry import N_CONTOURS, _ellipse, quadratic_problem

        p = _check_range(p, "p", *self.P_RANGE)
        budget = _check_range(budget, "budget", 0.1, 2.0)
        correlation = _check_range(correlation, "correlation", -0.9, 0.9)
        if isinstance(centre, (str, bytes)) or not hasattr(centre, "__len__") or len(centre) != 2:
            raise ValueError(f"centre must be a pair (w₁, w₂), got {centre!r}")
        self.centre = np.array(
            [_check_range(centre[0], "centre[0]", -2.0, 2.0), _check_range(centre[1], "centre[1]", -2.0, 2.0)]
        )
        _, _, self.H = quadratic_problem(self.centre, correlation)
        self._ellipse = _ellipse
        from regcourse._controls import Choice, grid, numeric_options

        controls = {
            "p": Choice(numeric_options(self.P_CHOICES, "{:g}".format, p), p, description="p", log=True),
            "budget": Choice(
                numeric_options(grid(0.1, 2.0, 0.05, 2), "{:.2f}".format, budget), budget, description="budget"
            ),
        }
        fig, ax = _new_figure((5.2, 5.0))
        with plt.rc_context(rc()):
            top = float(self.centre @ self.H @ self.centre)
            for fraction in np.linspace(0.08, 1.6, N_CONTOURS) ** 2:
                ax.plot(*_ellipse(self.centre, self.H, fraction * top).T, color="0.6", lw=0.8, zorder=2)
            ax.plot([self.centre[0]], [self.centre[1]], "o", color="0.3", ms=5, zorder=3)
            ax.axhline(0.0, color="0.75", lw=0.8, zorder=1)
            ax.axvline(0.0, color="0.75", lw=0.8, zorder=1)
            (self.ball,) = ax.plot([], [], color=VERMILLION, lw=2.0, zorder=4)
            (self.touching,) = ax.plot([], [], color="0.15", lw=1.2, zorder=5)
            (self.optimum,) = ax.plot([], [], "o", color=VERMILLION, mec="0.15", ms=8, zorder=6)
            ax.set_xlim(-2.2, 2.2)
            ax.set_ylim(-2.2, 2.2)
            ax.set_aspect("equal")
            ax.set_xlabel("w₁")
            ax.set_ylabel("w₂")
            ax.set_title("The Lp ball and the loss's lowest point on it")
            style_axes(ax)
        self.ax = ax
        self.dynamic = [self.ball, self.touching, self.optimum, *ax.spines.values()]
        super().__init__(fig, controls, [["p", "budget"]])
        self.redraw()

    def _apply(self, v) -> bool:
        from regcourse.beyond import lp_ball, lp_ball_minimizer

        p, budget = float(v["p"]), float(v["budget"])
        points = lp_ball(p, budget)
        self.ball.set_data(points[:, 0], points[:, 1])
        w = lp_ball_minimizer(self.H, self.centre, p, budget)
        self.w = w
        self.optimum.set_data([w[0]], [w[1]])
        d = w - self.centre
        self.touching.set_data(*self._ellipse(self.centre, self.H, float(d @ self.H @ d)).T)
        shape = "corners on the axes" + (", not convex" if p < 1 else "") if p <= 1 else "smooth, convex"
        zeros = int(np.sum(w == 0.0))
        self.summary = (
            f"p = {p:.2f} ({shape}):   lowest loss on the ball at w = ({w[0]:.3f}, {w[1]:.3f})   "
            f"{zeros} weight{'s' if zeros != 1 else ''} exactly 0"
        )
        return False

    def describe(self) -> str:
        return self.summary

    def alt_text(self) -> str:
        p, budget = float(self.controls["p"].value), float(self.controls["budget"].value)
        shape = "with corners on the axes" + (", not convex" if p < 1 else "") if p <= 1 else "smooth and convex"
        zeros = int(np.sum(self.w == 0.0))
        return (
            f"The Lp ball, the points where |w1|^p + |w2|^p ≤ {budget:.2f}, for p = {p:g}: {shape}. Around it, "
            f"elliptic contours of a fixed quadratic loss whose minimum (a dot) is at "
            f"w = ({self.centre[0]:.1f}, {self.centre[1]:.1f}); the loss is lowest on the ball at "
            f"w = ({self.w[0]:.3f}, {self.w[1]:.3f}), where a contour touches it"
            + (f", {zeros} weight exactly 0." if zeros == 1 else f", {zeros} weights exactly 0." if zeros else ".")
        )


def lp_explorer(*, p: float = 2.0, budget: float = 1.0, centre=(1.6, 0.4), correlation: float = 0.4) -> LpExplorer:
    """Move p (0.25 to 8) and the budget: the ball |w₁|ᵖ + |w₂|ᵖ ≤ budget, the contours of a fixed
    quadratic loss, and where on the ball the loss is lowest (``beyond.lp_ball_minimizer``). For
    p ≤ 1 the lowest point sits on a corner (one weight exactly 0) for most losses."""
    return LpExplorer(p=p, budget=budget, centre=centre, correlation=correlation)
