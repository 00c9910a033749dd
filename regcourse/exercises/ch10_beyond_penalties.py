"""Chapter 10 exercises: early stopping with patience, its λ, noise as ridge, dropout's eval switch,
and the bias–variance trade-off.

torch is imported inside the checker, never when this module is imported: ``check`` loads every
chapter's module, and ``import regcourse`` must stay free of torch.
"""

from __future__ import annotations

import numpy as np

from regcourse.exercises._checking import (
    Failed,
    as_array,
    call,
    case_rng,
    choice_exercise,
    expect_shape,
    matches,
    number_exercise,
)
from regcourse.exercises._registry import exercise

CHAPTER = 10

# The validation losses of exercise 1, one per epoch from epoch 0 (the notebook prints the same list).
VALIDATION_LOSSES = [1.00, 0.80, 0.66, 0.60, 0.62, 0.58, 0.59, 0.61, 0.60, 0.63, 0.57, 0.64]
PATIENCE = 3


def _kept_epoch(losses, patience: int) -> int:
    best = 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best]:
            best = epoch
        elif epoch - best >= patience:
            break
    return best


# --- exercise 1: which epoch's weights early stopping keeps ------------------------------------------

number_exercise(
    "beyond.patience",
    chapter=CHAPTER,
    title="The epoch early stopping keeps",
    points=1,
    answer=float(_kept_epoch(VALIDATION_LOSSES, PATIENCE)),
    count=True,
    hint="go through the epochs in order, remember the best validation loss so far, and stop as soon as "
    "`patience` epochs in a row bring no new best; the weights kept are those of the best epoch seen by then",
    mistakes=[
        (10.0, "training never reaches that epoch: count how many epochs in a row pass without a new best before it"),
        (8.0, "that is the epoch at which training stops; the weights kept are those of the best epoch seen so far"),
        (3.0, "one worse epoch does not stop training: patience allows several epochs without a new best"),
        (
            6.0,
            "the right epoch, counted from 1: the list is numbered from epoch 0 (its first loss is epoch 0's), "
            "so give that epoch's number",
        ),
        (
            9.0,
            "counted from 1, that is where training stops; the list starts at epoch 0, and the weights kept are "
            "those of the best epoch seen so far",
        ),
    ],
)


# --- exercise 2: the λ that early stopping amounts to ---------------------------------------------

number_exercise(
    "beyond.early_stopping_lam",
    chapter=CHAPTER,
    title="Early stopping's λ",
    points=1,
    answer=0.2,
    hint="compare early stopping's factor 1 − e^(−2ηks) with the ridge factor s/(s + λ): for which s "
    "does each go from about 0 to about 1? Match those two places",
    mistakes=[
        (
            0.4,
            "that is the ½·MSE convention (½·MSE + (λ/2)‖w‖²), whose gradient has no factor 2; the course's "
            "MSE has gradient (2/n)Xᵀ(Xw − y)",
        ),
        (0.8, "check where the factor 2 of the course's gradient (2/n)Xᵀ(Xw − y) ends up in your formula"),
        (2.5, "λ is the inverse of a product, not the product itself: more steps means less regularization"),
        (5.0, "λ is the inverse of a product, not the product itself: more steps means less regularization"),
    ],
)


# --- exercise 3: noise on the inputs as ridge ------------------------------------------------------

number_exercise(
    "beyond.noise_lam",
    chapter=CHAPTER,
    title="Input noise as a ridge penalty",
    points=1,
    answer=0.09,
    hint="expand E(yᵢ − (xᵢ + εᵢ)·w)² over the noise: the cross term has mean 0, and what is left besides "
    "the squared error is the variance of εᵢ·w",
    mistakes=[
        (0.3, "σ is the noise's standard deviation; the penalty involves E(εᵢ·w)², which brings its variance"),
        (0.045, "check where a ½ would come from: the course's MSE has none in front of the squared error"),
        (0.18, "there is no factor 2: the cross term 2(yᵢ − xᵢ·w)(εᵢ·w) averages to 0 and only E(εᵢ·w)² stays"),
    ],
)


# --- exercise 4: dropout's train/eval switch ---------------------------------------------------------


def _dropout_model(rng, kind: str):
    """A float64 network with dropout, in training mode, built without touching the learner's torch
    random state. Only torch's own classes, so the grader's kernel can load it."""
    import torch
    from torch import nn

    def linear(fan_in, fan_out):
        layer = nn.Linear(fan_in, fan_out, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(rng.normal(size=(fan_out, fan_in))))
            layer.bias.copy_(torch.from_numpy(rng.normal(size=fan_out)))
        return layer

    p = float(rng.uniform(0.3, 0.6))
    with torch.random.fork_rng(devices=[]):
        if kind == "one dropout":
            model = nn.Sequential(linear(4, 16), nn.ReLU(), nn.Dropout(p), linear(16, 1))
        elif kind == "nested":  # a dropout layer inside an inner block: model.children() misses it
            model = nn.Sequential(nn.Sequential(linear(3, 12), nn.Tanh(), nn.Dropout(p)), linear(12, 2))
        elif kind == "two dropouts":
            model = nn.Sequential(nn.Dropout(p / 2), linear(5, 16), nn.ReLU(), nn.Dropout(p), linear(16, 1))
        else:
            raise ValueError(kind)
    model.train()
    return model, p


