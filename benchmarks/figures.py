"""Render every figure of regcourse.plots, and one frame of each explorer, to PNG files to look at.

python benchmarks/figures.py [--out /tmp/regcourse-figures]
"""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

import numpy as np


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/regcourse-figures")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from regcourse import linear
    from regcourse.data import load_diabetes, make_polynomial
    from regcourse.plots import (
        coefficient_path,
        constraint_geometry,
        cv_curve,
        overfitting_curves,
        penalty_landscape,
        polynomial_fits,
        weight_histogram,
    )
    from regcourse.selection import cross_validate
    from regcourse.widgets import geometry_explorer, overfitting_explorer, path_explorer

    diabetes, poly = load_diabetes(), make_polynomial()
    rng = np.random.default_rng(0)
    dense = rng.normal(scale=0.5, size=3000)
    figures = {
        "geometry_l1": constraint_geometry("l1"),
        "geometry_l2": constraint_geometry("l2"),
        "geometry_elastic_net": constraint_geometry("elastic_net"),
        "penalty_landscape": penalty_landscape(1.0),
        "polynomial_fits": polynomial_fits(poly.x, poly.y, truth=poly.truth),
        "overfitting_curves": overfitting_curves(
            range(1, 6), [0.5, 0.3, 0.2, 0.1, 0.05], [0.6, 0.4, 0.3, 0.4, 0.7], xlabel="degree", log_x=False, chosen=3
        ),
        "cv_curve": cv_curve(cross_validate(diabetes.X, diabetes.y, "l1")),
        "coefficient_path": coefficient_path(linear.path(diabetes.X, diabetes.y, "l1"), diabetes.feature_names),
        "weight_histogram": weight_histogram(
            {"no penalty": dense, "L2": 0.4 * dense, "L1": np.sign(dense) * np.maximum(np.abs(dense) - 0.4, 0)}
        ),
    }
    for name, fig in figures.items():
        fig.savefig(out / f"{name}.png", dpi=100)
    with contextlib.redirect_stdout(io.StringIO()):
        for name, explorer in {
            "explorer_geometry": geometry_explorer(),
            "explorer_overfitting": overfitting_explorer(),
            "explorer_path": path_explorer(),
        }.items():
            (out / f"{name}.png").write_bytes(explorer.render_png())
    for path in sorted(out.glob("*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
