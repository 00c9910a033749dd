"""Optional compiled inner loops: numba when it is installed, the NumPy code otherwise.

numba is not a dependency of regcourse: ``pip install "regcourse[fast]"`` adds it, and Google
Colab ships it. Where it is missing, or fails to compile, every solver runs its NumPy code and
gives the same results (to rounding), only with more per-call overhead on small problems. The
loops it compiles are written as plain Python over scalars (``_homotopy_loop``, ``_enet_loop``,
``_residual_loop``, ``_logistic_loop``) and are tested both compiled and uncompiled.

``import regcourse`` never imports numba (it takes about 0.3–0.45 s). Compiling a loop costs
1.3–3.4 s (``COMPILE_SECONDS``), which a notebook of a few fits never wins back; numba keeps the
machine code in a cache on disk (``cache=True``), and loading it costs about ``LOAD_SECONDS``. By
default ("auto") the choice is a ski rental: a route that asks for a loop not yet compiled gets
None and runs its NumPy code, and the time of the solver call it ran in (``linear.fit``,
``linear.path``, ``fit_logistic``, ``fit_constrained``: ``timed_call``) is charged to that
loop. Once the charge reaches the loop's price (compiling it, or loading it when numba's cache
for it is on disk), the next request compiles (or the request under way, once the call has run
past the price). This is
the classic ski rental: if the compiled loop's own time is small beside the NumPy route's and a
call's time is its route's, then whatever the calls to come, the time spent is at most about
twice the better of never compiling and compiling at the first call. (A call's time also holds
its set-up and certificates, so the loop is bought a little early: on the safe side.)

The environment variable ``REGCOURSE_NUMBA`` chooses: "0" turns the loops off (the grader's
sandbox does), "1" compiles at the first request (the tests and the solver benchmark do).
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
import warnings
from pathlib import Path

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
    "timed_call",
    "charged_seconds",
]

_LOOPS: dict = {}  # name -> the compiled function, or None when it could not be had
_CHARGED: dict = {}  # name -> seconds of solver calls that ran NumPy because the loop was refused
_PRICES: dict = {}  # name -> its price, looked up once per process (a glob on disk)
_CALL = threading.local()  # the outermost timed call: .started (perf_counter), .refused (names)

# What compiling each loop costs, measured cold on 2 cores (numba 0.6x, the first compile of the
# process: it includes numba's own set-up), and what loading numba and a loop from its cache costs.
COMPILE_SECONDS = {"homotopy": 3.4, "enet": 2.5, "logistic": 2.2, "residual": 1.3}
LOAD_SECONDS = 0.5
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
    """Forget the loops looked up so far and the time charged to them (the tests switch
    REGCOURSE_NUMBA on and off)."""
    _LOOPS.clear()
    _CHARGED.clear()
    _PRICES.clear()


def charged_seconds(name: str) -> float:
    """Seconds of solver calls charged so far to loop ``name`` (the ski rental's running total)."""
    return _CHARGED.get(name, 0.0)


def timed_call(function):
    """Decorate a public solver call: in "auto", the call's wall time is charged to every loop
    that was refused during it. Nested calls (a path inside a cross-validation) are charged once,
    by the outermost."""

    @functools.wraps(function)
    def timed(*args, **kwargs):
        if getattr(_CALL, "started", None) is not None:
            return function(*args, **kwargs)
        _CALL.started, _CALL.refused = time.perf_counter(), set()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - _CALL.started
            for name in _CALL.refused:
                if name not in _LOOPS:  # still undecided (not compiled during the call)
                    _CHARGED[name] = _CHARGED.get(name, 0.0) + elapsed
            _CALL.started = None

    return timed


def price(name: str, module: str, function: str) -> float:
    """Seconds that getting loop ``name`` would cost now: loading it when numba's cache holds it for
    this source and this numba (``_cache_on_disk``), else compiling it (looked up at the first
    request, then kept for the process)."""
    if name not in _PRICES:
        _PRICES[name] = LOAD_SECONDS if _cache_on_disk(module, function) else COMPILE_SECONDS[name]
    return _PRICES[name]


def _cache_on_disk(module: str, function: str) -> bool:
    """Whether numba would load ``module.function`` from its cache: an index where numba looks,
    written by the numba installed, for this very source (numba stamps an index with the sha256 of
    the source file, and that digest appears verbatim in it). Found without importing the module
    or numba (importing numba alone takes about 0.4 s); it only sets the price, never a result."""
    import hashlib
    import importlib.metadata
    import importlib.util

    try:
        path = Path(importlib.util.find_spec(module).origin).resolve()
        folder = _numba_cache_folder(path)
        if folder is None:
            return False
        stamp = hashlib.sha256(path.read_bytes()).digest()
        numba_version = importlib.metadata.version("numba").encode()
        version = f"py{sys.version_info.major}{sys.version_info.minor}{getattr(sys, 'abiflags', '')}"
        for index in folder.glob(f"{path.stem}.{function}-*.{version}.nbi"):  # "-*": its first line
            written = index.read_bytes()
            if stamp in written and numba_version in written:
                return True
        return False
    except (OSError, AttributeError, ImportError, TypeError, ValueError):
        return False


def _numba_cache_folder(source: Path) -> Path | None:
    """Where numba caches functions of ``source`` (its locators, in its order): under
    NUMBA_CACHE_DIR when set, else the source's ``__pycache__`` when writable, else the user's cache
    folder (Linux and macOS; elsewhere None)."""
    import hashlib

    subpath = f"{source.parent.name}_{hashlib.sha1(str(source.parent).encode()).hexdigest()}"
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"]) / subpath
    in_tree = source.parent / "__pycache__"
    if os.access(in_tree if in_tree.is_dir() else source.parent, os.W_OK):
        return in_tree
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "numba" / subpath
    if sys.platform.startswith("linux"):
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "numba" / subpath
    return None


def _compiled(name: str, module: str, function: str):
    mode = setting()
    if mode == "off":
        return None
    if name not in _LOOPS:
        if mode == "auto" and not _rental_is_over(name, module, function):
            return None
        _LOOPS[name] = _compile(module, function)
    return _LOOPS[name]


def _rental_is_over(name: str, module: str, function: str) -> bool:
    """ "auto": whether the time charged to loop ``name`` (with the call under way) has reached its
    price; if not, the call under way is noted to be charged."""
    started = getattr(_CALL, "started", None)
    running = 0.0 if started is None else time.perf_counter() - started
    if _CHARGED.get(name, 0.0) + running >= price(name, module, function):
        return True
    if started is not None:
        _CALL.refused.add(name)
    return False


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
