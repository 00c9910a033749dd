"""Chapter 07 exercises: penalties on a PyTorch network, the bias, weight decay, AdamW, the proximal L1 step.

torch is imported inside the checkers, never when this module is imported: ``check`` loads
every chapter's module, and ``import regcourse`` must stay free of torch.
"""

from __future__ import annotations

import numpy as np

from regcourse.exercises._checking import (
    FLOAT32_EPS,
    Failed,
    LearnerError,
    call,
    case_rng,
    choice_exercise,
    close,
    matches,
    number_exercise,
    precision,
    require,
)
from regcourse.exercises._registry import exercise

CHAPTER = 7


# --- small float64 models whose every value comes from the case generator --------------------------


def _linear(rng, fan_in: int, fan_out: int, *, bias: bool = True):
    import torch
    from torch import nn

    layer = nn.Linear(fan_in, fan_out, bias=bias, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(rng.normal(size=(fan_out, fan_in))))
        if bias:  # biases of a clear size, so that penalizing them shows in the value
            layer.bias.copy_(torch.from_numpy(_signed(rng, fan_out)))
    return layer


def _signed(rng, size: int) -> np.ndarray:
    return rng.uniform(0.5, 2.0, size) * rng.choice([-1.0, 1.0], size)


def _layer_norm(rng, size: int):
    import torch
    from torch import nn

    norm = nn.LayerNorm(size, dtype=torch.float64)
    with torch.no_grad():
        norm.weight.copy_(torch.from_numpy(rng.uniform(0.3, 1.5, size)))
        norm.bias.copy_(torch.from_numpy(rng.uniform(-1.0, 1.0, size)))
    return norm


def _mixer(rng):
    """A custom Module with weights of its own: a hidden nn.Linear, then its own nn.Parameter
    matrix ``mix`` and its own ``bias``, as learners write models by hand."""
    import torch

    from regcourse.exercises._torch_models import Mixer  # module level: the grader's kernel loads it by name

    return Mixer(_linear(rng, 3, 4), torch.from_numpy(rng.normal(size=(4, 2))), torch.from_numpy(_signed(rng, 2)))


def _models(rng, kind: str):
    """Fresh models for one case, built without touching the learner's torch random state."""
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        if kind == "one layer, no bias":
            return nn.Sequential(_linear(rng, 4, 3, bias=False))
        if kind == "one layer":
            return nn.Sequential(_linear(rng, 5, 2))
        if kind == "three layers":
            return nn.Sequential(_linear(rng, 3, 5), nn.Tanh(), _linear(rng, 5, 4), nn.ReLU(), _linear(rng, 4, 1))
        if kind == "layer norm":
            return nn.Sequential(_linear(rng, 3, 6), _layer_norm(rng, 6), nn.Tanh(), _linear(rng, 6, 2))
        if kind == "nested":  # model.children() and `for m in model` see only the last layer's weights
            return nn.Sequential(
                nn.Sequential(_linear(rng, 3, 5), nn.Tanh()),
                nn.Sequential(nn.Sequential(_linear(rng, 5, 4), _layer_norm(rng, 4)), nn.ReLU()),
                _linear(rng, 4, 1),
            )
        if kind == "bare layer":
            return _linear(rng, 4, 3)
        if kind == "custom module":
            return _mixer(rng)
    raise ValueError(kind)


KINDS = ("one layer, no bias", "one layer", "three layers", "layer norm", "nested", "bare layer", "custom module")


def weight_names(model) -> list[str]:
    """The names of the parameters the course penalizes: every parameter except biases (names
    ending in "bias") and the parameters of normalization layers — also a custom Module's own
    nn.Parameter. This is regcourse.nn's rule; tests/test_checks.py checks that both agree on
    every model built here."""
    from torch import nn

    norms = (nn.modules.batchnorm._BatchNorm, nn.modules.instancenorm._InstanceNorm, nn.GroupNorm, nn.LayerNorm)
    names = []
    for module_name, module in model.named_modules():
        if isinstance(module, norms):
            continue
        for name, _ in module.named_parameters(recurse=False):
            if not name.endswith("bias"):
                names.append(f"{module_name}.{name}" if module_name else name)
    return names


def _state(model) -> dict:
    return {name: p.detach().clone().numpy() for name, p in model.named_parameters()}


