"""Regularizing PyTorch networks the right way. The only module of the course that imports torch.

* ``penalty(model, pen)``: the penalty of the *weights* of linear and convolution layers, as a
  differentiable scalar to add to the loss. Biases and normalization layers are left out by
  default: a bias only shifts a unit's output and says nothing about how complex the function
  is, and normalization layers' scales are undone by the next layer, so penalizing them only
  distorts the fit (the source material's loop over ``model.parameters()`` penalizes both).
* ``param_groups(model, wd)``: optimizer groups that apply ``weight_decay`` to those same weights
  only. For SGD, weight_decay = wd is exactly the penalty L2(wd/2) (∇λΣw² = 2λw).
* ``prox_step(model, pen, lr)``: after ``optimizer.step()``, the proximal step of the penalty —
  soft-thresholding for L1 — which sets weights *exactly* to 0; plain (sub)gradient steps on
  λΣ|w| make them hover around 0 instead.
* ``train(...)``: a small, seeded training loop with a progress bar, returning the history.
* ``fit_scaled_loss(...)``, ``penalty_under_loss_scale(wd, c)``: a linear model trained to
  convergence on c·MSE with an optimizer's ``weight_decay``, and the ridge penalty that run
  minimizes when the decay sits in the gradient (SGD, Adam): L2(wd/(2c)).
* ``sparsity(model)``, ``weight_stats(model)``; demo models and data that overfit on purpose.

Everything runs on the device the model is on; nothing assumes the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from regcourse.penalties import L1, L2, Penalty

__all__ = [
    "regularized_parameters",
    "penalty",
    "param_groups",
    "prox_step",
    "sparsity",
    "weight_stats",
    "History",
    "train",
    "fit_scaled_loss",
    "penalty_under_loss_scale",
    "SimpleNet",
    "simple_net_losses",
    "mlp",
    "regression_task",
    "classification_task",
    "keras_dense_model",
]

WEIGHT_LAYERS = (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd)
NORM_LAYERS = (nn.modules.batchnorm._BatchNorm, nn.modules.instancenorm._InstanceNorm, nn.GroupNorm,
               nn.LayerNorm, nn.LocalResponseNorm)


def _check_model(model) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _check_penalty(pen) -> Penalty:
    if not isinstance(pen, Penalty):
        raise TypeError(f"pen must be L1(...), L2(...) or ElasticNet(...) from regcourse, got {type(pen).__name__}")
    return pen


def regularized_parameters(model: nn.Module, include_bias: bool = False) -> list[tuple[str, nn.Parameter]]:
    """(name, parameter) for every parameter the penalty applies to.

    The weights of linear and convolution layers; with ``include_bias=True`` also their biases
    and the parameters of normalization layers — every trainable parameter, as in a loop over
    ``model.parameters()``.
    """
    _check_model(model)
    if include_bias:
        return [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    chosen = []
    for module_name, module in model.named_modules():
        if isinstance(module, WEIGHT_LAYERS) and getattr(module, "weight", None) is not None:
            if module.weight.requires_grad:
                chosen.append((f"{module_name}.weight" if module_name else "weight", module.weight))
    return chosen


def _penalized_weights(model: nn.Module, include_bias: bool) -> list[torch.Tensor]:
    """The tensors of ``regularized_parameters`` without their names: this runs every step."""
    if include_bias:
        return [p for p in model.parameters() if p.requires_grad]
    return [m.weight for m in model.modules()
            if isinstance(m, WEIGHT_LAYERS) and m.weight is not None and m.weight.requires_grad]


class _FusedPenalty(torch.autograd.Function):
    """l1·Σ|w| + l2·Σw² over many tensors in one multi-tensor pass, forward and backward.

    The gradient, l1·sign(w) + 2·l2·w, is written for all tensors at once, which is what makes
    the penalty cost about as much as the optimizer's own weight decay.
    """

    @staticmethod
    def forward(ctx, l1: float, l2: float, *weights):
        ctx.l1, ctx.l2 = l1, l2
        ctx.save_for_backward(*weights)
        total = weights[0].new_zeros(())
        if l1:
            total = total + l1 * torch.stack(torch._foreach_norm(weights, 1)).sum()
        if l2:
            total = total + l2 * torch.stack(torch._foreach_norm(weights, 2)).square().sum()
        return total

    @staticmethod
    def backward(ctx, grad_output):
        weights = ctx.saved_tensors
        scale = grad_output
        grads = torch._foreach_mul(weights, 2.0 * ctx.l2) if ctx.l2 else [torch.zeros_like(w) for w in weights]
        if ctx.l1:
            torch._foreach_add_(grads, torch._foreach_sign(weights), alpha=ctx.l1)
        torch._foreach_mul_(grads, scale)
        return (None, None, *grads)


def penalty(model: nn.Module, pen: Penalty, *, include_bias: bool = False) -> torch.Tensor:
    """The penalty of the model's weights, a differentiable scalar: add it to the loss.

    ``pen`` is L1(λ) (λΣ|w|), L2(λ) (λΣw², no ½) or ElasticNet(l1=λ₁, l2=λ₂), summed over the
    weights of the linear and convolution layers (see ``regularized_parameters``).
    """
    return _weight_penalty(model, pen, include_bias)


def _weight_penalty(model, pen, include_bias):
    pen = _check_penalty(pen)
    weights = _penalized_weights(_check_model(model), include_bias)
    if not weights:
        raise ValueError("model has no linear or convolution weights to penalize")
    if pen.l1_coef == 0.0 and pen.l2_coef == 0.0:
        return weights[0].new_zeros(())
    return _FusedPenalty.apply(float(pen.l1_coef), float(pen.l2_coef), *weights)


def param_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Optimizer parameter groups: ``weight_decay`` on the linear and convolution weights, 0 on
    biases and normalization parameters. Use as ``torch.optim.SGD(param_groups(model, wd), lr=...)``."""
    from regcourse._arrays import check_nonnegative

    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    decayed = {id(p) for _, p in regularized_parameters(model)}
    params = [p for p in _check_model(model).parameters() if p.requires_grad]
    return [
        {"params": [p for p in params if id(p) in decayed], "weight_decay": weight_decay},
        {"params": [p for p in params if id(p) not in decayed], "weight_decay": 0.0},
    ]


