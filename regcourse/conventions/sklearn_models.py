"""The course's penalties as scikit-learn estimators (Ridge, Lasso, ElasticNet), both ways.

Every scikit-learn conversion lives here. ``to_sklearn`` picks the regression estimator that
matches the penalty's kind; a classifier (LogisticRegression and its C, issue 16) gets its own
pair of functions here and a way to ask for it in ``to_sklearn``, without touching the others.
scikit-learn itself is imported only by ``from_sklearn``.
"""

from __future__ import annotations

from regcourse._arrays import check_fraction, check_nonnegative
from regcourse.conventions._checks import check_n_samples, check_penalty
from regcourse.penalties import L1, L2, ElasticNet, Penalty

__all__ = ["to_sklearn", "from_sklearn", "to_sklearn_logistic", "from_sklearn_logistic"]

_ESTIMATORS = ("regression", "LogisticRegression")

_SKLEARN_NAMES = ("Ridge", "Lasso", "ElasticNet", "LinearRegression")
# Cross-validated estimators: once fitted, their chosen alpha_ (and l1_ratio_) define the model.
_SKLEARN_CV = {"RidgeCV": "Ridge", "LassoCV": "Lasso", "ElasticNetCV": "ElasticNet"}


def to_sklearn(penalty, n_samples=None, estimator: str = "regression") -> tuple[str, dict]:
    """The scikit-learn estimator (name, parameters) that minimizes MSE + ``penalty``; with
    ``estimator="LogisticRegression"``, the classifier that minimizes the mean log-loss +
    ``penalty`` (see ``to_sklearn_logistic``).

    Multiply each sklearn objective by the constant that turns its loss into the MSE:

    * ``Ridge`` minimizes ‖y − Xw‖² + α‖w‖². Divided by n: MSE + (α/n)‖w‖², so λ = α/n and
      **alpha = λ·n** (the only conversion that needs ``n_samples``).
    * ``Lasso`` minimizes (1/2n)‖y − Xw‖² + α‖w‖₁. Times 2: MSE + 2α‖w‖₁, so **alpha = λ/2**.
    * ``ElasticNet`` minimizes (1/2n)‖y − Xw‖² + αρ‖w‖₁ + ½α(1 − ρ)‖w‖². Times 2:
      MSE + 2αρ‖w‖₁ + α(1 − ρ)‖w‖², so λ₁ = 2αρ and λ₂ = α(1 − ρ), i.e.
      **alpha = λ₁/2 + λ₂** and **l1_ratio = ρ = λ₁/(λ₁ + 2λ₂)**. Note that sklearn's l1_ratio
      is not the course's mix λ₁/(λ₁ + λ₂): sklearn's L2 term carries a ½.

    An ``ElasticNet`` penalty stays an sklearn ElasticNet even when one part is 0 (l1_ratio 1
    or 0). A penalty whose coefficients are all 0 is no penalty: the answer is then
    ``("LinearRegression", {})`` whatever its kind, since Lasso(alpha=0) is discouraged by
    scikit-learn and the elastic net's l1_ratio would be undefined.

    Use it as ``name, params = to_sklearn(pen, len(y))`` and then
    ``getattr(sklearn.linear_model, name)(**params)``; keep ``fit_intercept=True`` (the default),
    as the course's intercept is fitted and unpenalized.
    """
    if estimator not in _ESTIMATORS:
        raise ValueError(f"estimator must be one of {', '.join(map(repr, _ESTIMATORS))}, got {estimator!r}")
    if estimator == "LogisticRegression":
        return to_sklearn_logistic(penalty, n_samples)
    l1, l2 = check_penalty(penalty)
    if n_samples is not None:
        n_samples = check_n_samples(n_samples)
    if l1 == 0.0 and l2 == 0.0:
        return "LinearRegression", {}
    if penalty.kind == "l2":
        if n_samples is None:
            raise ValueError(
                "n_samples is required for an L2 penalty: Ridge's alpha weighs ‖w‖² against the sum "
                "of squared errors, not their mean, so alpha = λ·n"
            )
        return "Ridge", {"alpha": l2 * n_samples}
    if penalty.kind == "l1":
        return "Lasso", {"alpha": l1 / 2.0}
    return "ElasticNet", {"alpha": l1 / 2.0 + l2, "l1_ratio": l1 / (l1 + 2.0 * l2)}


