"""Alt text: a figure described in words from what it shows, for readers who cannot see it.

Each drawing function calls ``describe(ax, text)`` with a sentence or three written from its
data: what is plotted against what, and the point the figure makes, with the numbers that make
it. ``figure_alt(fig)`` joins the descriptions of a figure's panels ("Three panels side by side.
Left: … Middle: … Right: …"); a panel nobody described is described by its title and axis labels.
``CourseFigure`` (``plots._style``) displays the result. No matplotlib import here.
"""

from __future__ import annotations

import math

import numpy as np

ATTRIBUTE = "regcourse_alt"
_POSITIONS = {1: ("",), 2: ("Left", "Right"), 3: ("Left", "Middle", "Right")}
_COUNTS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}


def describe(target, text: str) -> None:
    """Set the alt text of an axes (one panel) or of a whole figure."""
    setattr(target, ATTRIBUTE, " ".join(str(text).split()))


def num(value, digits: int = 3) -> str:
    """A number as a reader would say it: ``digits`` significant digits, a minus sign "−",
    thousands without separators, very small or large numbers as 1.2e-05."""
    value = float(value)
    if not math.isfinite(value):
        return "infinity" if value > 0 else ("minus infinity" if value < 0 else "not a number")
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def words(items, conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def span(values) -> str:
    """ "from a to b" for the smallest and largest of ``values``."""
    values = np.asarray(values, dtype=float)
    return f"from {num(np.nanmin(values))} to {num(np.nanmax(values))}"


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """ "1 weight", "3 weights"."""
    return f"{count} {noun if count == 1 else (plural_noun or noun + 's')}"


def _panels(fig):
    """The figure's panels in reading order: visible axes that are not colour bars."""
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison and not hasattr(ax, "_colorbar")]
    return axes


def fallback(ax) -> str:
    """What can be said of a panel without its data: its title and axis labels."""
    parts = []
    title = ax.get_title()
    if title:
        parts.append(f"“{title}”")
    labels = [f"{name} axis: {label}" for name, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if label]
    if labels:
        parts.append("; ".join(labels))
    return ". ".join(parts) + "." if parts else "An empty panel."


def figure_alt(fig) -> str:
    """The alt text of a figure: its own description, else its panels' descriptions joined."""
    own = getattr(fig, ATTRIBUTE, None)
    if own:
        return own
    panels = _panels(fig)
    texts = [getattr(ax, ATTRIBUTE, None) or fallback(ax) for ax in panels]
    if not texts:
        return "An empty figure."
    if len(texts) == 1:
        return texts[0]
    rows = {ax.get_subplotspec().rowspan.start for ax in panels if ax.get_subplotspec() is not None}
    names = _POSITIONS.get(len(texts)) if len(rows) <= 1 else None
    if names is None:
        names = tuple(f"Panel {i + 1}" for i in range(len(texts)))
    layout = "side by side" if len(rows) <= 1 else "in a grid, read row by row"
    count = _COUNTS.get(len(texts), str(len(texts)))
    return f"{count} panels {layout}. " + " ".join(f"{name}: {text}" for name, text in zip(names, texts))