@torch.no_grad()
def prox_step(model: nn.Module, pen: Penalty, lr: float, *, include_bias: bool = False) -> None:
    """Apply the penalty's proximal operator with step ``lr`` to the penalized weights, in place:

        w ← sign(w)·max(|w| − lr·λ₁, 0) / (1 + 2·lr·λ₂)

    Call it right after ``optimizer.step()`` on a loss *without* the penalty (proximal gradient
    descent). For L1 it sets every weight whose size is at most lr·λ₁ to exactly 0.
    """
    from regcourse._arrays import check_nonnegative

    pen = _check_penalty(pen)
    lr = check_nonnegative(lr, "lr")
    weights = [p for _, p in regularized_parameters(model, include_bias)]
    threshold, shrink = lr * pen.l1_coef, 1.0 / (1.0 + 2.0 * lr * pen.l2_coef)
    for w in weights:
        if threshold:
            w.copy_(torch.sign(w) * torch.clamp(w.abs() - threshold, min=0.0))
        if shrink != 1.0:
            w.mul_(shrink)


def sparsity(model: nn.Module, tol: float = 0.0, *, include_bias: bool = False) -> float:
    """The share of penalized weights with |w| ≤ tol (exactly zero for tol = 0)."""
    weights = [p.detach() for _, p in regularized_parameters(model, include_bias)]
    total = sum(w.numel() for w in weights)
    zeros = sum(int((w.abs() <= tol).sum()) for w in weights)
    return zeros / total if total else 0.0


def weight_stats(model: nn.Module, *, include_bias: bool = False) -> dict:
    """Count, exact zeros, mean |w|, largest |w|, Σ|w| and Σw² of the penalized weights."""
    flat = torch.cat([p.detach().reshape(-1) for _, p in regularized_parameters(model, include_bias)])
    return {
        "count": flat.numel(),
        "zeros": int((flat == 0).sum()),
        "mean_abs": float(flat.abs().mean()),
        "max_abs": float(flat.abs().max()),
        "l1": float(flat.abs().sum()),
        "l2": float(flat.square().sum()),
    }


# --- training ------------------------------------------------------------------------------------


@dataclass
class History:
    """Per epoch: training loss (data loss only), validation loss, penalty value, sparsity."""

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    penalty: list = field(default_factory=list)
    sparsity: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


def _optimizer(name, groups, lr):
    makers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
    if name not in makers:
        raise ValueError(f"optimizer must be one of {', '.join(makers)}, got {name!r}")
    return makers[name](groups, lr=lr)


