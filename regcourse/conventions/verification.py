"""The conversion table checked live: each tool's answer against the course's own.

This is the one part of ``regcourse.conventions`` that runs the other libraries: scikit-learn,
PyTorch and Keras (and glmnet when installed) are imported inside ``verification_table`` when
it is called. It uses the conversion functions of the sibling modules and nothing uses it, so
imports run one way: formulas ← verification.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regcourse.conventions._checks import check_penalty, check_positive
from regcourse.conventions.glmnet_settings import to_glmnet
from regcourse.conventions.keras_regularizers import to_keras
from regcourse.conventions.sklearn_models import to_sklearn
from regcourse.conventions.torch_optimizers import torch_weight_decay
from regcourse.penalties import L1, L2, ElasticNet

__all__ = ["Verification", "VerificationTable", "verification_table"]


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
    l1, l2 = check_penalty(penalty)
    if l1 <= 0.0 or l2 <= 0.0:
        raise ValueError(
            f"penalty must have both an L1 and an L2 part (ElasticNet(l1=λ₁, l2=λ₂) with λ₁, λ₂ > 0), got {penalty!r}"
        )
    rtol = check_positive(rtol, "rtol")
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
        rows.append(
            Verification(
                f"scikit-learn {name}",
                _SKLEARN_RULES[name],
                setting,
                pen.l1_coef,
                pen.l2_coef,
                "coef_ vs linear.fit",
                _relative_difference(model.coef_, ours[pen].coef),
                rtol,
            )
        )

    # PyTorch: weight decay against the course's L2 in the loss, one SGD step from the same weights.
    import torch

    Xt, yt = torch.as_tensor(np.ascontiguousarray(X)), torch.as_tensor(np.ascontiguousarray(y))
    start = torch.from_numpy(np.random.default_rng(0).normal(size=p))  # any weights away from 0 will do
    wd = torch_weight_decay(ridge)

    def sgd_step(weight_decay, pen):
        w = start.clone().requires_grad_(True)
        b = torch.zeros((), dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.SGD(
            [{"params": [w], "weight_decay": weight_decay}, {"params": [b], "weight_decay": 0.0}], lr=0.01
        )
        loss = torch.mean((yt - Xt @ w - b) ** 2)
        if pen is not None:
            loss = loss + pen(w)
        loss.backward()
        optimizer.step()
        return (w.detach() - start).numpy()

    rows.append(
        Verification(
            "PyTorch SGD",
            "weight_decay = 2λ₂",
            f"weight_decay = {wd:.4g}",
            0.0,
            l2,
            "one step vs MSE + L2 in the loss",
            _relative_difference(sgd_step(wd, None), sgd_step(0.0, ridge)),
            rtol,
        )
    )

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
        differences += [
            _relative_difference(keras.ops.convert_to_numpy(keras_mse), our_mse),
            _relative_difference(keras_penalty, enet(coef)),
        ]
    rows.append(
        Verification(
            "Keras Dense",
            "l1 = λ₁, l2 = λ₂",
            f"L1L2(l1={l1:.4g}, l2={l2:.4g}), loss 'mse'",
            l1,
            l2,
            "'mse' + model.losses vs MSE + penalty",
            max(differences),
            rtol,
        )
    )

    # glmnet: optional; the L2 part needs sd(y).
    params = to_glmnet(enet, y_std=float(np.std(y)))
    setting = f"alpha = {params['alpha']:.4g}, lambda = {params['lambda']:.4g}"
    try:
        import glmnet
    except ImportError:
        rows.append(
            Verification(
                "glmnet",
                _GLMNET_RULE,
                setting,
                l1,
                l2,
                "coef vs linear.fit",
                None,
                rtol,
                "glmnet not installed — skipped",
            )
        )
    else:
        model = glmnet.ElasticNet(
            alpha=params["alpha"],
            lambda_path=np.array([params["lambda"]]),
            standardize=False,
            fit_intercept=True,
            n_splits=0,
            tol=1e-20,
            max_iter=10_000_000,
        ).fit(X, y)
        rows.append(
            Verification(
                "glmnet",
                _GLMNET_RULE,
                setting,
                l1,
                l2,
                "coef vs linear.fit",
                _relative_difference(model.coef_path_[:, 0], ours[enet].coef),
                rtol,
            )
        )
    return VerificationTable(rows)
