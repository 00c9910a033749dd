"""Linear regression under the course objective, solved from scratch.

    J(w, b) = (1/n)·Σᵢ(yᵢ − xᵢ·w − b)² + penalty(w)

with the intercept b never penalized. With the data centred (x̄ and ȳ subtracted), the best
b is ȳ − x̄·w and the problem in w reads, with G = XcᵀXc/n and c = Xcᵀyc/n,

    J(w) = wᵀGw − 2cᵀw + const + l1·‖w‖₁ + l2·‖w‖²,     ∇ of the smooth part = 2(Gw − c).

One job per module; imports run down this list (and penalties ← linear ← selection):
    results       FitResult, PathResult, ConstrainedResult, ConvergenceWarning
    problem       input checking (dense, scipy.sparse, pandas), centring, Gram or residual form
    kkt           kkt_violation, the optimality certificate every squared-loss solver stops on
    factor        the Cholesky factor of the active set, updated as features enter and leave
    first_order   ridge's closed form, gd, ista/fista
    coordinate    cd (coordinate descent)
    newton_block  Newton steps on sign patterns over a small block (line search, exchange steps)
    newton_cg     the same steps by conjugate gradients, for sparse X with a large working set
    small_p       the same steps over the whole problem, for a small dense Gram matrix (no bookkeeping)
    compiled      the optional numba loops (imported at first use; NumPy when absent or off)
    homotopy      a small dense lasso path followed from kink to kink (compiled: _homotopy_loop)
    enet_cd       a dense elastic-net path by compiled coordinate descent in the Gram form (_enet_loop)
    working_set   the working-set solver "active_set" (KKT pass, strong rule) and its continuation
    solvers       choose_solver, solve: the solver names and the dispatch
    datafits      data terms as plug-ins (Logistic, Quadratic): value, residual, Hessian weights
    separable     separable penalties as plug-ins (L1L2: L1, L2, elastic net, weighted L1)
    prox_newton   working-set proximal Newton for any datafit × separable penalty
    smooth_newton Newton (direct solve or CG) for a datafit + ridge
    logistic      the logistic loss's API: fit_logistic, lam_max_logistic, KKT (small problems compiled:
                  _logistic_loop); logistic_fista, the old
                  solver (``regcourse.logistic`` re-exports these names; nothing here imports it)
    fitting       fit, mse
    paths         path (warm starts, strong rule), lam_max, default_lams, penalty_for
    budget        fit_constrained (min MSE s.t. R(w) ≤ radius), lam_for_radius, radius_for_lam
"""

from regcourse.linear.budget import fit_constrained, lam_for_radius, radius_for_lam
from regcourse.linear.fitting import LOSSES, fit, mse
from regcourse.linear.paths import default_lams, lam_max, path, penalty_for
from regcourse.linear.problem import KINDS, check_kind
from regcourse.linear.results import ConstrainedResult, ConvergenceWarning, FitResult, PathResult
from regcourse.linear.solvers import DEFAULT_TOL, SOLVERS

__all__ = [
    "ConvergenceWarning",
    "FitResult",
    "PathResult",
    "ConstrainedResult",
    "fit",
    "path",
    "lam_max",
    "default_lams",
    "penalty_for",
    "fit_constrained",
    "lam_for_radius",
    "radius_for_lam",
    "mse",
    "check_kind",
    "KINDS",
    "SOLVERS",
    "LOSSES",
    "DEFAULT_TOL",
]
