"""The course's penalties in the terms of scikit-learn, PyTorch, Keras and glmnet, both ways.

The course minimizes J(w, b) = MSE + penalty(w), MSE = (1/n)·Σ(yᵢ − xᵢ·w − b)², with
penalty = λ₁·Σ|wⱼ| + λ₂·Σwⱼ² (``L1(λ)``: λ₁ = λ; ``L2(λ)``: λ₂ = λ; ``ElasticNet(l1=λ₁, l2=λ₂)``).
Other tools scale the loss or the penalty differently; multiplying an objective by a positive
constant does not move its minimizer, so each conversion is found by rescaling the tool's
objective until its loss term is the MSE and reading off the penalty:

==========================  ===========================================  ============================
tool                        objective it minimizes                       in the course's terms
==========================  ===========================================  ============================
sklearn ``Ridge(alpha)``    ‖y − Xw‖² + α‖w‖²                            λ₂ = α/n
sklearn ``Lasso(alpha)``    (1/2n)‖y − Xw‖² + α‖w‖₁                      λ₁ = 2α
sklearn ``ElasticNet``      (1/2n)‖y − Xw‖² + αρ‖w‖₁ + ½α(1 − ρ)‖w‖²     λ₁ = 2αρ, λ₂ = α(1 − ρ)
torch ``weight_decay=wd``   adds wd·w to the gradient                    λ₂ = wd/2
Keras ``L1L2(l1, l2)``      adds l1·Σ|w| + l2·Σw² to the loss            λ₁ = l1, λ₂ = l2
glmnet (gaussian)           documented: (1/2n)‖y − Xβ‖² + λ[α‖β‖₁ +       λ₁ = 2λα, λ₂ = λ(1 − α)/s_y
                            ½(1 − α)‖β‖²], but y is first scaled by s_y  (s_y = np.std(y); to_glmnet)
==========================  ===========================================  ============================

(The intercept is unpenalized in all of them.) ``verification_table`` checks every row of this
table live against the real libraries. Nothing heavy is imported here: scikit-learn, Keras,
PyTorch and glmnet are imported inside the functions that need them.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from regcourse._arrays import as_real_number, check_fraction, check_nonnegative
from regcourse.penalties import L1, L2, ElasticNet, Penalty

__all__ = [
    "to_sklearn",
    "from_sklearn",
    "torch_weight_decay",
    "from_torch_weight_decay",
    "import_keras",
    "to_keras",
    "from_keras",
    "to_glmnet",
    "from_glmnet",
    "verification_table",
]

_SKLEARN_NAMES = ("Ridge", "Lasso", "ElasticNet", "LinearRegression")
# Cross-validated estimators: once fitted, their chosen alpha_ (and l1_ratio_) define the model.
_SKLEARN_CV = {"RidgeCV": "Ridge", "LassoCV": "Lasso", "ElasticNetCV": "ElasticNet"}


# --- validation --------------------------------------------------------------------------------


def _check_penalty(penalty) -> tuple[float, float]:
    """(λ₁, λ₂) of a regcourse penalty, or TypeError."""
    if not isinstance(penalty, Penalty) or type(penalty) is Penalty:
        raise TypeError(
            f"penalty must be a regcourse penalty (L1, L2 or ElasticNet), got {type(penalty).__name__} {penalty!r}"
        )
    return float(penalty.l1_coef), float(penalty.l2_coef)


def _check_n_samples(n_samples) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"n_samples must be an integer, got {type(n_samples).__name__} {n_samples!r}")
    if n_samples <= 0:
        raise ValueError(f"n_samples must be > 0, got {n_samples}")
    return int(n_samples)


def _check_positive(value, name: str) -> float:
    value = as_real_number(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


# --- scikit-learn ------------------------------------------------------------------------------


def to_sklearn(penalty, n_samples=None) -> tuple[str, dict]:
    """The scikit-learn estimator (name, parameters) that minimizes MSE + ``penalty``.

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
    l1, l2 = _check_penalty(penalty)
    if n_samples is not None:
        n_samples = _check_n_samples(n_samples)
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
        return L2(alpha / _check_n_samples(n_samples))
    if name == "Lasso":
        return L1(2.0 * alpha)
    rho = check_fraction(values["l1_ratio"], "l1_ratio")
    return ElasticNet(l1=2.0 * alpha * rho, l2=alpha * (1.0 - rho))