def train(model: nn.Module, X, y, *, X_val=None, y_val=None, loss_fn=None, penalty: Penalty | None = None,
          optimizer: str = "adam", lr: float = 1e-2, weight_decay: float = 0.0, epochs: int = 200,
          batch_size: int | None = None, prox: bool = False, include_bias: bool = False, seed: int = 0,
          progress: bool = True) -> History:
    """Train ``model`` and return its History.

    The loss is ``loss_fn`` (default ``nn.MSELoss()``) plus, when ``penalty`` is given and
    ``prox`` is False, the penalty of the model's weights (``regcourse.nn.penalty``). With ``prox=True`` the penalty is applied
    by ``prox_step`` after every optimizer step instead (exact zeros for L1). ``weight_decay``
    goes to the optimizer, on the weights only (``param_groups``). Mini-batches (``batch_size``;
    default: the whole set) are shuffled with ``seed``. A progress bar (tqdm.auto: a widget in
    Jupyter, text elsewhere) shows the losses.
    """
    from tqdm.auto import tqdm

    from regcourse._arrays import check_count, check_nonnegative

    model = _check_model(model)
    epochs = check_count(epochs, "epochs")
    lr = check_nonnegative(lr, "lr")
    if penalty is not None:
        _check_penalty(penalty)
    device = next(model.parameters()).device
    X, y = torch.as_tensor(X, device=device), torch.as_tensor(y, device=device)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples, got {X.shape[0]} and {y.shape[0]}")
    has_val = X_val is not None
    if has_val:
        X_val, y_val = torch.as_tensor(X_val, device=device), torch.as_tensor(y_val, device=device)
    loss_fn = loss_fn or nn.MSELoss()
    opt = _optimizer(optimizer, param_groups(model, weight_decay), lr)
    generator = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    size = n if batch_size is None else check_count(batch_size, "batch_size")
    history = History()
    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress, leave=False)
    for _ in bar:
        model.train()
        order = torch.randperm(n, generator=generator).to(device)
        total = 0.0
        for start in range(0, n, size):
            batch = order[start:start + size]
            opt.zero_grad(set_to_none=True)
            data_loss = loss_fn(model(X[batch]), y[batch])
            loss = data_loss
            if penalty is not None and not prox:
                loss = loss + _weight_penalty(model, penalty, include_bias)
            loss.backward()
            opt.step()
            if penalty is not None and prox:
                prox_step(model, penalty, lr, include_bias=include_bias)
            total += float(data_loss.detach()) * len(batch)
        history.train_loss.append(total / n)
        model.eval()
        with torch.no_grad():
            if has_val:
                history.val_loss.append(float(loss_fn(model(X_val), y_val)))
            history.penalty.append(float(_weight_penalty(model, penalty, include_bias)) if penalty else 0.0)
        history.sparsity.append(sparsity(model, include_bias=include_bias))
        if progress:
            # refresh=False: redrawing a notebook's progress widget every epoch costs more than the epoch
            bar.set_postfix(train=f"{history.train_loss[-1]:.4f}", refresh=False,
                            **({"val": f"{history.val_loss[-1]:.4f}"} if has_val else {}))
    bar.close()
    return history


def _check_loss_scale(value) -> float:
    from regcourse._arrays import check_nonnegative

    value = check_nonnegative(value, "loss_scale")
    if value == 0:
        raise ValueError("loss_scale must be > 0, got 0.0")
    return value


def penalty_under_loss_scale(weight_decay: float, loss_scale: float = 1.0) -> L2:
    """The L2 penalty minimized by an optimizer whose ``weight_decay`` sits in the gradient
    (SGD, Adam), when the data loss is ``loss_scale`` · MSE:

        c·MSE + (wd/2)·Σw² = c·(MSE + wd/(2c)·Σw²)   ⇒   L2(λ = wd/(2c)).

    A larger loss scale c leaves the decay term alone and so weakens the penalty c-fold. AdamW's
    decoupled decay has no such penalty (see ``fit_scaled_loss``).
    """
    from regcourse._arrays import check_nonnegative

    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    loss_scale = _check_loss_scale(loss_scale)
    return L2(weight_decay / (2.0 * loss_scale))


