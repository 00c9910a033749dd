"""The data that crosses between the grader and a submission's kernel, as JSON-safe values.

This file is also sent, as source text, into the submission's kernel, where ``respond`` serves
the grader's probes: describe the name that holds an answer, or call the learner's function on
arguments the grader chose. So it imports nothing from regcourse, and NumPy and torch only
inside functions.

Encoding (both ways): None, bools, ints, strings and lists as themselves; a non-finite float as
``{"$float": "nan"}``; ``{"$tuple": [...]}``, ``{"$dict": [[key, value], ...]}``; a numeric
NumPy array as ``{"$array": base64 bytes, "dtype": ..., "shape": [...]}``; a torch tensor as
``{"$tensor": array, "requires_grad": bool, "grad_fn": bool}``; anything else as
``{"$other": type name}``. Only the grader may send a torch module (``{"$module": base64 of
torch.save}``): the kernel loads it; the grader never loads a pickle from the kernel.
"""

import base64
import json
import math

MAX_ITEMS = 5_000_000  # numbers in one reply: more is an answer no exercise needs
MAX_DEPTH = 12
NUMERIC_KINDS = "biufc"


class WireError(ValueError):
    """Data from the other side that does not follow the encoding."""


def _is_tensor(value):
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _is_module(value):
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.nn.Module)


def _encode_array(array, budget):
    if array.dtype.kind not in NUMERIC_KINDS:
        return {"$other": f"array of {array.dtype}"}
    if array.size > budget[0]:
        return {"$other": "array too large"}
    budget[0] -= array.size
    data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
    return {
        "$array": base64.b64encode(data).decode("ascii"),
        "dtype": array.dtype.newbyteorder("<").str,
        "shape": list(array.shape),
    }