def _sklearn_name_and_params(estimator_or_name, params) -> tuple[str, dict]:
    """The estimator's class name among _SKLEARN_NAMES and the parameters that define its penalty."""
    if isinstance(estimator_or_name, str):
        name = estimator_or_name
        if name not in _SKLEARN_NAMES:
            raise ValueError(
                f"estimator_or_name must be one of {', '.join(_SKLEARN_NAMES)}, got {name!r}"
            )
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


# --- PyTorch -----------------------------------------------------------------------------------


def torch_weight_decay(penalty) -> float:
    """The ``weight_decay`` of a PyTorch optimizer that acts as the L2 penalty λ·Σw²: wd = 2λ.

    ``torch.optim.SGD(params, weight_decay=wd)`` adds wd·w to each gradient before its step.
    The gradient of λ·Σw² is 2λ·w, so the two steps agree when wd = 2λ. The same holds for the
    optimizers that add wd·w to the gradient (SGD, Adam, RMSprop, Adagrad), but not for
    ``AdamW``, whose decoupled decay shrinks the weights outside Adam's rescaling and is no
    penalty in the loss. Put the bias in a parameter group with ``weight_decay=0``: the
    course never penalizes the intercept.

    Weight decay can only be an L2 penalty: an L1 part (λ₁ > 0) raises ValueError.
    """
    l1, l2 = _check_penalty(penalty)
    if l1 > 0.0:
        raise ValueError(
            f"penalty {penalty!r} has an L1 part, but weight decay adds wd·w to the gradient, the "
            "gradient of an L2 penalty only; add the L1 part to the loss (or use a proximal step)"
        )
    return 2.0 * l2


def from_torch_weight_decay(weight_decay) -> L2:
    """The L2 penalty that a PyTorch ``weight_decay`` applies: L2(weight_decay/2).

    wd·w is the gradient of (wd/2)·Σw², the course's L2 with λ = wd/2 (see ``torch_weight_decay``).
    """
    return L2(check_nonnegative(weight_decay, "weight_decay") / 2.0)


# --- Keras -------------------------------------------------------------------------------------


def import_keras():
    """The ``keras`` module, on the torch backend: how the course (and a learner) loads Keras 3.

    Keras picks its backend once per process, when it is first imported; this sets
    KERAS_BACKEND to "torch" if it is unset, imports Keras, and explains what to do when Keras
    was already imported with another backend.
    """
    from regcourse._keras import import_keras as load

    return load()


def to_keras(penalty):
    """The Keras 3 regularizer with the same value: L1(l1=λ), L2(l2=λ) or L1L2(l1=λ₁, l2=λ₂).

    Keras adds l1·Σ|w| + l2·Σw² to the loss, with no ½ on the square: the course's convention, so
    the numbers carry over unchanged. Keras computes in the weights' dtype (often float32) and
    stores an L1's coefficient as a float32 tensor, so values agree to float32 precision.
    """
    l1, l2 = _check_penalty(penalty)
    from regcourse._keras import import_keras

    regularizers = import_keras().regularizers
    if penalty.kind == "l1":
        return regularizers.L1(l1=l1)
    if penalty.kind == "l2":
        return regularizers.L2(l2=l2)
    return regularizers.L1L2(l1=l1, l2=l2)


def from_keras(regularizer) -> Penalty:
    """The regcourse penalty of a Keras L1, L2 or L1L2 regularizer (λ = Keras's coefficient).

    Keras ``L1(l1)`` → ``L1(l1)``, ``L2(l2)`` → ``L2(l2)``, ``L1L2(l1, l2)`` →
    ``ElasticNet(l1=l1, l2=l2)``; see ``to_keras``.
    """
    from regcourse._keras import import_keras

    regularizers = import_keras().regularizers
    if isinstance(regularizer, regularizers.L1L2):
        return ElasticNet(l1=float(regularizer.l1), l2=float(regularizer.l2))
    if isinstance(regularizer, regularizers.L1):
        return L1(float(regularizer.l1))
    if isinstance(regularizer, regularizers.L2):
        return L2(float(regularizer.l2))
    raise TypeError(
        f"regularizer must be a Keras L1, L2 or L1L2 regularizer, got {type(regularizer).__name__}"
    )


