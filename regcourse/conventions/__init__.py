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

One module per job; every name is importable from ``regcourse.conventions``:

==========================  =====================================================================
``sklearn_models``          ``to_sklearn``, ``from_sklearn``, ``to_sklearn_logistic``, ``from_sklearn_logistic``
``torch_optimizers``        ``torch_weight_decay``, ``from_torch_weight_decay``
``keras_regularizers``      ``import_keras``, ``to_keras``, ``from_keras``
``glmnet_settings``         ``to_glmnet``, ``from_glmnet``
``verification``            ``verification_table`` (and its ``Verification`` rows): the live check
``_checks``                 the input checks the conversions share
==========================  =====================================================================

Imports run one way: ``_checks`` ← the four conversion modules ← ``verification`` ← this package.
"""

from regcourse.conventions.glmnet_settings import from_glmnet, to_glmnet
from regcourse.conventions.keras_regularizers import from_keras, import_keras, to_keras
from regcourse.conventions.sklearn_models import from_sklearn, from_sklearn_logistic, to_sklearn, to_sklearn_logistic
from regcourse.conventions.torch_optimizers import from_torch_weight_decay, torch_weight_decay
from regcourse.conventions.verification import Verification, VerificationTable, verification_table

__all__ = [
    "to_sklearn",
    "from_sklearn",
    "to_sklearn_logistic",
    "from_sklearn_logistic",
    "torch_weight_decay",
    "from_torch_weight_decay",
    "import_keras",
    "to_keras",
    "from_keras",
    "to_glmnet",
    "from_glmnet",
    "verification_table",
    "Verification",
    "VerificationTable",
]
