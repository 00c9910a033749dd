"""Optional compiled inner loops: numba when it is installed, the NumPy code otherwise.

numba is not a dependency of regcourse: ``pip install "regcourse[fast]"`` adds it, and Google
Colab ships it. Where it is missing, or fails to compile, every solver runs its NumPy code and
gives the same results (to rounding), only with more per-call overhead on small problems. The
loops it compiles are written as plain Python over scalars (``_homotopy_loop``, ``_enet_loop``,
``_logistic_loop``) and are tested both compiled and uncompiled.

``import regcourse`` never imports numba (it takes about 0.25 s): the first call that wants a
loop does, and compiles it once (about 1–2 s); numba keeps the machine code in a cache on disk
(``cache=True``), so later kernels load it instead. Set the environment variable
``REGCOURSE_NUMBA=0`` to turn the compiled loops off (the grader's sandbox does).
"""

from __future__ import annotations

import os
import warnings

__all__ = ["homotopy_loop", "enet_loop", "logistic_loop", "numba_enabled", "give_up", "reset"]

_LOOPS: dict = {}  # name -> the compiled function, or None when it could not be had


def numba_enabled() -> bool:
    """True unless REGCOURSE_NUMBA is "0", "false" or "no"."""
    return os.environ.get("REGCOURSE_NUMBA", "1").strip().lower() not in ("0", "false", "no", "off")


def homotopy_loop():
    """``_homotopy_loop.follow_kinks`` compiled by numba, or None (no numba, or turned off)."""
    return _compiled("homotopy", "regcourse.linear._homotopy_loop", "follow_kinks")


def enet_loop():
    """``_enet_loop.enet_path`` compiled by numba, or None (no numba, or turned off)."""
    return _compiled("enet", "regcourse.linear._enet_loop", "enet_path")


def logistic_loop():
    """``_logistic_loop.logistic_prox_newton`` compiled by numba, or None (no numba, or turned off)."""
    return _compiled("logistic", "regcourse.linear._logistic_loop", "logistic_prox_newton")


def give_up(name: str) -> None:
    """Stop using loop ``name`` for this session: it failed (numba could not type or compile it)."""
    _LOOPS[name] = None


def reset() -> None:
    """Forget the loops looked up so far (the tests switch REGCOURSE_NUMBA on and off)."""
    _LOOPS.clear()


def _compiled(name: str, module: str, function: str):
    if not numba_enabled():
        return None
    if name not in _LOOPS:
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