def _call_on_model(fn, model, *args):
    """Call the learner's function; point out an edit of the weights, and in-place updates of
    parameters that autograd refuses outside ``torch.no_grad()``."""
    try:
        return call(fn, model, *args)
    except LearnerError as err:
        if "leaf Variable that requires grad" in str(err):
            raise Failed(
                "torch refuses to change a weight in place while it records gradients: "
                "wrap the update in `with torch.no_grad():`"
            ) from None
        raise


def _scalar_tensor(result, found_nothing: str):
    import torch

    if result is None:
        raise Failed("your function returned None: did you forget the return statement?")
    if not torch.is_tensor(result):
        if isinstance(result, (int, float)) and result == 0:  # sum() over a loop that found no weights
            raise Failed(found_nothing)
        raise Failed(
            f"return a torch tensor built from the weights, not a {type(result).__name__}: a plain "
            "number carries no gradient back to the weights (no .item() or float() at the end)"
        )
    if result.numel() != 1:
        raise Failed(f"return one number (a tensor with one element), not a tensor of shape {tuple(result.shape)}")
    return result


# The hints of the cases that catch loops over the wrong things.
ALL_LAYERS = "add the squared weights of every layer of the model, not only one of them"
NESTED = (
    "this model has layers inside layers (a Sequential inside a Sequential): visit every module of the "
    "model with model.modules(), not only its direct children"
)
BARE_LAYER = (
    "the model can be a single layer, such as one nn.Linear by itself: model.modules() includes the "
    "model itself, and its own weight counts"
)
OWN_PARAMETER = (
    "a custom Module can hold its own nn.Parameter weights besides its layers, and they count too: "
    "every parameter is a weight except the biases and the parameters of normalization layers"
)
NORM_LAYER = (
    "a normalization layer's weight (LayerNorm, BatchNorm) is a scale, not a connection, and stays "
    "out of the penalty like a bias"
)


# --- exercise 1: the penalty over the weights only ---------------------------------------------------


@exercise("nn.weight_penalty", chapter=CHAPTER, title="An L2 penalty on a network's weights, not its biases", points=3)
def check_weight_penalty(weight_penalty):
    import torch

    from regcourse.penalties import L2

    rng = case_rng("nn.weight_penalty")

    def value_of(model, lam, hint):
        before = _state(model)
        result = _scalar_tensor(_call_on_model(weight_penalty, model, lam), hint)
        after = _state(model)
        require(
            all(np.array_equal(before[k], after[k]) for k in before),
            "your function changed the model's parameters; compute the penalty without modifying them",
        )
        return result

    def everything(model, lam):  # the source's mistake: every parameter, biases included
        return lam * sum(float(p.detach().square().sum()) for p in model.parameters())

    def compare_value(kind, lams, hint):
        for lam in lams:
            model = _models(rng, kind)
            state = _state(model)
            got = value_of(model, lam, hint).detach().reshape(())
            expected = sum(float(L2(lam)(state[name])) for name in weight_names(model))
            try:
                close(got, expected, hint)
            except Failed:
                if lam > 0 and matches(got, expected / 2):
                    raise Failed(
                        "your value is half the right one: the course's L2 penalty is λ·Σw², with no ½ in front"
                    ) from None
                if lam > 0 and matches(got, np.sqrt(expected / lam) * lam):
                    raise Failed(
                        "square the weights and add the squares up: the square root of that sum "
                        "is the norm of the weights, not the penalty"
                    ) from None
                if lam > 0 and matches(got, everything(model, lam)):
                    raise Failed(
                        "leave the biases out: the penalty covers the weights only "
                        "(a loop over model.parameters() also picks up every bias)"
                    ) from None
                raise

    compare_value(
        "one layer, no bias",
        [1.0],
        "with λ = 1 and one layer without a bias, the penalty is the sum of the squared weights",
    )
    compare_value("one layer, no bias", [0.0, 0.3, 2.5], "the penalty should be proportional to λ, and 0 when λ = 0")
    compare_value(
        "one layer", [1.0, 0.4], "for a layer with a bias, the penalty is still λ·Σw² over its weight matrix alone"
    )
    compare_value("three layers", [0.7], ALL_LAYERS)

    model, lam = _models(rng, "three layers"), 0.6
    result = value_of(model, lam, ALL_LAYERS)
    require(
        result.requires_grad and result.grad_fn is not None,
        "your result is cut off from the weights, so no gradient can flow back: build it from the "
        "parameters themselves, without .detach(), .data, .item() or torch.tensor(...)",
    )
    eps = precision(result)
    params = list(model.parameters())
    grads = torch.autograd.grad(result, params, allow_unused=True)
    for (name, p), grad in zip(model.named_parameters(), grads):
        if name.endswith("bias"):
            require(
                grad is None or not torch.any(grad != 0),
                "the gradient reaches the biases: leave them out of the penalty",
            )
        else:
            require(
                grad is not None and matches(grad, 2 * lam * p.detach().numpy(), atol=1e-12, eps=eps),
                "the gradient with respect to each weight matrix should be 2λW, as for λ·Σw²",
            )

    compare_value("layer norm", [0.5], NORM_LAYER)
    compare_value("nested", [0.8], NESTED)
    compare_value("bare layer", [1.3], BARE_LAYER)
    compare_value("custom module", [0.9], OWN_PARAMETER)


