"""The judge: each exercise's verdict, computed in the grader's process from the answers alone.

``Line`` is the grader's line to a submission's kernel: it sends a probe (the code of
``_wire.py`` is installed once) and waits for the reply as JSON text. ``judge_chapter`` reads
every answer of a chapter through it and runs the exercise's own checker here, under a secret
seed, with a stand-in for the learner's function that forwards each call to the kernel.
Nothing the kernel prints, logs or patches takes part in the verdict.
"""

from __future__ import annotations

import base64
import builtins
import io
import json
import secrets
import time
from pathlib import Path
from queue import Empty

from regcourse.exercises import _registry
from regcourse.exercises._checking import Failed, LearnerError, secret_cases
from regcourse.exercises._probes import answer_name
from regcourse.exercises._result import FAILED, MISSING, NOT_ATTEMPTED, PASSED, Result
from regcourse.exercises._runner import _TimeLimit, is_not_attempted
from regcourse.grading import _wire

MAX_REPLY_CHARS = 64_000_000
WIRE_SOURCE = Path(_wire.__file__).read_text(encoding="utf-8")


class KernelSilent(BaseException):
    """The kernel gave no reply in time, or died: no further probe can be answered.

    A BaseException, like the two below, so that a checker's ``except Exception`` (which turns
    the learner's exceptions into feedback) lets it through.
    """


class Unreadable(BaseException):
    """The kernel's reply does not follow the encoding."""


class GraderFault(BaseException):
    """The grader itself could not send a test case (a bug of the course, not of the learner):
    a BaseException so that a checker does not report it as the learner's exception."""


class Line:
    """Probes sent to one kernel through a blocking Jupyter client."""

    def __init__(self, client, *, seconds: float):
        self.client = client
        self.seconds = seconds  # the learner's code, per call
        self.helper = f"_regcourse_probe_{secrets.token_hex(8)}"
        self.dead = False

    def _run(self, code: str, wait: float) -> str | None:
        """Execute ``code``; the text the probe published, or None."""
        if self.dead:
            raise KernelSilent("the kernel stopped answering earlier")
        nonce = secrets.token_hex(8)
        msg_id = self.client.execute(code.replace("@NONCE@", nonce), store_history=False, allow_stdin=False)
        deadline, reply = time.monotonic() + wait, None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.dead = True
                raise KernelSilent("the kernel did not reply in time")
            try:
                message = self.client.get_iopub_msg(timeout=min(remaining, 1.0))
            except Empty:
                if not self.client.is_alive():
                    self.dead = True
                    raise KernelSilent("the kernel died") from None
                continue
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message.get("msg_type"), message.get("content", {})
            if kind == "display_data":
                text = content.get("data", {}).get(_wire.MIME)
                if isinstance(text, str) and text.startswith(nonce) and reply is None:
                    reply = text[len(nonce) :]
            elif kind == "status" and content.get("execution_state") == "idle":
                return reply

    def install(self) -> None:
        code = (
            f"import types as _t\n{self.helper} = _t.ModuleType('regcourse_probe')\n"
            f"exec(compile({WIRE_SOURCE!r}, '<regcourse probe>', 'exec'), {self.helper}.__dict__)\ndel _t"
        )
        self._run(code, 60.0)

    def ask(self, request: dict) -> dict:
        code = (
            f"{self.helper}.publish({self.helper}.respond({json.dumps(request)!r}, get_ipython().user_ns), '@NONCE@')"
        )
        text = self._run(code, self.seconds + 30.0)
        if text is None or len(text) > MAX_REPLY_CHARS:
            raise KernelSilent("the kernel sent no usable reply")
        try:
            reply = json.loads(text)
        except ValueError:
            raise KernelSilent("the kernel sent no usable reply") from None
        if not isinstance(reply, dict):
            raise KernelSilent("the kernel sent no usable reply")
        return reply


# --- standing in for the learner's function ----------------------------------------------------------


def _encode_argument(value):
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.nn.Module):
        buffer = io.BytesIO()
        try:
            torch.save(value, buffer)
        except Exception as err:  # e.g. a test model class defined inside a function
            raise GraderFault(f"a test model could not be sent to the kernel ({type(err).__name__}: {err})") from None
        return {"$module": base64.b64encode(buffer.getvalue()).decode("ascii")}
    return _wire.encode(value)


def _learner_exception(name: str, message: str) -> Exception:
    """An exception that reads like the learner's own (type name and message)."""
    name = "".join(c for c in str(name) if c.isalnum() or c == "_")[:60] or "Exception"
    builtin = getattr(builtins, name, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception):
        try:
            return builtin(message)
        except Exception:
            pass
    return type(name, (Exception,), {})(message)


def _apply_module_state(module, state) -> None:
    """Make the grader's copy of a test model what the learner's call left in the kernel."""
    import torch

    params = dict(module.named_parameters())
    for entry in state:
        if not (isinstance(entry, list) and len(entry) == 4):
            raise _wire.WireError("malformed model state")
        name, data, requires_grad, same_object = entry
        if name not in params:
            continue
        value = torch.from_numpy(_wire._decode_array(data).copy())
        p = params[name]
        if same_object and value.shape == p.shape:
            with torch.no_grad():
                p.copy_(value.to(p.dtype))
            p.requires_grad_(bool(requires_grad))
        else:  # the learner assigned a new tensor: so does the copy, and the checker can tell
            owner_name, _, attribute = name.rpartition(".")
            owner = module.get_submodule(owner_name) if owner_name else module
            replacement = torch.nn.Parameter(value.to(p.dtype), requires_grad=bool(requires_grad))
            owner._parameters[attribute] = replacement


