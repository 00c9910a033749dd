"""Optional compiled inner loops: numba when it is installed, the NumPy code otherwise.

numba is not a dependency of regcourse: ``pip install "regcourse[fast]"`` adds it, and Google
Colab ships it. Where it is missing, or fails to compile, every solver runs its NumPy code and
gives the same results (to rounding), only with more per-call overhead on small problems. The
loops it compiles are written as plain Python over scalars (``_homotopy_loop``, ``_enet_loop``,
``_residual_loop``, ``_logistic_loop``) and are tested both compiled and uncompiled.

``import regcourse`` never imports numba (it takes about 0.25 s). By default a route asks for its
loop at each call and gets it from its ``REQUESTS_BEFORE_COMPILING``-th request on (before that,
NumPy answers): compiling costs about 1–2 s a loop, which a few fits would never win back. numba
keeps the machine code in a cache on disk (``cache=True``), so later kernels load it instead.
The environment variable ``REGCOURSE_NUMBA`` chooses: "0" turns the loops off (the grader's
sandbox does), "1" compiles at the first request (the tests and the solver benchmark do).
"""

from __future__ import annotations

import os
import warnings

__all__ = [
    "homotopy_loop",
    "enet_loop",
    "residual_loop",
    "logistic_loop",
    "run",
    "setting",
    "numba_enabled",
    "give_up",
    "reset",
]

_LOOPS: dict = {}  # name -> the compiled function, or None when it could not be had
_REQUESTS: dict = {}  # name -> how many times a route asked for it before it was compiled

# Compiling a loop costs 1–2 s, the savings of hundreds of small calls: by default ("auto") a loop
# is compiled once its route has asked for it this many times in the process (a cross-validation,
# an explorer, a benchmark), and a notebook that fits a few models never imports numba.
REQUESTS_BEFORE_COMPILING = 20
_OFF = ("0", "false", "no", "off")
_EAGER = ("1", "true", "yes", "on", "eager")


def setting() -> str:
    """REGCOURSE_NUMBA: "off" ("0", "false", "no", "off"), "eager" ("1", "true", "yes", "on",
    "eager": compile at the first request) or "auto" (unset, or anything else)."""
    value = os.environ.get("REGCOURSE_NUMBA", "auto").strip().lower()
    return "off" if value in _OFF else "eager" if value in _EAGER else "auto"


def numba_enabled() -> bool:
    """False when REGCOURSE_NUMBA turns the compiled loops off."""
    return setting() != "off"


def homotopy_loop():
    """``_homotopy_loop.follow_kinks`` compiled by numba, or None (no numba, or turned off)."""
    return _compiled("homotopy", "regcourse.linear._homotopy_loop", "follow_kinks")


def enet_loop():
    """``_enet_loop.enet_path`` compiled by numba, or None (no numba, or turned off)."""
    return _compiled("enet", "regcourse.linear._enet_loop", "enet_path")


def residual_loop():
    """``_residual_loop.residual_sweeps`` compiled by numba, or None (no numba, or turned off)."""
    return _compiled("residual", "regcourse.linear._residual_loop", "residual_sweeps")


def logistic_loop():
    """``_logistic_loop.logistic_prox_newton`` compiled by numba, or None (no numba, or turned off)."""
    return _compiled("logistic", "regcourse.linear._logistic_loop", "logistic_prox_newton")


def run(name: str, loop, *args):
    """loop(*args); None when it raises (numba could not type or compile it here): the loop is
    dropped for the session (``give_up``) and the caller's NumPy route answers, now and later."""
    try:
        return loop(*args)
    except Exception:
        give_up(name)
        return None


def give_up(name: str) -> None:
    """Stop using loop ``name`` for this session: it failed (numba could not type or compile it)."""
    _LOOPS[name] = None


def reset() -> None:
    """Forget the loops looked up so far and the requests counted (the tests switch
    REGCOURSE_NUMBA on and off)."""
    _LOOPS.clear()
    _REQUESTS.clear()


def _compiled(name: str, module: str, function: str):
    mode = setting()
    if mode == "off":
        return None
    if name not in _LOOPS:
        if mode == "auto":
            _REQUESTS[name] = _REQUESTS.get(name, 0) + 1
            if _REQUESTS[name] <= REQUESTS_BEFORE_COMPILING:
                return None
        _LOOPS[name] = _compile(module, function)
    return _LOOPS[name]


def _compile(module: str, function: str):
    try:
        import importlib

        import numba
    except Exception:  # not installed, or broken: the NumPy code serves
        return None
    source = getattr(importlib.import_module(module), function)
    for cache in (True, False):  # a read-only install cannot cache: compile in memory instead
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # numba's own performance and cache notices
                return numba.njit(cache=cache, nogil=True)(source)
        except Exception:
            continue
    return None