# --- exercise 2: where a penalized bias ends up ------------------------------------------------------

number_exercise(
    "nn.bias_pull",
    chapter=CHAPTER,
    title="A penalized bias is pulled toward 0",
    points=1,
    answer=5.0,
    hint="write the objective (1/n)·Σ(yᵢ − b)² + λb², set its derivative with respect to b to zero and solve for b",
    mistakes=[
        (
            6.0,
            ("that is where the bias ends up without a penalty on it; with λb² in the objective it is pulled toward 0"),
        ),
        (
            6.0 / 1.4,
            (
                "a factor 2 crept in: the MSE contributes −2(ȳ − b) to the derivative and λb² contributes "
                "2λb, so the 2s cancel"
            ),
        ),
        (
            4.8,
            ("close, but the bias is not simply reduced by the fraction λ: solve the zero-derivative equation for b"),
        ),
    ],
)


# --- exercise 3: SGD's weight_decay in the course's λ -----------------------------------------------

number_exercise(
    "nn.weight_decay",
    chapter=CHAPTER,
    title="SGD's weight_decay for a given L2 penalty",
    points=1,
    answer=0.005,
    hint="compare the gradient of λ·Σw² with the term wd·w that SGD adds to each weight's gradient",
    mistakes=[
        (0.0025, "weight_decay is not λ itself: SGD adds wd·w to the gradient; the gradient of λ·Σw² is 2λw"),
        (0.00125, "the other way round: the penalty's gradient 2λw must equal the wd·w that SGD adds"),
    ],
)


# --- exercise 4: Adam + L2 versus AdamW -----------------------------------------------------------

choice_exercise(
    "nn.adamw",
    chapter=CHAPTER,
    title="Why AdamW is not Adam with an L2 penalty",
    points=1,
    options={
        "a": "AdamW also decays the biases, while Adam with weight_decay leaves them alone",
        "b": "Adam divides the penalty's gradient by the running size of each weight's gradients like the rest "
        "of the gradient, while AdamW shrinks every weight by lr·wd·w directly, outside that rescaling",
        "c": "AdamW adds an L1 penalty instead of an L2 penalty, so it creates exact zeros",
        "d": "There is no difference in the result: AdamW is only a faster implementation of the same update",
    },
    correct="b",
    hint="think about where each optimizer puts the decay term: inside the gradient that Adam divides by √v̂, "
    "or outside it",
    why_not={
        "a": "which parameters are decayed is decided by the parameter groups you give either optimizer, not by "
        "the optimizer",
        "c": "both shrink each weight in proportion to its value, the L2 kind of pull; neither makes exact zeros",
        "d": "the chapter's experiment gives different weights: multiply the loss by c and Adam with weight_decay "
        "minimizes a ridge objective whose penalty is c times weaker, while AdamW shrinks the weights just as "
        "hard as before",
    },
)


# --- exercise 5: the proximal L1 step on a network ---------------------------------------------------


