"""kfold_diagram draws what k-fold cross-validation does: every sample validates exactly once."""

import numpy as np
import pytest

from regcourse.plots import kfold_diagram
from regcourse.selection import _folds


@pytest.mark.parametrize("n, k", [(20, 5), (23, 4), (10, 10)])
def test_each_sample_validates_exactly_once_and_folds_are_nearly_equal(n, k):
    folds = kfold_diagram(n, k).regcourse_folds
    assert folds.shape == (k, n)
    assert (folds.sum(axis=0) == 1).all()
    sizes = folds.sum(axis=1)
    assert sizes.max() - sizes.min() <= 1


def test_the_diagram_shows_the_same_folds_as_cross_validate():
    folds = kfold_diagram(20, 5, seed=3).regcourse_folds
    for round_, val in enumerate(_folds(20, 5, 3)):
        assert np.array_equal(np.flatnonzero(folds[round_]), np.sort(val))


def test_without_a_seed_the_folds_are_consecutive_blocks():
    folds = kfold_diagram(6, 3, seed=None).regcourse_folds
    assert np.array_equal(np.flatnonzero(folds[0]), [0, 1])


@pytest.mark.parametrize(
    "kwargs, name",
    [(dict(n_samples=1), "n_samples"), (dict(k=1), "k"), (dict(n_samples=4, k=5), "k"), (dict(k=2.5), "k")],
)
def test_bad_arguments_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        kfold_diagram(**kwargs)