# --- glmnet ------------------------------------------------------------------------------------


def _y_std_for(y_std, has_l2_part: bool) -> float:
    """s_y, required whenever there is an L2 part: without it the answer would be silently wrong."""
    if y_std is None:
        if has_l2_part:
            raise ValueError("y_std is required for a penalty with an L2 part: glmnet divides that part by "
                             "the standard deviation of y, so pass y_std=np.std(y) (1.0 for a standardized y)")
        return 1.0
    return _check_positive(y_std, "y_std")


def to_glmnet(penalty, *, y_std=None) -> dict:
    """glmnet's ``{"alpha": mixing, "lambda": strength}`` for the course's penalty.

    glmnet (family "gaussian") documents its objective as
    (1/2n)‖y − Xβ‖² + λ[α‖β‖₁ + ½(1 − α)‖β‖²]. Times 2: MSE + 2λα‖β‖₁ + λ(1 − α)‖β‖², so
    λ₁ = 2λα and λ₂ = λ(1 − α), i.e. **lambda = λ₁/2 + λ₂** and **alpha = λ₁/(λ₁ + 2λ₂)**
    (the same numbers as sklearn ElasticNet's alpha and l1_ratio).

    Two things to know before comparing fits:

    * ``standardize`` (True by default) makes glmnet penalize the coefficients of the
      standardized features (xⱼ − x̄ⱼ)/sⱼ, with sⱼ the 1/n standard deviation, and report them
      back on X's scale. The equivalence then holds on standardized X; pass
      ``standardize=False`` for it to hold on X itself.
    * glmnet's Fortran code divides y by its 1/n standard deviation s_y (``np.std(y)`` with an
      intercept) and λ by s_y before solving. That leaves the L1 part exact but divides the L2
      part by s_y: it really minimizes MSE + 2λα‖β‖₁ + (λ(1 − α)/s_y)‖β‖². Pass
      ``y_std=np.std(y)`` to correct for it (lambda = λ₁/2 + λ₂·s_y, alpha = (λ₁/2)/lambda);
      it is required whenever the penalty has an L2 part (1.0 for a standardized y, which R's
      glmnet documentation recommends supplying), and not needed for a pure L1 penalty.

    A penalty whose coefficients are all 0 gives lambda 0 (alpha then does not matter: 1 for
    L1 and elastic net, 0 for L2).
    """
    l1, l2 = _check_penalty(penalty)
    y_std = _y_std_for(y_std, l2 > 0)
    strength = l1 / 2.0 + l2 * y_std
    if strength == 0.0:
        return {"alpha": 0.0 if penalty.kind == "l2" else 1.0, "lambda": 0.0}
    return {"alpha": (l1 / 2.0) / strength, "lambda": strength}


def from_glmnet(alpha, lambda_, *, y_std=None) -> Penalty:
    """The regcourse penalty of glmnet's ``alpha`` (mixing) and ``lambda`` (strength).

    λ₁ = 2·lambda·alpha and λ₂ = lambda·(1 − alpha)/y_std (see ``to_glmnet`` for both formulas
    and for ``y_std``). alpha = 1 gives ``L1``, alpha = 0 ``L2``, anything between ``ElasticNet``.
    """
    alpha = check_fraction(alpha, "alpha")
    lambda_ = check_nonnegative(lambda_, "lambda_")
    y_std = _y_std_for(y_std, alpha < 1.0 and lambda_ > 0)
    if alpha == 1.0:
        return L1(2.0 * lambda_)
    if alpha == 0.0:
        return L2(lambda_ / y_std)
    return ElasticNet(l1=2.0 * lambda_ * alpha, l2=lambda_ * (1.0 - alpha) / y_std)


