"""The course's penalties as glmnet's (alpha, lambda), both ways, with glmnet's scaling by sd(y)."""

from __future__ import annotations

from regcourse._arrays import check_fraction, check_nonnegative
from regcourse.conventions._checks import check_penalty, check_positive
from regcourse.penalties import L1, L2, ElasticNet, Penalty

__all__ = ["to_glmnet", "from_glmnet"]


def _y_std_for(y_std, has_l2_part: bool) -> float:
    """s_y, required whenever there is an L2 part: without it the answer would be silently wrong."""
    if y_std is None:
        if has_l2_part:
            raise ValueError(
                "y_std is required for a penalty with an L2 part: glmnet divides that part by "
                "the standard deviation of y, so pass y_std=np.std(y) (1.0 for a standardized y)"
            )
        return 1.0
    return check_positive(y_std, "y_std")


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
    l1, l2 = check_penalty(penalty)
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