def encode(value, budget=None, depth=0):
    """``value`` as JSON-safe data (see the module docstring)."""
    budget = [MAX_ITEMS] if budget is None else budget
    if depth > MAX_DEPTH:
        return {"$other": "too deeply nested"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if value is ...:
        return {"$ellipsis": True}
    if isinstance(value, int):
        return value if abs(value) < 2**63 else {"$float": repr(float(value))}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    import numpy as np

    if isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS:
        return encode(value.item(), budget, depth)
    if isinstance(value, np.ndarray):
        return _encode_array(value, budget)
    if _is_tensor(value):
        array = value.detach().cpu().resolve_conj().resolve_neg().numpy()
        return {
            "$tensor": _encode_array(array, budget),
            "requires_grad": bool(value.requires_grad),
            "grad_fn": value.grad_fn is not None,
        }
    if isinstance(value, (list, tuple)):
        if len(value) > budget[0]:
            return {"$other": "list too long"}
        budget[0] -= len(value)
        items = [encode(item, budget, depth + 1) for item in value]
        return items if isinstance(value, list) else {"$tuple": items}
    if isinstance(value, dict):
        budget[0] -= len(value)
        return {"$dict": [[encode(k, budget, depth + 1), encode(v, budget, depth + 1)] for k, v in value.items()]}
    return {"$other": type(value).__name__}


def _decode_array(data):
    import numpy as np

    if not isinstance(data, dict) or not isinstance(data.get("$array"), str):
        raise WireError("malformed array")
    dtype = np.dtype(str(data.get("dtype")))
    shape = data.get("shape")
    if (
        dtype.kind not in NUMERIC_KINDS
        or not isinstance(shape, list)
        or not all(isinstance(n, int) and 0 <= n <= MAX_ITEMS for n in shape)
    ):
        raise WireError("malformed array")
    raw = base64.b64decode(data["$array"], validate=True)
    count = math.prod(shape)
    if count * dtype.itemsize != len(raw):
        raise WireError("array size does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def decode(data, *, trusted=False, depth=0):
    """The value ``encode`` made. ``trusted``: the data comes from the grader (modules allowed).

    From the kernel, anything outside the encoding raises WireError; ``{"$other": name}``
    becomes an instance of an empty class of that name, so a checker can say "not a Foo".
    """
    if depth > MAX_DEPTH + 2:
        raise WireError("too deeply nested")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(item, trusted=trusted, depth=depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) == 0:
        raise WireError("unexpected data")
    if "$float" in data:
        try:
            return float(str(data["$float"])[:40])
        except ValueError:
            raise WireError("malformed float") from None
    if "$ellipsis" in data:
        return ...
    if "$tuple" in data:
        return tuple(decode(data["$tuple"], trusted=trusted, depth=depth + 1))
    if "$dict" in data:
        pairs = data["$dict"]
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise WireError("malformed dict")
        result = {}
        for key, value in pairs:
            key = decode(key, trusted=trusted, depth=depth + 1)
            try:
                result[key] = decode(value, trusted=trusted, depth=depth + 1)
            except TypeError:
                raise WireError("unhashable key") from None
        return result
    if "$array" in data:
        return _decode_array(data)
    if "$tensor" in data:
        import torch

        array = _decode_array(data["$tensor"])
        tensor = torch.from_numpy(array.copy())
        if data.get("requires_grad") and tensor.is_floating_point():
            tensor.requires_grad_(True)
        return tensor
    if "$module" in data:
        if not trusted:
            raise WireError("only the grader sends modules")
        import io

        import torch

        return torch.load(io.BytesIO(base64.b64decode(data["$module"])), weights_only=False)
    if "$other" in data:
        name = "".join(c for c in str(data["$other"]) if c.isalnum() or c == "_")[:60] or "object"
        return type(name, (), {"__repr__": lambda self: f"<{name}>"})()
    raise WireError("unexpected data")


# --- the kernel's side: runs inside the submission's kernel ------------------------------------


def _module_state(module, originals):
    return [
        [name, encode(p.detach().cpu().numpy()), bool(p.requires_grad), p is originals.get(name)]
        for name, p in module.named_parameters()
    ]


def _gradients(result, modules):
    """d result / d parameter for every parameter of the modules passed in (scalar results only)."""
    import torch

    if not (_is_tensor(result) and result.numel() == 1 and result.requires_grad and result.grad_fn is not None):
        return None
    params = [(i, name, p) for i, m in modules for name, p in m.named_parameters()]
    try:
        grads = torch.autograd.grad(result.reshape(()), [p for _, _, p in params], allow_unused=True, retain_graph=True)
    except Exception:
        return None
    return [
        [i, name, None if g is None else encode(g.detach().cpu().numpy())] for (i, name, _), g in zip(params, grads)
    ]


class _TimeLimit(BaseException):
    pass


def _call_with_time_limit(fn, args, seconds):
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return fn(*args)

    def on_alarm(signum, frame):
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _describe(namespace, name):
    if name not in namespace:
        return {"exists": False}
    answer = namespace[name]
    if callable(answer) and not isinstance(answer, type):
        try:
            from regcourse.exercises._runner import is_not_attempted

            untouched = bool(is_not_attempted(answer))
        except Exception:
            untouched = False
        return {
            "exists": True,
            "callable": True,
            "not_attempted": untouched,
            "module": str(getattr(answer, "__module__", "") or "")[:200],
        }
    return {"exists": True, "callable": False, "value": encode(answer)}


def _call(namespace, name, args, seconds):
    fn = namespace.get(name)
    args = [decode(a, trusted=True) for a in args]
    modules = [(i, a) for i, a in enumerate(args) if _is_module(a)]
    originals = {i: dict(m.named_parameters()) for i, m in modules}
    reply = {}
    try:
        result = _call_with_time_limit(fn, args, seconds)
    except _TimeLimit:
        reply["timeout"] = True
    except BaseException as err:  # the learner's exception, reported by type and message
        try:
            message = str(err)
        except BaseException:
            message = ""
        reply["raised"] = [type(err).__name__, message[:1000]]
    else:
        reply["result"] = encode(result)
        grads = _gradients(result, modules) if modules else None
        if grads is not None:
            reply["grads"] = grads
    after = []
    for i, value in enumerate(args):
        if i in originals:
            after.append({"module": _module_state(value, originals[i])})
        else:
            after.append({"value": encode(value)})
    reply["args"] = after
    return reply


MIME = "text/x-regcourse-probe"


def publish(text, nonce):
    """Hand a reply to the grader, as display data of the probe's own type."""
    from IPython.display import display

    display({MIME: nonce + text}, raw=True)


def respond(request_json, namespace):
    """Serve one probe: ``{"op": "describe"|"call", ...}``; the reply is returned as JSON text."""
    request = json.loads(request_json)
    try:
        if request["op"] == "describe":
            reply = _describe(namespace, request["name"])
        else:
            reply = _call(namespace, request["name"], request["args"], float(request["seconds"]))
    except BaseException as err:
        reply = {"probe_failed": f"{type(err).__name__}: {err}"[:500]}
    return json.dumps(reply, allow_nan=False)