# --- the live conversion table -------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """One row of ``verification_table``: a tool, the setting converted from the course's λ₁ and
    λ₂, and how far the tool's answer is from the course's own (``None`` when skipped)."""

    tool: str
    rule: str
    setting: str
    l1: float
    l2: float
    compared: str
    difference: float | None
    rtol: float
    note: str = ""

    @property
    def verified(self) -> bool | None:
        """True when the difference is within ``rtol``, False when not, None when skipped."""
        return None if self.difference is None else bool(self.difference <= self.rtol)

    @property
    def outcome(self) -> str:
        if self.verified is None:
            return self.note
        if self.verified:
            return f"✓ agrees to {_short(self.rtol)}"
        return f"✗ off by {self.difference:.1e}"


class VerificationTable(tuple):
    """The rows of ``verification_table``; shows itself as a table (HTML in Jupyter, text elsewhere)."""

    HEADER = ("tool", "conversion", "its setting", "our λ₁", "our λ₂", "compared", "verified")

    @property
    def ok(self) -> bool:
        """True when no row that ran disagrees (skipped rows do not count against it)."""
        return all(row.verified is not False for row in self)

    def _cells(self) -> list[tuple[str, ...]]:
        return [(r.tool, r.rule, r.setting, f"{r.l1:g}", f"{r.l2:g}", r.compared, r.outcome) for r in self]

    def __str__(self) -> str:
        rows = [self.HEADER, *self._cells()]
        widths = [max(len(row[j]) for row in rows) for j in range(len(self.HEADER))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from html import escape

        head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in self.HEADER)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{escape(c)}</td>" for c in cells) + "</tr>"
            for cells in self._cells()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _short(x: float) -> str:
    """1e-06 → "1e-6"."""
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _relative_difference(got, expected) -> float:
    """max|got − expected| / max|expected|: how far, relative to the size of the answer."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return float(np.abs(got - expected).max() / max(float(np.abs(expected).max()), 1e-300))


_SKLEARN_RULES = {
    "Ridge": "alpha = n·λ₂",
    "Lasso": "alpha = λ₁/2",
    "ElasticNet": "alpha = λ₁/2 + λ₂, l1_ratio = λ₁/(λ₁ + 2λ₂)",
}
_GLMNET_RULE = "lambda = λ₁/2 + λ₂·sd(y), alpha = (λ₁/2)/lambda"


