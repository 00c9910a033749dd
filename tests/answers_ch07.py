"""Right and wrong answers to chapter 07's exercises (neural networks), written with plain torch, without regcourse."""

import torch
from torch import nn


def weight_penalty(model, lam):
    return lam * sum(m.weight.square().sum() for m in model.modules() if isinstance(m, nn.Linear))


def l1_prox_step(model, lam, lr):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.weight.copy_(torch.sign(m.weight) * torch.clamp(m.weight.abs() - lr * lam, min=0.0))


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
        (only_the_first_layer, "every nn.Linear layer"),
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
        (prox_with(lambda lam, lr: lr * lam, on=lambda m: hasattr(m, "weight") and isinstance(m.weight, torch.Tensor)),
         "normalization layer"),
        (only_the_first_layer_step, "every nn.Linear layer"),
        (returns_new_weights, "did not change"),
        (without_no_grad, "torch.no_grad()"),
        (new_parameters, "in place"),
    ],
}

WRONG_VALUES = {
    "nn.bias_pull": [(6, "without a penalty on it"), (6 / 1.4, "factor 2"), (4.8, "not simply reduced"),
                     (3, "set its derivative"), ("five", "answer with a number")],
    "nn.weight_decay": [(0.0025, "not λ itself"), (0.00125, "the other way round"), (0.01, "compare the gradient")],
    "nn.adamw": [("a", "parameter groups"), ("c", "exact zeros"), ("d", "c times weaker"), ("e", "choose from")],
}