def _eval_output(model, x) -> np.ndarray:
    import copy

    import torch

    twin = copy.deepcopy(model).eval()
    with torch.no_grad():
        return twin(x).numpy()


@exercise(
    "beyond.dropout_eval", chapter=CHAPTER, title="Deterministic predictions from a network with dropout", points=3
)
def check_dropout_eval(predict):
    import torch

    rng = case_rng("beyond.dropout_eval")
    for kind, hint in [
        ("one dropout", "the predictions should be the network's output with dropout switched off"),
        (
            "nested",
            "this network has its dropout layer inside an inner block: switch the whole model "
            "to evaluation mode, which reaches every layer inside it",
        ),
        ("two dropouts", "with two dropout layers, every one must be switched off"),
    ]:
        model, p = _dropout_model(rng, kind)
        x = torch.from_numpy(rng.normal(size=(int(rng.integers(5, 12)), _first_linear(model).in_features)))
        expected = _eval_output(model, x)
        before = _fingerprint(model)
        got = call(predict, model, x)
        changed = _what_changed(before, _fingerprint(model))
        if changed:
            raise Failed(
                f"your function changed the model for good ({changed}); predicting must leave the network "
                "as it was, so that training can go on. Switching the mode is enough"
            )
        if got is None:
            raise Failed("your function returned None: return the predictions")
        got = as_array(got)
        expect_shape(got, expected.shape)
        if matches(got, expected, rtol=1e-6, atol=1e-9):
            continue
        if matches(got, expected * (1 - p), rtol=1e-6, atol=1e-9) or matches(
            got, expected / (1 - p), rtol=1e-6, atol=1e-9
        ):
            raise Failed(
                "torch's Dropout already scales the kept units by 1/(1 − p) during training, so in "
                "evaluation mode the output needs no rescaling"
            )
        if kind != "one dropout":  # the first network passed: some dropout layer here was missed
            raise Failed(hint)
        again = as_array(call(predict, model, x))
        if not matches(again, got, rtol=1e-9, atol=1e-12):
            raise Failed(
                "two calls with the same input gave different predictions: dropout is still active. "
                "Switch the model to evaluation mode before predicting"
            )
        raise Failed(
            "the predictions are repeatable but still come from a network with units dropped: fixing "
            "the random seed does not switch dropout off, evaluation mode does"
        )


def _fingerprint(model) -> dict:
    """What a prediction must not change: every parameter and buffer (dtype and values) and
    every dropout layer's p. The train/eval mode may change (switching it is the point)."""
    from torch import nn

    tensors = {name: (t.dtype, t.detach().clone()) for name, t in model.state_dict().items()}
    rates = {name: m.p for name, m in model.named_modules() if isinstance(m, nn.Dropout)}
    return {"tensors": tensors, "rates": rates}


def _what_changed(before: dict, after: dict) -> str:
    import torch

    if before["rates"] != after["rates"]:
        return "a dropout layer's p"
    if before["tensors"].keys() != after["tensors"].keys():
        return "its layers"
    for name, (dtype, values) in before["tensors"].items():
        new_dtype, new_values = after["tensors"][name]
        if new_dtype != dtype:
            return f"the dtype of {name}, {dtype} → {new_dtype}"
        if not torch.equal(new_values, values):
            return f"the values of {name}"
    return ""


def _first_linear(model):
    from torch import nn

    return next(m for m in model.modules() if isinstance(m, nn.Linear))


# --- exercise 5: reading the bias–variance trade-off ----------------------------------------------

choice_exercise(
    "beyond.bias_variance",
    chapter=CHAPTER,
    title="Reading the bias–variance trade-off",
    points=1,
    options={
        "a": "Bias² grows and variance shrinks, so their sum is typically smallest at an intermediate λ",
        "b": "Bias² and variance both shrink, so the largest λ is always best",
        "c": "Bias² shrinks and variance grows, because a stronger penalty makes the fit depend more on the noise",
        "d": "Neither changes in expectation; only the training error depends on λ",
    },
    correct="a",
    hint="think of the two extremes: λ = 0 (least squares, which follows each training set's noise) and a huge λ "
    "(every weight near 0, whatever the data)",
    why_not={
        "b": "a very large λ pulls every weight to 0 whatever the truth is, so the average fit misses the truth",
        "c": "a stronger penalty makes the fit depend less on the particular training set, not more",
        "d": "the average fit over training sets moves toward the mean of y as λ grows (only the weights go to 0), "
        "and the spread between fits narrows",
    },
)