def verification_table(X, y, penalty, *, rtol: float = 1e-6) -> VerificationTable:
    """Convert ElasticNet(l1=λ₁, l2=λ₂) to each tool's terms and check each against the real library.

    Every row uses the conversion functions of this module and compares the library's answer
    with the course's own (``regcourse.linear.fit`` on J = MSE + penalty, or the penalty's value
    and gradient), as a relative difference max|Δ|/max|ours| that must be at most ``rtol``:

    * scikit-learn ``Ridge`` on L2(λ₂), ``Lasso`` on L1(λ₁), ``ElasticNet`` on both: the
      fitted ``coef_`` against ``linear.fit``.
    * PyTorch ``SGD(weight_decay=2λ₂)``: one step on the MSE alone against one step on
      MSE + L2(λ₂) (the course's penalty, differentiated by autograd), from the same weights.
    * Keras ``L1L2(l1=λ₁, l2=λ₂)`` on a ``Dense(1)`` layer holding the course's elastic-net
      solution, then other weights: Keras's ``"mse"`` loss and ``model.losses`` against the
      course's MSE and penalty, each part separately.
    * glmnet with ``to_glmnet(penalty, y_std=np.std(y))``, ``standardize=False``: its
      coefficients against ``linear.fit``. Skipped, with a note saying so, when python-glmnet is
      not installed (it is a Linux-only, optional dependency).

    scikit-learn, PyTorch and Keras are imported here when not already; the fits take a
    fraction of a second on a few hundred samples.
    """
    import warnings

    from regcourse import linear
    from regcourse._arrays import check_xy

    X, y = check_xy(X, y)
    l1, l2 = _check_penalty(penalty)
    if l1 <= 0.0 or l2 <= 0.0:
        raise ValueError("penalty must have both an L1 and an L2 part (ElasticNet(l1=λ₁, l2=λ₂) with "
                         f"λ₁, λ₂ > 0), got {penalty!r}")
    rtol = _check_positive(rtol, "rtol")
    n, p = X.shape
    lasso, ridge, enet = L1(l1), L2(l2), ElasticNet(l1=l1, l2=l2)
    ours = {pen: linear.fit(X, y, pen) for pen in (lasso, ridge, enet)}
    rows = []

    # scikit-learn: fit with the converted parameters, compare the coefficients.
    from sklearn import linear_model
    from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning

    for pen in (ridge, lasso, enet):
        name, params = to_sklearn(pen, n)
        tight = {} if name == "Ridge" else {"tol": 1e-12, "max_iter": 1_000_000}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SklearnConvergenceWarning)  # an unconverged fit shows as ✗
            model = getattr(linear_model, name)(**params, **tight).fit(X, y)
        setting = ", ".join(f"{key} = {value:.4g}" for key, value in params.items())
        rows.append(Verification(f"scikit-learn {name}", _SKLEARN_RULES[name], setting, pen.l1_coef, pen.l2_coef,
                                 "coef_ vs linear.fit", _relative_difference(model.coef_, ours[pen].coef), rtol))

    # PyTorch: weight decay against the course's L2 in the loss, one SGD step from the same weights.
    import torch

    Xt, yt = torch.as_tensor(np.ascontiguousarray(X)), torch.as_tensor(np.ascontiguousarray(y))
    start = torch.from_numpy(np.random.default_rng(0).normal(size=p))  # any weights away from 0 will do
    wd = torch_weight_decay(ridge)

    def sgd_step(weight_decay, pen):
        w = start.clone().requires_grad_(True)
        b = torch.zeros((), dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.SGD([{"params": [w], "weight_decay": weight_decay},
                                     {"params": [b], "weight_decay": 0.0}], lr=0.01)
        loss = torch.mean((yt - Xt @ w - b) ** 2)
        if pen is not None:
            loss = loss + pen(w)
        loss.backward()
        optimizer.step()
        return (w.detach() - start).numpy()

    rows.append(Verification("PyTorch SGD", "weight_decay = 2λ₂", f"weight_decay = {wd:.4g}", 0.0, l2,
                             "one step vs MSE + L2 in the loss",
                             _relative_difference(sgd_step(wd, None), sgd_step(0.0, ridge)), rtol))

    # Keras: a Dense(1) layer holding the course's solution (and then other weights); its "mse"
    # loss and model.losses against the course's MSE and penalty.
    from regcourse._keras import import_keras

    keras = import_keras()
    layer = keras.layers.Dense(1, kernel_regularizer=to_keras(enet), dtype="float64")
    model = keras.Sequential([keras.Input(shape=(p,)), layer])
    differences = []
    for coef, intercept in ((ours[enet].coef, ours[enet].intercept), (start.numpy(), float(np.mean(y)))):
        layer.set_weights([coef.reshape(p, 1), np.array([intercept])])
        keras_mse = keras.losses.MeanSquaredError()(y[:, None], model(X))
        keras_penalty = sum(float(keras.ops.convert_to_numpy(term)) for term in model.losses)
        our_mse = linear.mse(X, y, coef, intercept)
        differences += [_relative_difference(keras.ops.convert_to_numpy(keras_mse), our_mse),
                        _relative_difference(keras_penalty, enet(coef))]
    rows.append(Verification("Keras Dense", "l1 = λ₁, l2 = λ₂", f"L1L2(l1={l1:.4g}, l2={l2:.4g}), loss 'mse'",
                             l1, l2, "'mse' + model.losses vs MSE + penalty", max(differences), rtol))

    # glmnet: optional; the L2 part needs sd(y).
    params = to_glmnet(enet, y_std=float(np.std(y)))
    setting = f"alpha = {params['alpha']:.4g}, lambda = {params['lambda']:.4g}"
    try:
        import glmnet
    except ImportError:
        rows.append(Verification("glmnet", _GLMNET_RULE, setting, l1, l2, "coef vs linear.fit", None, rtol,
                                 "glmnet not installed — skipped"))
    else:
        model = glmnet.ElasticNet(alpha=params["alpha"], lambda_path=np.array([params["lambda"]]),
                                  standardize=False, fit_intercept=True, n_splits=0, tol=1e-20,
                                  max_iter=10_000_000).fit(X, y)
        rows.append(Verification("glmnet", _GLMNET_RULE, setting, l1, l2, "coef vs linear.fit",
                                 _relative_difference(model.coef_path_[:, 0], ours[enet].coef), rtol))
    return VerificationTable(rows)
