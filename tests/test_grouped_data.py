"""make_grouped_regression: the promised correlation inside the group, the truth, and the grouping effect."""

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso as SkLasso

from regcourse.data import make_grouped_regression


def test_group_members_have_the_promised_correlation_and_the_others_are_independent():
    data = make_grouped_regression(n_samples=20_000, group_size=3, n_other=4, within_correlation=0.9, seed=3)
    corr = np.corrcoef(data.X.T)
    group = corr[:3, :3][~np.eye(3, dtype=bool)]
    assert np.allclose(group, 0.9, atol=0.01)
    assert np.abs(corr[3:, :]).max(initial=0) <= 1.0 and np.abs(corr[3:, :3]).max() < 0.03
    assert np.allclose(data.X.std(axis=0), 1.0, atol=0.02)


def test_the_truth_weighs_the_group_equally_and_one_other_feature():
    data = make_grouped_regression(group_size=4, n_other=3, group_weight=0.5, other_weight=-2.0, noise=0.0, seed=2)
    assert data.coef.tolist() == [0.5] * 4 + [-2.0, 0.0, 0.0]
    assert np.allclose(data.y, data.X @ data.coef)
    assert data.feature_names == ("g1", "g2", "g3", "g4", "x1", "x2", "x3")


def test_same_seed_same_data():
    a, b = make_grouped_regression(seed=5), make_grouped_regression(seed=5)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, make_grouped_regression(seed=6).X)


def test_on_this_data_scikit_learn_shows_the_grouping_effect_the_lecture_teaches():
    # Independent oracle: scikit-learn's own Lasso and ElasticNet, not regcourse's solvers.
    data = make_grouped_regression()
    lasso = SkLasso(alpha=0.15).fit(data.X, data.y).coef_[:3]
    enet = SkElasticNet(alpha=0.225, l1_ratio=1 / 3).fit(data.X, data.y).coef_[:3]
    assert np.ptp(lasso) > 3 * np.ptp(enet)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(within_correlation=1.0), "within_correlation"),
        (dict(within_correlation=-0.1), "within_correlation"),
        (dict(group_size=0), "group_size"),
        (dict(n_other=-1), "n_other"),
        (dict(noise=-1.0), "noise"),
        (dict(group_weight=float("nan")), "group_weight"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make_grouped_regression(**kwargs)