def fit_scaled_loss(X, y, optimizer: str, *, loss_scale: float = 1.0, weight_decay: float = 0.0, lr: float = 0.1,
                    steps: int = 600, settle: int = 300, seed: int = 1) -> nn.Linear:
    """A linear model trained full-batch on ``loss_scale`` · MSE until it stops moving; returns it.

    ``optimizer`` is "sgd", "adam" or "adamw", with ``weight_decay`` on the weight only
    (``param_groups``). The step size is ``lr`` for the first ``steps − settle`` steps and then
    shrinks geometrically to lr·10⁻⁹ over the last ``settle`` steps: Adam with a constant step
    keeps hopping around its limit by about lr, and the shrinking steps let it land there.
    With the decay in the gradient (SGD, Adam) that limit is the ridge solution of
    ``penalty_under_loss_scale(weight_decay, loss_scale)``; AdamW's limit does not depend on
    ``loss_scale`` at all (Adam's step is invariant to the loss scale, and the decay lr·wd·w
    does not see the loss).
    """
    from regcourse._arrays import check_count, check_nonnegative

    loss_scale = _check_loss_scale(loss_scale)
    lr = check_nonnegative(lr, "lr")
    steps = check_count(steps, "steps")
    settle = check_count(settle, "settle") if settle else 0
    if settle > steps:
        raise ValueError(f"settle must be at most steps ({steps}), got {settle}")
    X = torch.as_tensor(X)
    y = torch.as_tensor(y, dtype=X.dtype).reshape(-1, 1)
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X must be 2-D with one row per target, got X of shape {tuple(X.shape)} and "
                         f"{y.shape[0]} targets")
    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1).to(X.dtype)
    opt = _optimizer(optimizer, param_groups(model, weight_decay), lr)
    shrink = 1e-9 ** (1.0 / settle) if settle else 1.0
    for step in range(steps):
        opt.zero_grad(set_to_none=True)
        (loss_scale * nn.functional.mse_loss(model(X), y)).backward()
        opt.step()
        if step >= steps - settle:
            for group in opt.param_groups:
                group["lr"] *= shrink
    return model


# --- demo models and data --------------------------------------------------------------------


class SimpleNet(nn.Module):
    """The source material's network: one linear layer from 10 inputs to 1 output."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 1)

    def forward(self, x):
        return self.fc(x)


def simple_net_losses(lam_l1: float = 0.01, lam_l2: float = 0.01, seed: int = 0) -> dict:
    """The source's SimpleNet example, done both ways on the same seeded model and data.

    Returns the MSE, the L1- and L2-penalized losses over the weights only (right), and the
    same losses with the bias penalized too (the source's loop over ``model.parameters()``).
    """
    torch.manual_seed(seed)
    model = SimpleNet()
    x, y = torch.randn(5, 10), torch.randn(5, 1)
    mse = nn.MSELoss()(model(x), y)
    everything = list(model.parameters())
    losses = {
        "mse": mse,
        "l1_weights_only": mse + penalty(model, L1(lam_l1)),
        "l2_weights_only": mse + penalty(model, L2(lam_l2)),
        "l1_with_bias": mse + lam_l1 * sum(p.abs().sum() for p in everything),
        "l2_with_bias": mse + lam_l2 * sum(p.square().sum() for p in everything),
    }
    return {name: float(value.detach()) for name, value in losses.items()}


def mlp(sizes=(1, 64, 64, 1), *, activation=nn.Tanh, seed: int = 0) -> nn.Sequential:
    """A multilayer perceptron with the given layer sizes, seeded."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def regression_task(n_train: int = 20, n_val: int = 200, noise: float = 0.3, seed: int = 0):
    """1-D regression with few noisy training points, y = sin(3x) + noise on [−1, 1]: a 64×64
    network fits the noise. Returns float32 tensors X_train, y_train, X_val, y_val of shape (n, 1)."""
    rng = np.random.default_rng(seed)

    def sample(n):
        x = rng.uniform(-1.0, 1.0, (n, 1))
        return x, np.sin(3.0 * x) + noise * rng.standard_normal((n, 1))

    parts = (*sample(n_train), *sample(n_val))
    return tuple(torch.tensor(a, dtype=torch.float32) for a in parts)


def classification_task(n_train: int = 60, n_val: int = 400, noise: float = 0.3, seed: int = 0):
    """Two interleaving half-moons (scikit-learn's make_moons) with label noise in the few
    training points. Returns X_train, y_train, X_val, y_val (labels as int64 class indices)."""
    from sklearn.datasets import make_moons

    X_train, y_train = make_moons(n_train, noise=noise, random_state=seed)
    X_val, y_val = make_moons(n_val, noise=noise, random_state=seed + 1)
    return (torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train), torch.tensor(X_val, dtype=torch.float32),
            torch.tensor(y_val))


def keras_dense_model(l1: float = 0.01, l2: float = 0.01, input_dim: int = 10):
    """The source's Keras example in Keras 3: ``keras.Input`` instead of ``input_dim=``, a Dense
    layer of 64 ReLU units whose kernel carries ``L1L2(l1, l2)`` (= ElasticNet(l1=l1, l2=l2))."""
    from regcourse._keras import import_keras

    keras = import_keras()
    return keras.Sequential([
        keras.Input(shape=(input_dim,)),
        keras.layers.Dense(64, activation="relu", kernel_regularizer=keras.regularizers.L1L2(l1=l1, l2=l2)),
        keras.layers.Dense(1),
    ])

