"""Labels at the ends of lines that never overlap: spread apart vertically, each joined to its
line's end by a thin leader line.

Where the labels go depends on the axes' size on screen, which the figure's layout settles
only when it is drawn, so the placement is computed at draw time by an artist.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform


def spread(wanted, sizes, gap: float = 0.0) -> np.ndarray:
    """Centres as close as possible to ``wanted`` (least squares) with neighbours at least
    (sizeᵢ + sizeⱼ)/2 + gap apart, in the order of ``wanted``.

    With cᵢ the least distance from the lowest centre to centre i (in sorted order),
    zᵢ = positionᵢ − cᵢ must be non-decreasing, and the best such z is the isotonic regression of
    wantedᵢ − cᵢ: pool adjacent violators.
    """
    wanted, sizes = np.asarray(wanted, dtype=float), np.asarray(sizes, dtype=float)
    order = np.argsort(wanted, kind="stable")
    w, s = wanted[order], sizes[order]
    least = np.concatenate([[0.0], np.cumsum((s[:-1] + s[1:]) / 2 + gap)])
    blocks: list[list[float]] = []  # [mean, count]
    for target in w - least:
        blocks.append([target, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1] = [
                (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count),
                blocks[-1][1] + count,
            ]
    z = np.concatenate([np.full(int(count), mean) for mean, count in blocks])
    placed = np.empty_like(wanted)
    placed[order] = z + least
    return placed


class EndLabels(Artist):
    """Text labels right of the points (xᵢ, yᵢ) (data coordinates), spread so that no two
    overlap, with a leader line from each point to its label."""

    def __init__(self, ax, x, y, names, colours, *, fontsize: float = 8, offset: float = 10.0, gap: float = 1.0):
        super().__init__()
        self.ax = ax
        self.points = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
        self.offset, self.gap = offset, gap  # in points: leader length, space between labels
        self.texts = [
            Text(
                0, 0, str(name), color=colour, fontsize=fontsize, va="center", ha="left", transform=IdentityTransform()
            )
            for name, colour in zip(names, colours)
        ]
        self.leaders = [
            Line2D([], [], color=colour, lw=0.6, alpha=0.8, transform=IdentityTransform()) for colour in colours
        ]
        self.set_zorder(3)
        ax.add_artist(self)
        self.set_clip_on(False)  # the labels sit right of the axes
        for child in self.get_children():
            child.set_figure(ax.figure)

    def get_children(self):
        return [*self.leaders, *self.texts]

    def _place(self, renderer) -> None:
        ends = self.ax.transData.transform(self.points)
        heights = [text.get_window_extent(renderer).height for text in self.texts]
        centres = spread(ends[:, 1], heights, renderer.points_to_pixels(self.gap))
        left = ends[:, 0].max() + renderer.points_to_pixels(self.offset)
        start = renderer.points_to_pixels(1.5)
        for text, leader, (x, y), centre in zip(self.texts, self.leaders, ends, centres):
            text.set_position((left, centre))
            leader.set_data([x + start, left - start], [y, centre])

    def draw(self, renderer):
        if not self.get_visible():
            return
        self._place(renderer)
        for child in self.get_children():
            child.draw(renderer)
        self.stale = False

    def get_window_extent(self, renderer=None):
        renderer = renderer or self.figure._get_renderer()
        self._place(renderer)
        return Bbox.union([text.get_window_extent(renderer) for text in self.texts])

    def get_tightbbox(self, renderer=None):
        return self.get_window_extent(renderer)