def from_sklearn(estimator_or_name, params: dict | None = None, *, n_samples=None) -> Penalty:
    """The regcourse penalty whose MSE + penalty objective a scikit-learn estimator minimizes.

    The inverse of ``to_sklearn`` (derivations there):

    * ``Ridge(alpha)`` → ``L2(alpha/n)``; n = ``n_samples`` is required, since a Ridge
      (even a fitted one) does not record how many samples it saw.
    * ``Lasso(alpha)`` → ``L1(2·alpha)``.
    * ``ElasticNet(alpha, l1_ratio=ρ)`` → ``ElasticNet(l1=2αρ, l2=α(1 − ρ))``.
    * ``LinearRegression`` → ``L2(0.0)``, no penalty (the kind is a convention).

    ``estimator_or_name`` is an estimator, fitted or not, or its class name with ``params``
    (sklearn's defaults fill what ``params`` leaves out). A fitted ``RidgeCV``, ``LassoCV`` or
    ``ElasticNetCV`` gives the penalty of the alpha (and l1_ratio) it chose.
    """
    name, values = _sklearn_name_and_params(estimator_or_name, params)
    if values.get("positive"):
        raise ValueError(
            f"estimator_or_name: {name}(positive=True) also forces the weights to be >= 0, "
            "which no course penalty expresses"
        )
    if name == "LinearRegression":
        return L2(0.0)
    alpha = check_nonnegative(values["alpha"], "alpha")
    if name == "Ridge":
        if n_samples is None:
            raise ValueError("n_samples is required for Ridge: its alpha is λ·n, so λ = alpha/n")
        return L2(alpha / check_n_samples(n_samples))
    if name == "Lasso":
        return L1(2.0 * alpha)
    rho = check_fraction(values["l1_ratio"], "l1_ratio")
    return ElasticNet(l1=2.0 * alpha * rho, l2=alpha * (1.0 - rho))


def _sklearn_name_and_params(estimator_or_name, params) -> tuple[str, dict]:
    """The estimator's class name among _SKLEARN_NAMES and the parameters that define its penalty."""
    if isinstance(estimator_or_name, str):
        name = estimator_or_name
        if name not in _SKLEARN_NAMES:
            raise ValueError(f"estimator_or_name must be one of {', '.join(_SKLEARN_NAMES)}, got {name!r}")
        if params is not None and not isinstance(params, dict):
            raise TypeError(f"params must be a dict of the estimator's parameters, got {type(params).__name__}")
        from sklearn import linear_model

        # Building the estimator checks the parameter names and supplies sklearn's defaults.
        return name, getattr(linear_model, name)(**(params or {})).get_params()

    if params is not None:
        raise TypeError("params is only for a name; an estimator carries its own parameters")
    if not hasattr(estimator_or_name, "get_params"):
        raise TypeError(
            "estimator_or_name must be a scikit-learn Ridge, Lasso or ElasticNet (or its name), "
            f"got {type(estimator_or_name).__name__}"
        )
    from sklearn import linear_model

    cls_name = type(estimator_or_name).__name__
    values = estimator_or_name.get_params()
    if cls_name in _SKLEARN_CV and isinstance(estimator_or_name, getattr(linear_model, cls_name)):
        if not hasattr(estimator_or_name, "alpha_"):
            raise ValueError(f"estimator_or_name: fit the {cls_name} first; its penalty is the alpha it chooses")
        values = {"alpha": estimator_or_name.alpha_, "positive": values.get("positive", False)}
        if hasattr(estimator_or_name, "l1_ratio_"):
            values["l1_ratio"] = estimator_or_name.l1_ratio_
        return _SKLEARN_CV[cls_name], values
    for name in _SKLEARN_NAMES:
        # Exact classes: a subclass (e.g. MultiTaskLasso) may minimize something else.
        if type(estimator_or_name) is getattr(linear_model, name):
            return name, values
    raise ValueError(
        f"estimator_or_name must be a scikit-learn Ridge, Lasso, ElasticNet or LinearRegression, got {cls_name}"
    )


# --- LogisticRegression: the inverse strength C ------------------------------------------------


