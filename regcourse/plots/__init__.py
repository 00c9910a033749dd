"""The course's figures. Every function takes an optional ``ax`` and returns its Figure.

matplotlib is imported when a figure is made, not by ``import regcourse``.
"""

from regcourse.plots._style import panels
from regcourse.plots.after_lasso import group_selection, stability_frequencies, thresholding_rules, two_minima
from regcourse.plots.beyond import (
    bias_variance_curves,
    early_stopping_vs_ridge,
    image_gallery,
    lp_balls,
    patience_curve,
)
from regcourse.plots.classification import coefficient_image, decision_boundaries, reliability_diagram
from regcourse.plots.curves import cv_curve, overfitting_curves, polynomial_fits
from regcourse.plots.folds import kfold_diagram
from regcourse.plots.geometry import constraint_geometry
from regcourse.plots.implicit import double_descent_curves, min_norm_convergence, separating_directions
from regcourse.plots.landscape import penalty_landscape
from regcourse.plots.paths import coefficient_path, path_with_fits
from regcourse.plots.ridge_svd import criteria_curves, degrees_of_freedom_curves, shrinkage_factors
from regcourse.plots.spread import coefficient_spread
from regcourse.plots.training import network_fits, training_curves
from regcourse.plots.weights import weight_bars, weight_histogram, weights_of

__all__ = [
    "constraint_geometry",
    "penalty_landscape",
    "overfitting_curves",
    "cv_curve",
    "polynomial_fits",
    "coefficient_path",
    "path_with_fits",
    "coefficient_spread",
    "training_curves",
    "network_fits",
    "weight_histogram",
    "weight_bars",
    "weights_of",
    "panels",
    "kfold_diagram",
    "early_stopping_vs_ridge",
    "bias_variance_curves",
    "patience_curve",
    "lp_balls",
    "image_gallery",
    "decision_boundaries",
    "coefficient_image",
    "reliability_diagram",
    "thresholding_rules",
    "two_minima",
    "group_selection",
    "stability_frequencies",
    "shrinkage_factors",
    "degrees_of_freedom_curves",
    "criteria_curves",
    "min_norm_convergence",
    "double_descent_curves",
    "separating_directions",
]
