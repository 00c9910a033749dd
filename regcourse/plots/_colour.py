"""How far apart two colours look, to people with normal vision and with colour-vision deficiency.

Two tools, used by the tests to check every figure's series colours:

* ``simulate(colour, kind)``: what a dichromat sees. Machado, Oliveira & Fernandes (2009), "A
  physiologically-based model for simulation of color vision deficiency" (IEEE TVCG 15(6)), give a
  3 × 3 matrix per deficiency and severity; at severity 1 (protanopia, deuteranopia, tritanopia) it
  is applied to *linear* RGB, the result clipped to the sRGB gamut.
* ``delta_e(a, b)``: the CIEDE2000 colour difference (Sharma, Wu & Dalal 2005, "The CIEDE2000
  color-difference formula: implementation notes, supplementary test data, and mathematical
  observations", Color Res. Appl. 30(1)) between the CIELAB coordinates of two sRGB colours
  (D65 white). About 1 is a just-noticeable difference between large patches; thin lines and small
  markers need far more.

``min_difference(colours)`` is the smallest difference between any two colours under normal
vision and every simulation, which is what ``MIN_DELTA_E`` bounds from below. NumPy only.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

# The least CIEDE2000 difference between two differently coloured series of one figure, under
# normal vision and under each simulated deficiency (tests/test_figure_colours.py). Okabe–Ito's
# bluish green and reddish purple, which a deuteranope sees as two greys, are 15.9 apart; thin lines
# need more than that. Five colours dark enough for lines on white (contrast ≥ 3:1) keep 20 apart.
MIN_DELTA_E = 20.0

# Machado et al. (2009), Table 1, severity 1.0; rows give the simulated linear R, G, B.
MACHADO = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
VISIONS = ("normal", *MACHADO)

# sRGB (linear) → CIE XYZ, D65 (IEC 61966-2-1), and the D65 white point.
_RGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
_WHITE = _RGB_TO_XYZ @ np.ones(3)


def to_rgb(colour) -> np.ndarray:
    """An sRGB triple in [0, 1] from anything matplotlib understands ("#0072B2", "0.4", (r, g, b), "C0")."""
    from matplotlib.colors import to_rgb as mpl_to_rgb

    return np.asarray(mpl_to_rgb(colour), dtype=float)


def srgb_to_linear(rgb) -> np.ndarray:
    """Undo the sRGB transfer curve: c/12.92 up to 0.04045, ((c + 0.055)/1.055)^2.4 above."""
    c = np.asarray(rgb, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(linear) -> np.ndarray:
    """The sRGB transfer curve, the inverse of ``srgb_to_linear``."""
    c = np.clip(np.asarray(linear, dtype=float), 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(colour, kind: str) -> np.ndarray:
    """The sRGB colour a person with ``kind`` ("normal", "protanopia", "deuteranopia",
    "tritanopia") sees instead of ``colour``: the Machado matrix on linear RGB, clipped to the gamut."""
    rgb = to_rgb(colour)
    if kind == "normal":
        return rgb
    if kind not in MACHADO:
        raise ValueError(f"kind must be one of {', '.join(VISIONS)}, got {kind!r}")
    return linear_to_srgb(MACHADO[kind] @ srgb_to_linear(rgb))


def lab(rgb) -> np.ndarray:
    """CIELAB (L*, a*, b*) of an sRGB triple in [0, 1], D65 white."""
    xyz = _RGB_TO_XYZ @ srgb_to_linear(rgb) / _WHITE
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """The CIEDE2000 difference between two CIELAB colours (kL = kC = kH = 1), following
    Sharma, Wu & Dalal (2005), equations 1–22."""
    L1, a1, b1 = map(float, lab1)
    L2, a2, b2 = map(float, lab2)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0

    dL = L2 - L1
    dC = c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))

    L_mean = (L1 + L2) / 2
    cp_mean = (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    else:
        hp_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp_mean - 30))
        + 0.24 * math.cos(math.radians(2 * hp_mean))
        + 0.32 * math.cos(math.radians(3 * hp_mean + 6))
        - 0.20 * math.cos(math.radians(4 * hp_mean - 63))
    )
    d_theta = 30 * math.exp(-(((hp_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    s_l = 1 + 0.015 * (L_mean - 50) ** 2 / math.sqrt(20 + (L_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dL / s_l) ** 2 + (dC / s_c) ** 2 + (dH / s_h) ** 2 + r_t * (dC / s_c) * (dH / s_h))


def delta_e(colour1, colour2, kind: str = "normal") -> float:
    """CIEDE2000 between two colours as a person with ``kind`` sees them (see ``simulate``)."""
    return ciede2000(lab(simulate(colour1, kind)), lab(simulate(colour2, kind)))


def min_difference(colours, kinds=VISIONS) -> tuple[float, str, tuple]:
    """The closest pair of ``colours`` under any of ``kinds``: (ΔE00, kind, (colour1, colour2)).

    Fewer than two colours give (inf, "", ()).
    """
    best = (math.inf, "", ())
    for kind in kinds:
        for first, second in itertools.combinations(colours, 2):
            difference = delta_e(first, second, kind)
            if difference < best[0]:
                best = (difference, kind, (first, second))
    return best