def _sklearn_before_1_8() -> bool:
    """scikit-learn 1.8 deprecated LogisticRegression(penalty=...): l1_ratio alone chooses the
    penalty there (and C = inf means none). Read from the installed metadata, without importing it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(part) for part in version("scikit-learn").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) < (1, 8)


def to_sklearn_logistic(penalty, n_samples) -> tuple[str, dict]:
    """``("LogisticRegression", params)`` minimizing (1/n)·Σ log-loss + ``penalty``, labels 0/1.

    scikit-learn minimizes C·Σℓᵢ + ρ‖w‖₁ + ½(1 − ρ)‖w‖² (ρ = l1_ratio). Divided by C·n it is the
    mean log-loss + ρ/(Cn)·‖w‖₁ + (1 − ρ)/(2Cn)·‖w‖², so λ₁ = ρ/(Cn) and λ₂ = (1 − ρ)/(2Cn):

    * L2(λ): ρ = 0 and **C = 1/(2nλ)**;
    * L1(λ): ρ = 1 and **C = 1/(nλ)**;
    * ElasticNet(l1=λ₁, l2=λ₂): **C = 1/(n(λ₁ + 2λ₂))** and **l1_ratio = λ₁/(λ₁ + 2λ₂)**.

    The solver is "lbfgs" for pure L2 and "saga" otherwise (both leave the intercept unpenalized;
    "liblinear" would penalize it). For scikit-learn before 1.8 the parameters also name the
    ``penalty`` ("l2", "l1" or "elasticnet"); from 1.8 on ``l1_ratio`` alone says it. No penalty
    at all is C = inf (``penalty=None`` before 1.8).
    """
    l1, l2 = check_penalty(penalty)
    if n_samples is None:
        raise ValueError(
            "n_samples is required for LogisticRegression: C weighs the sum of the losses, so C = 1/(n·(λ₁ + 2λ₂))"
        )
    n = check_n_samples(n_samples)
    old = _sklearn_before_1_8()
    if l1 == 0.0 and l2 == 0.0:
        return "LogisticRegression", ({"penalty": None} if old else {"C": float("inf"), "l1_ratio": 0.0})
    total = l1 + 2.0 * l2
    rho = l1 / total
    params = {"C": 1.0 / (n * total), "l1_ratio": rho, "solver": "lbfgs" if rho == 0.0 else "saga"}
    if old:
        params["penalty"] = "l2" if rho == 0.0 else "l1" if rho == 1.0 else "elasticnet"
        if rho in (0.0, 1.0):
            del params["l1_ratio"]  # older versions warn about an l1_ratio they do not use
    return "LogisticRegression", params


def from_sklearn_logistic(estimator_or_params, n_samples) -> Penalty:
    """The course penalty of a scikit-learn ``LogisticRegression`` (an estimator, or its
    parameters as a dict) fitted on ``n_samples`` rows: λ₁ = ρ/(Cn), λ₂ = (1 − ρ)/(2Cn), where ρ
    is l1_ratio (or 0 for penalty="l2", 1 for "l1"). Pure L1 or L2 come back as L1 or L2."""
    import math

    if isinstance(estimator_or_params, dict):
        values = dict(estimator_or_params)
    elif hasattr(estimator_or_params, "get_params") and type(estimator_or_params).__name__ == "LogisticRegression":
        values = estimator_or_params.get_params()
    else:
        raise TypeError(
            "estimator_or_params must be a scikit-learn LogisticRegression or a dict of its "
            f"parameters, got {type(estimator_or_params).__name__}"
        )
    n = check_n_samples(n_samples)
    if values.get("solver") == "liblinear" and values.get("fit_intercept", True):
        raise ValueError(
            "estimator_or_params: solver='liblinear' penalizes the intercept too, "
            "which the course's objective never does; use 'lbfgs' or 'saga'"
        )
    penalty = values.get("penalty", "deprecated")
    C = float(values.get("C", 1.0))
    if penalty is None or penalty == "none" or math.isinf(C):
        return L2(0.0)
    if not C > 0:
        raise ValueError(f"C must be positive, got {C}")
    if penalty == "l2":
        rho = 0.0
    elif penalty == "l1":
        rho = 1.0
    else:  # "elasticnet", or scikit-learn ≥ 1.8 where l1_ratio alone decides
        ratio = values.get("l1_ratio")
        rho = check_fraction(0.0 if ratio is None else ratio, "l1_ratio")
    if rho == 0.0:
        return L2(1.0 / (2.0 * C * n))
    if rho == 1.0:
        return L1(1.0 / (C * n))
    return ElasticNet(l1=rho / (C * n), l2=(1.0 - rho) / (2.0 * C * n))
