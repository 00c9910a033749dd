"""Right and wrong answers to chapter 07's exercises (neural networks), written with plain torch, without regcourse."""

import torch
from torch import nn

NORMS = (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._BatchNorm, nn.modules.instancenorm._InstanceNorm)


def weights(model):
    """Every parameter except biases and normalization layers' parameters: the course's weights."""
    for module in model.modules():
        if not isinstance(module, NORMS):
            for name, p in module.named_parameters(recurse=False):
                if not name.endswith("bias"):
                    yield p


def weight_penalty(model, lam):
    return lam * sum(w.square().sum() for w in weights(model))


def l1_prox_step(model, lam, lr):
    with torch.no_grad():
        for w in weights(model):
            w.copy_(torch.sign(w) * torch.clamp(w.abs() - lr * lam, min=0.0))


# --- right answers that reach the same values another way -------------------------------------------


def weight_penalty_by_name(model, lam):  # one loop over named_parameters, norm layers found by prefix
    norm_prefixes = [name + "." for name, m in model.named_modules() if isinstance(m, NORMS)]
    return lam * sum(
        p.pow(2).sum()
        for name, p in model.named_parameters()
        if not name.endswith("bias") and not any(name.startswith(n) for n in norm_prefixes)
    )


def weight_penalty_in_float32(model, lam):
    return lam * sum(w.float().square().sum() for w in weights(model))


def l1_prox_step_in_float32(model, lam, lr):  # computed in float32, copied into the float64 weights
    threshold = torch.tensor(lr * lam, dtype=torch.float32)
    with torch.no_grad():
        for w in weights(model):
            w32 = w.float()
            w.copy_(torch.sign(w32) * torch.relu(w32.abs() - threshold))


def l1_prox_step_by_shrinking(model, lam, lr):  # w·max(0, 1 − t/|w|), the same map written as a scaling
    with torch.no_grad():
        for w in weights(model):
            w.mul_(torch.clamp(1 - lr * lam / w.abs().clamp(min=1e-300), min=0.0))


OTHER_RIGHT = {
    "nn.weight_penalty": [weight_penalty_by_name, weight_penalty_in_float32],
    "nn.prox_step": [l1_prox_step_in_float32, l1_prox_step_by_shrinking],
}


RIGHT = {
    "nn.weight_penalty": weight_penalty,
    "nn.bias_pull": 5,
    "nn.weight_decay": "0.005",
    "nn.adamw": "b",
    "nn.prox_step": l1_prox_step,
}


# --- wrong penalties ---------------------------------------------------------------------------


