"""The peer adapters of benchmarks/_peers.py solve the course objective (a wrong conversion fails).

benchmarks/ is not a package: its directory goes on sys.path, as benchmarks/linear.py's own
directory does when it runs. scikit-learn is a dependency (these run in CI); skglm, celer,
python-glmnet and glum are optional, so their tests skip when they are absent.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import _peers  # noqa: E402

KKT_GOAL = 1e-8


def _problem(sparse=False):
    rng = np.random.default_rng(23)
    X = rng.normal(size=(40, 12)) + np.arange(12)  # non-zero means: the intercept matters
    y = X[:, :3] @ np.array([1.5, -2.0, 0.5]) + 3.0 + rng.normal(size=40)
    if sparse:
        X = scipy.sparse.csc_matrix(np.where(rng.random(X.shape) < 0.3, X, 0.0))
        return X, y - y.mean(), False
    return X, y, True


def _grid(X, y, fit_intercept, rho):
    top = 2.0 * _peers.Objective(X, y, fit_intercept).scale / rho
    return np.geomspace(top, top / 50, 6)


def _check(name, sparse=False):
    X, y, fit_intercept = _problem(sparse)
    objective = _peers.Objective(X, y, fit_intercept)
    run = _peers.ADAPTERS[name][1]
    for rho in (1.0, 0.5):
        lams = _grid(X, y, fit_intercept, rho)
        for single, grid in ((False, lams), (True, lams[3:4])):
            coefs, intercepts = run(X, y, grid, rho, fit_intercept, single)
            assert coefs.shape == (len(grid), X.shape[1]) and intercepts.shape == (len(grid),)
            assert objective.kkt(coefs, grid, rho) <= KKT_GOAL, (name, rho, single)
            ours, ours_b = _peers.run_regcourse(X, y, grid, rho, fit_intercept, single)
            J, J_ours = objective.values(coefs, intercepts, grid, rho), objective.values(ours, ours_b, grid, rho)
            np.testing.assert_allclose(J, J_ours, rtol=1e-10)  # the intercept too, through J


def test_the_kkt_check_catches_a_wrong_conversion():
    X, y, _ = _problem()
    lams = _grid(X, y, True, 1.0)
    coefs, _ = _peers.run_sklearn(X, y, 2.0 * lams, 1.0, True, False)  # as if alpha were λ, not λ/2
    assert _peers.Objective(X, y, True).kkt(coefs[1:], lams[1:], 1.0) > 1e-3


def test_the_scikit_learn_adapter_solves_the_course_objective():
    _check("sklearn")
    _check("sklearn", sparse=True)


@pytest.mark.parametrize("name", ["skglm", "celer", "glmnet", "glum"])
def test_an_optional_peer_adapter_solves_the_course_objective(name):
    pytest.importorskip(_peers.ADAPTERS[name][0])
    _check(name)


def test_a_peer_that_does_not_import_is_reported_not_raised(monkeypatch):
    monkeypatch.setitem(_peers.ADAPTERS, "nonexistent", ("no_such_module_for_the_benchmark", None))
    available, missing = _peers.availability()
    assert "sklearn" in available and "nonexistent" in missing
