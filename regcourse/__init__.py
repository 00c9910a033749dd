"""regcourse: the helper package of the course on regularization (L1, L2, elastic net).

Every formula of the course lives here exactly once, tested against an independent library.
``import regcourse`` is kept fast: it loads NumPy and the penalties only. PyTorch, Keras,
matplotlib and ipywidgets are imported by the modules that need them, when they are used.

    >>> from regcourse import L1, L2, ElasticNet
    >>> L2(0.1)([1.0, 2.0])        # 0.1·(1² + 2²)
    np.float64(0.5)
"""

from regcourse.penalties import (
    L1,
    L2,
    ElasticNet,
    Penalty,
    project_l1_ball,
    project_l2_ball,
    soft_threshold,
)

__version__ = "0.2.0"  # the same as pyproject.toml's version (CONTRIBUTING.md, "Releases")

__all__ = [
    "L1",
    "L2",
    "ElasticNet",
    "Penalty",
    "soft_threshold",
    "project_l1_ball",
    "project_l2_ball",
    "__version__",
]