def linear_layers(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def every_parameter(model, lam):  # the source material's loop
    return lam * sum(p.square().sum() for p in model.parameters())


def with_a_half(model, lam):
    return 0.5 * lam * sum(m.weight.square().sum() for m in linear_layers(model))


def as_a_float(model, lam):
    return (lam * sum(m.weight.square().sum() for m in linear_layers(model))).item()


def detached(model, lam):
    return lam * sum(m.weight.detach().square().sum() for m in linear_layers(model))


def only_the_first_layer(model, lam):
    return lam * linear_layers(model)[0].weight.square().sum()


def every_named_weight(model, lam):  # also LayerNorm's scale
    return lam * sum(p.square().sum() for name, p in model.named_parameters() if name.endswith("weight"))


def norm_not_squared(model, lam):
    return lam * sum(m.weight.norm() for m in linear_layers(model))


def squares_in_place(model, lam):
    with torch.no_grad():
        for m in linear_layers(model):
            m.weight.mul_(m.weight)
    return lam * sum(m.weight.sum() for m in linear_layers(model))


def without_lambda(model, lam):
    return sum(m.weight.square().sum() for m in linear_layers(model))


def per_weight(model, lam):
    return lam * linear_layers(model)[0].weight.square()


def linear_layers_only(model, lam):  # misses a custom Module's own nn.Parameter
    return lam * sum(m.weight.square().sum() for m in model.modules() if isinstance(m, nn.Linear))


def over_children(model, lam):  # misses layers nested in containers, and a bare layer's own weight
    return lam * sum(
        w.square().sum()
        for m in model.children()
        if not isinstance(m, NORMS)
        for name, w in m.named_parameters(recurse=False)
        if not name.endswith("bias")
    )


def over_children_tensor(model, lam):  # the same, with a tensor start so it never returns a plain 0
    total = torch.zeros((), dtype=torch.float64)
    for m in model.children():
        if isinstance(m, nn.Linear):
            total = total + m.weight.square().sum()
    return lam * total


def iterating_the_model(model, lam):  # `for m in model`: a Sequential's top level only
    return lam * sum(m.weight.square().sum() for m in model if isinstance(m, nn.Linear))


def weights_of_linear_and_own(model, lam):  # counts the biases of the custom module
    return lam * sum(
        p.square().sum()
        for m in model.modules()
        if not isinstance(m, NORMS)
        for name, p in m.named_parameters(recurse=False)
        if isinstance(m, nn.Linear) and name == "weight" or not isinstance(m, nn.Linear)
    )


# --- wrong proximal steps -------------------------------------------------------------------------


def prox_with(threshold, *, on=lambda m: isinstance(m, nn.Linear), zero=True, shrink=True, include_bias=False):
    def step(model, lam, lr):
        t = threshold(lam, lr)
        with torch.no_grad():
            for m in model.modules():
                if on(m):
                    tensors = [m.weight] + ([m.bias] if include_bias and m.bias is not None else [])
                    for w in tensors:
                        small = w.abs() <= t
                        new = w - t * torch.sign(w) if shrink else w.clone()
                        if zero:
                            new[small] = 0.0
                        w.copy_(new)

    return step


def returns_new_weights(model, lam, lr):
    return [torch.sign(m.weight) * torch.clamp(m.weight.abs() - lr * lam, min=0.0) for m in linear_layers(model)]


def without_no_grad(model, lam, lr):
    for m in linear_layers(model):
        m.weight.copy_(torch.sign(m.weight) * torch.clamp(m.weight.abs() - lr * lam, min=0.0))


def new_parameters(model, lam, lr):
    for m in linear_layers(model):
        m.weight = nn.Parameter(torch.sign(m.weight) * torch.clamp(m.weight.abs() - lr * lam, min=0.0))


def step_on(modules, lam, lr):
    with torch.no_grad():
        for m in modules:
            if isinstance(m, nn.Linear):
                m.weight.copy_(torch.sign(m.weight) * torch.clamp(m.weight.abs() - lr * lam, min=0.0))


def step_over_linear_layers(model, lam, lr):  # misses a custom Module's own nn.Parameter
    step_on(model.modules(), lam, lr)


def step_over_children(model, lam, lr):
    step_on(model.children(), lam, lr)


def step_iterating_the_model(model, lam, lr):
    step_on(model, lam, lr)


def step_nearly_zero(model, lam, lr):  # 1e-9 instead of exact zeros
    with torch.no_grad():
        for w in weights(model):
            w.copy_(torch.sign(w) * torch.clamp(w.abs() - lr * lam, min=1e-9))


def only_the_first_layer_step(model, lam, lr):
    with torch.no_grad():
        w = linear_layers(model)[0].weight
        w.copy_(torch.sign(w) * torch.clamp(w.abs() - lr * lam, min=0.0))


WRONG_CODE = {
    "nn.weight_penalty": [
        (every_parameter, "leave the biases out"),
        (with_a_half, "no ½"),
        (as_a_float, "return a torch tensor"),
        (detached, "no gradient can flow back"),
        (only_the_first_layer, "every layer of the model"),
        (linear_layers_only, "its own nn.Parameter"),
        (over_children, "layers inside layers"),
        (over_children_tensor, "layers inside layers"),
        (iterating_the_model, "layers inside layers"),
        (weights_of_linear_and_own, "except the biases"),
        (every_named_weight, "normalization layer"),
        (norm_not_squared, "not the penalty"),
        (squares_in_place, "changed the model's parameters"),
        (without_lambda, "proportional to λ"),
        (per_weight, "return one number"),
    ],
    "nn.prox_step": [
        (prox_with(lambda lam, lr: lam), "not λ alone"),
        (prox_with(lambda lam, lr: 2 * lr * lam), "no factor 2"),
        (prox_with(lambda lam, lr: lr * lam, shrink=False), "move toward 0, by exactly lr·λ"),
        (prox_with(lambda lam, lr: lr * lam, zero=False), "rather than cross zero"),
        (prox_with(lambda lam, lr: lr * lam, include_bias=True), "leave the biases alone"),
        (
            prox_with(
                lambda lam, lr: lr * lam, on=lambda m: hasattr(m, "weight") and isinstance(m.weight, torch.Tensor)
            ),
            "normalization layer",
        ),
        (only_the_first_layer_step, "every layer of the model"),
        (step_over_linear_layers, "its own nn.Parameter"),
        (step_over_children, "layers inside layers"),
        (step_iterating_the_model, "layers inside layers"),
        (step_nearly_zero, "not merely close to 0"),
        (returns_new_weights, "did not change"),
        (without_no_grad, "torch.no_grad()"),
        (new_parameters, "in place"),
    ],
}

WRONG_VALUES = {
    "nn.bias_pull": [
        (6, "without a penalty on it"),
        (6 / 1.4, "factor 2"),
        (4.8, "not simply reduced"),
        (3, "set its derivative"),
        ("five", "answer with a number"),
    ],
    "nn.weight_decay": [(0.0025, "not λ itself"), (0.00125, "the other way round"), (0.01, "compare the gradient")],
    "nn.adamw": [("a", "parameter groups"), ("c", "exact zeros"), ("d", "c times weaker"), ("e", "choose from")],
}