def _result_with_gradients(result, grads, modules):
    """A tensor with the kernel's value whose gradient, in the grader, is the kernel's gradient."""
    import torch

    surrogate = result.detach().reshape(result.shape).clone()
    terms = []
    for entry in grads:
        index, name, grad = entry
        if grad is None or index not in modules:
            continue
        params = dict(modules[index].named_parameters())
        if name in params:
            g = torch.from_numpy(_wire._decode_array(grad).copy()).to(params[name].dtype)
            p = params[name]
            if g.shape == p.shape and p.requires_grad:
                terms.append(((p - p.detach()) * g).sum())
    if terms:
        return surrogate + sum(terms).reshape(()).to(surrogate.dtype)
    return result


class Answer:
    """Stands in for the learner's function: every call runs in the kernel, on these arguments."""

    def __init__(self, line: Line, name: str):
        self.line, self.name = line, name
        self.__name__ = name

    def __call__(self, *args):
        import sys

        reply = self.line.ask(
            {"op": "call", "name": self.name, "args": [_encode_argument(a) for a in args], "seconds": self.line.seconds}
        )
        if "probe_failed" in reply:
            raise KernelSilent(f"the probe failed in the kernel: {reply['probe_failed']}")
        torch = sys.modules.get("torch")
        modules = {i: a for i, a in enumerate(args) if torch is not None and isinstance(a, torch.nn.Module)}
        after = reply.get("args", [])
        for i, (original, state) in enumerate(zip(args, after)):
            if i in modules and isinstance(state, dict) and "module" in state:
                _apply_module_state(original, state["module"])
            elif isinstance(state, dict) and "value" in state and hasattr(original, "shape"):
                import numpy as np

                changed = _wire.decode(state["value"])
                if (
                    isinstance(original, np.ndarray)
                    and isinstance(changed, np.ndarray)
                    and changed.shape == original.shape
                    and original.flags.writeable
                ):
                    np.copyto(original, changed, casting="unsafe")
        if reply.get("timeout"):
            raise _TimeLimit
        if "raised" in reply:
            name, message = (list(reply["raised"]) + ["", ""])[:2]
            raise _learner_exception(name, str(message))
        try:
            result = _wire.decode(reply.get("result"))
        except _wire.WireError as err:
            raise Unreadable(str(err)) from None
        if "grads" in reply and torch is not None and isinstance(result, torch.Tensor):
            result = _result_with_gradients(result, reply["grads"], modules)
        return result


# --- verdicts ---------------------------------------------------------------------------------------


def _result(ex, status: str, hint: str = "") -> Result:
    return Result(ex.id, ex.title, status, ex.points if status == PASSED else 0, ex.points, hint)


def judge_exercise(line: Line, ex: _registry.Exercise, *, seed: int) -> Result:
    """The verdict on one exercise, from the answer the kernel holds."""
    name = answer_name(ex.id)
    try:
        described = line.ask({"op": "describe", "name": name})
        if not described.get("exists"):
            return _result(
                ex,
                MISSING,
                f"after your notebook ran, it had no `{name}`: the cell that defines it "
                "was deleted, renamed or not reached",
            )
        if described.get("callable"):
            if described.get("not_attempted"):
                return _result(ex, NOT_ATTEMPTED, f"`{name}` is still the empty stub: its body was not written")
            if str(described.get("module", "")).startswith("regcourse"):
                return _result(ex, FAILED, f"`{name}` is the course's own function, not yours")
            answer = Answer(line, name)
        else:
            answer = _wire.decode(described.get("value"))
            if is_not_attempted(answer):
                return _result(ex, NOT_ATTEMPTED, f"`{name}` was left empty (`...`): no answer was given")
        with secret_cases(seed):
            ex.checker(answer)
    except Failed as failure:
        return _result(ex, FAILED, str(failure))
    except LearnerError as err:
        return _result(ex, FAILED, f"your code raised {err}")
    except _TimeLimit:
        return _result(
            ex,
            FAILED,
            f"your code ran for more than {line.seconds:g} s on one case and was stopped: "
            "look for a loop that never ends",
        )
    except RecursionError:
        return _result(ex, FAILED, "your code raised RecursionError: a function that calls itself never stops")
    except KernelSilent as err:
        return _result(ex, FAILED, f"your notebook's kernel stopped answering while this answer was checked ({err})")
    except (_wire.WireError, Unreadable) as err:
        return _result(ex, FAILED, f"your answer could not be read ({err})")
    except GraderFault as err:
        return _result(
            ex, FAILED, f"the grader could not check this answer: {err}; this is not your mistake, tell your instructor"
        )
    except Exception as err:  # a checker's bug must not cost the student a row
        return _result(ex, FAILED, f"the grader could not check this answer ({type(err).__name__}: {err})")
    return _result(ex, PASSED)


def judge_chapter(line: Line, chapter: int, *, seed: int) -> dict[str, Result]:
    """Every exercise of the chapter, in registry order."""
    try:
        line.install()
    except KernelSilent as err:
        return {
            ex.id: _result(ex, MISSING, f"the grader could not read your answers ({err})")
            for ex in _registry.chapter_exercises(chapter)
        }
    return {ex.id: judge_exercise(line, ex, seed=seed) for ex in _registry.chapter_exercises(chapter)}
