"""Chapter 00: a warm-up exercise that shows how checks work."""

import numpy as np

from regcourse.exercises._checking import case_rng, compare
from regcourse.exercises._registry import exercise

CHAPTER = 0


@exercise("welcome.double", chapter=CHAPTER, title="Warm-up: double every weight", points=1)
def check_double(double):
    rng = case_rng("welcome.double")

    def reference(w):
        return 2.0 * np.asarray(w, dtype=float)

    compare(
        double,
        reference,
        [(np.array([1.0, -2.0, 0.5]),)],
        "every entry should be multiplied by 2",
        mistakes=[(lambda v: v / 4, "that halves the weights; double them instead")],
    )
    compare(double, reference, [(rng.normal(size=(2, 3)),)], "for a matrix, double every entry and keep the shape")
