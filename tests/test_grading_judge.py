"""The judge's line to a kernel: answers come back as data, calls of the learner's function run
in the kernel, and torch models, their in-place updates and gradients survive the trip."""

from __future__ import annotations

import numpy as np
import pytest

from _project import ROOT

torch = pytest.importorskip("torch")
from jupyter_client.manager import start_new_kernel  # noqa: E402

from _judge_models import Scaled  # noqa: E402
from regcourse.exercises import get  # noqa: E402
from regcourse.grading._judge import Answer, Line, judge_exercise  # noqa: E402

LEARNER = """
import sys
sys.path.insert(0, {tests!r})
import numpy as np
import torch

def weight_penalty(model, lam):                      # every parameter not named "bias"
    return lam * sum((p ** 2).sum() for name, p in model.named_parameters() if not name.endswith("bias"))

def prox_in_place(model, t):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.sign(p) * torch.clamp(p.abs() - t, min=0))

def prox_new_tensors(model, t):
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            module.weight = torch.nn.Parameter(module.weight.detach() * 0)

def edits_input(w):
    w[0] = 99.0
    return w.sum()

def mse(y, y_hat):
    return float(np.mean((np.asarray(y) - np.asarray(y_hat)) ** 2))

answer_definition = "b"
"""


@pytest.fixture(scope="module")
def line():
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        client.execute_interactive(LEARNER.format(tests=str(ROOT / "tests")), timeout=60)
        line = Line(client, seconds=10)
        line.install()
        yield line
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def models():
    torch.manual_seed(0)
    nested = torch.nn.Sequential(
        torch.nn.Sequential(torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.ReLU()),
        torch.nn.Linear(4, 1, dtype=torch.float64),
    )
    return {"nested": nested, "bare linear": torch.nn.Linear(5, 2, dtype=torch.float64), "custom": Scaled()}


@pytest.mark.parametrize("kind", ["nested", "bare linear", "custom"])
def test_a_penalty_comes_back_with_its_value_and_gradients(line, kind):
    model = models()[kind]
    got = Answer(line, "weight_penalty")(model, 0.5)
    params = [p for name, p in model.named_parameters() if not name.endswith("bias")]
    expected = 0.5 * sum(float((p.detach() ** 2).sum()) for p in params)
    assert torch.is_tensor(got) and got.requires_grad and got.grad_fn is not None
    assert float(got.detach()) == pytest.approx(expected, rel=1e-12)
    grads = torch.autograd.grad(got, list(model.parameters()), allow_unused=True)
    for (name, p), g in zip(model.named_parameters(), grads):
        if name.endswith("bias"):
            assert g is None or not torch.any(g != 0)
        else:
            assert torch.allclose(g, 2 * 0.5 * p.detach())


@pytest.mark.parametrize("kind", ["nested", "bare linear", "custom"])
def test_in_place_updates_reach_the_graders_model_and_keep_its_parameters(line, kind):
    model = models()[kind]
    originals = dict(model.named_parameters())
    before = {name: p.detach().clone() for name, p in originals.items()}
    Answer(line, "prox_in_place")(model, 0.1)
    for name, p in model.named_parameters():
        assert p is originals[name] and p.requires_grad
        expected = torch.sign(before[name]) * torch.clamp(before[name].abs() - 0.1, min=0)
        assert torch.equal(p.detach(), expected), name


def test_new_tensors_assigned_by_the_learner_show_as_new_parameters(line):
    model = models()["nested"]
    originals = dict(model.named_parameters())
    Answer(line, "prox_new_tensors")(model, 0.1)
    now = dict(model.named_parameters())
    assert now["0.0.weight"] is not originals["0.0.weight"] and now["0.0.bias"] is originals["0.0.bias"]
    assert not torch.any(now["1.weight"] != 0)


def test_an_edited_input_array_is_edited_in_the_grader_too(line):
    w = np.array([1.0, 2.0, 3.0])
    assert Answer(line, "edits_input")(w) == pytest.approx(104.0)
    assert w[0] == 99.0


def test_exercises_are_judged_here_on_secret_cases(line):
    assert judge_exercise(line, get("overfit.mse"), seed=1).status == "passed"
    assert judge_exercise(line, get("overfit.definition"), seed=1).status == "passed"
    assert judge_exercise(line, get("overfit.symptom"), seed=1).status == "missing"


def test_a_test_model_the_grader_cannot_send_is_the_graders_fault_not_the_learners():
    torch = pytest.importorskip("torch")
    from regcourse.grading._judge import GraderFault, _encode_argument

    class Local(torch.nn.Module):  # defined in a function: torch.save cannot pickle it by name
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(2))

    with pytest.raises(GraderFault, match="could not be sent"):
        _encode_argument(Local())
    assert not issubclass(GraderFault, Exception)  # a checker's `except Exception` lets it through
