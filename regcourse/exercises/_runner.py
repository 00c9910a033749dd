"""Running a check: recognise an untouched answer, run the checker under a time limit, catch
everything the learner's code can throw, then show, log and (in strict mode) enforce.

Environment variables:
    REGCOURSE_STRICT=1            anything but a pass raises CheckError (for solution notebooks)
    REGCOURSE_CHECK_LOG=path      each check appends one JSON line: id, status, points, hint
    REGCOURSE_CHECK_TIMEOUT=sec   time allowed to the learner's code per check (default 5)
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

from regcourse.exercises import _registry
from regcourse.exercises._checking import Failed, LearnerError
from regcourse.exercises._result import FAILED, NOT_ATTEMPTED, PASSED, Result

DEFAULT_TIMEOUT = 5.0

# The last result of each exercise checked in this session, for summary().
SESSION: dict[str, Result] = {}


class CheckError(AssertionError):
    """Raised in strict mode when a check does not pass."""


class _TimeLimit(BaseException):
    """Raised inside the learner's code when its time is up.

    A BaseException, so that learner code catching ``Exception`` cannot swallow it.
    """


def _does_nothing(code: types.CodeType) -> bool:
    """True when a function's bytecode only returns None (a body of ``...``, ``pass`` or a docstring)."""
    import dis

    for instruction in dis.get_instructions(code):
        if instruction.opname in ("RESUME", "NOP", "CACHE", "RETURN_VALUE"):
            continue
        if instruction.opname in ("LOAD_CONST", "RETURN_CONST") and instruction.argval is None:
            continue
        return False
    return True


def is_not_attempted(answer: Any) -> bool:
    """True for ``...``, None, an empty string, or a function whose body does nothing.

    A generated stub keeps the signature and docstring and has ``...`` for a body; Python
    compiles that body, like ``pass``, to nothing but "return None".
    """
    if answer is ... or answer is None or (isinstance(answer, str) and not answer.strip()):
        return True
    if isinstance(answer, types.FunctionType):
        return _does_nothing(answer.__code__)
    return False


def _timeout_seconds() -> float:
    try:
        return float(os.environ.get("REGCOURSE_CHECK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _run_with_time_limit(func: Callable[[], None], seconds: float) -> None:
    """Run ``func``; raise _TimeLimit inside it if it takes longer than ``seconds``.

    On POSIX in the main thread (a Jupyter kernel runs cells there) a timer signal
    interrupts the code. Elsewhere the code runs in a helper thread, and an asynchronous
    exception is set in that thread when the time is up. Either way, code stuck inside one
    long C call (a huge matrix product) is stopped only when that call returns.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():

        def on_alarm(signum, frame):
            raise _TimeLimit

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            func()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return

    outcome: dict[str, BaseException] = {}

    def target():
        try:
            func()
        except BaseException as err:  # handed back to the calling thread
            outcome["error"] = err

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(_TimeLimit))
        worker.join(1.0)
        raise _TimeLimit
    if "error" in outcome:
        raise outcome["error"]


def run_check(exercise_id: str, answer: Any = ...) -> Result:
    """Check ``answer`` for exercise ``exercise_id`` and return the Result.

    Never raises for anything the learner's answer does; shows nothing, logs nothing.
    """
    ex = _registry.get(exercise_id)
    if ex is None:
        return Result(
            str(exercise_id),
            "unknown exercise",
            FAILED,
            0,
            0,
            f"there is no exercise {exercise_id!r}: check the spelling of the id",
        )

    def result(status: str, hint: str = "") -> Result:
        return Result(ex.id, ex.title, status, ex.points if status == PASSED else 0, ex.points, hint)

    if is_not_attempted(answer):
        return result(NOT_ATTEMPTED, "replace the ... with your answer, run the cell, then run this check again")
    if getattr(answer, "__module__", None) and str(answer.__module__).startswith("regcourse"):
        return result(FAILED, "pass your own function, not the one from regcourse")

    seconds = _timeout_seconds()
    try:
        _run_with_time_limit(lambda: ex.checker(answer), seconds)
    except Failed as failure:
        return result(FAILED, str(failure))
    except LearnerError as err:
        return result(FAILED, f"your code raised {err}")
    except _TimeLimit:
        return result(
            FAILED, f"your code ran for more than {seconds:g} s and was stopped: look for a loop that never ends"
        )
    except RecursionError:
        return result(FAILED, "your code raised RecursionError: a function that calls itself never stops")
    except Exception as err:  # a bug in the checker must not reach the learner as a traceback
        return result(FAILED, f"the checker itself failed ({type(err).__name__}: {err}); please report this")
    return result(PASSED)


def _in_jupyter() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    return shell is not None and hasattr(shell, "kernel")


def show(obj) -> None:
    """Display rich output in Jupyter, plain text elsewhere."""
    if _in_jupyter():
        from IPython.display import display

        display(obj)
    else:
        print(obj)


def _log(result: Result) -> None:
    path = os.environ.get("REGCOURSE_CHECK_LOG")
    if not path:
        return
    line = json.dumps(result.to_json(), ensure_ascii=False)
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(line + "\n")
    except OSError as err:  # a broken log must not break the learner's notebook
        print(f"regcourse: could not write the check log {path}: {err}", file=sys.stderr)


def check(exercise_id: str, answer: Any = ...) -> None:
    """Check your answer to an exercise and show the feedback.

    ``check("l1.penalty", l1_penalty)`` tests your function on many cases, random and
    tricky, against the course's reference implementation, and shows ✅ passed, ❌ with a
    hint about what to look at, or 📝 not attempted. It never raises an error for your code.
    """
    result = run_check(exercise_id, answer)
    SESSION[result.id] = result
    _log(result)
    show(result)
    if os.environ.get("REGCOURSE_STRICT") == "1" and not result.passed:
        raise CheckError(str(result))