@exercise("nn.prox_step", chapter=CHAPTER, title="A proximal L1 step on a network's weights", points=3)
def check_prox_step(l1_prox_step):
    """The weights may be computed in float32 and stored in float64 parameters, so every
    comparison uses float32's tolerances; weights that must become 0 must be exactly 0."""
    from regcourse.penalties import L1, soft_threshold

    rng = case_rng("nn.prox_step")

    def run(model, lam, lr):
        """(weights before, the learner's weights after, the course's weights after)."""
        before = _state(model)
        expected = {k: (L1(lam).prox(v, lr) if k in weight_names(model) else v) for k, v in before.items()}
        originals = {name: p for name, p in model.named_parameters()}
        _call_on_model(l1_prox_step, model, lam, lr)
        for name, p in model.named_parameters():
            require(
                p is originals[name],
                "change the weights in place (for example w.copy_(...) inside torch.no_grad()) instead of "
                "assigning new tensors: an optimizer keeps updating the tensors it was given",
            )
            require(p.requires_grad, "the weights should still require gradients after the step")
        return before, _state(model), expected

    def compare_weights(kind, lam, lr, hint, *, set_weights=None, unchanged=None):
        model = _models(rng, kind)
        if set_weights is not None:
            set_weights(model)
        weights = weight_names(model)
        before, got, expected = run(model, lam, lr)
        if lam > 0 and all(np.array_equal(got[k], before[k]) for k in weights):
            raise Failed(unchanged or hint)
        t = lr * lam
        for k in got:
            if k in weights:
                w = before[k]
                mistakes = [
                    (
                        soft_threshold(w, lam),
                        "the threshold of one proximal step is the step size times λ (lr·λ), not λ alone",
                    ),
                    (soft_threshold(w, 2 * t), "there is no factor 2 in the L1 threshold: it is lr·λ"),
                    (
                        np.where(np.abs(w) <= t, 0.0, w),
                        "weights larger than the threshold should also move toward 0, by exactly lr·λ",
                    ),
                    (w - t * np.sign(w), "weights with |w| ≤ lr·λ should become exactly 0 rather than cross zero"),
                ]
                if not matches(got[k], expected[k], atol=1e-12, eps=FLOAT32_EPS):
                    for wrong, specific in mistakes:
                        if t > 0 and matches(got[k], wrong, atol=1e-12, eps=FLOAT32_EPS):
                            raise Failed(specific)
                    raise Failed(hint)
                clearly_below = np.abs(w) < t * (1 - 1e-6)  # float32 rounding cannot move these across t
                require(
                    np.all(got[k][clearly_below] == 0.0),
                    "weights with |w| ≤ lr·λ should become exactly 0, not merely close to 0",
                )
            elif not np.array_equal(got[k], before[k]):
                raise Failed(
                    "leave the biases alone: only the weights are penalized"
                    if k.endswith("bias")
                    else "only the weights are penalized: " + NORM_LAYER
                )

    def small_and_large(model):
        import torch

        layer = model[0]
        size = layer.weight.numel()
        values = rng.uniform(0.01, 0.09, size) * rng.choice([-1.0, 1.0], size)
        values[::2] = rng.uniform(0.3, 2.0, len(values[::2])) * rng.choice([-1.0, 1.0], len(values[::2]))
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(values.reshape(layer.weight.shape)))

    compare_weights(
        "one layer, no bias",
        0.5,
        0.2,
        "weights with |w| ≤ lr·λ should become exactly 0 and the others move toward 0 by lr·λ",
        set_weights=small_and_large,
        unchanged="the model's weights did not change: update them in place (the return value of your "
        "function is not used)",
    )

    def on_the_threshold(model):
        import torch

        with torch.no_grad():
            model[0].weight.copy_(torch.tensor([[0.125, -0.125, 0.5, -0.0625]] * 3, dtype=torch.float64))

    compare_weights(
        "one layer, no bias",
        0.5,
        0.25,
        "weights with |w| ≤ lr·λ, including those exactly on the threshold, should become exactly 0",
        set_weights=on_the_threshold,
    )
    compare_weights("one layer", 0.8, 0.25, "with a bias in the layer, threshold the weight matrix and nothing else")
    compare_weights("three layers", 0.6, 0.3, "soft-threshold the weights of every layer of the model")
    compare_weights("layer norm", 0.4, 0.3, "soft-threshold the weights and nothing else: " + NORM_LAYER)
    compare_weights("nested", 0.5, 0.3, NESTED)
    compare_weights("bare layer", 0.7, 0.2, BARE_LAYER)
    compare_weights("custom module", 0.6, 0.3, OWN_PARAMETER)
    model = _models(rng, "three layers")
    before, got, _ = run(model, 0.0, 0.5)
    require(
        all(matches(got[k], before[k], atol=1e-12, eps=FLOAT32_EPS) for k in got),
        "with λ = 0 the step should change nothing",
    )
