"""Regularizing PyTorch networks the right way. With ``_training_inputs`` (the checks of ``train``),
the only module of the course that imports torch when it is imported.

* ``penalty(model, pen)``: the penalty of the model's *weights*, as a differentiable scalar to
  add to the loss. A weight is decided by its role, not by its layer's class
  (``parameter_roles``): every parameter except biases and normalization layers' scales and
  shifts, so attention, recurrent, embedding and custom parameters count. Biases and
  normalization parameters are left out by default: a bias only shifts a unit's output and says
  nothing about how complex the function is, and normalization layers' scales are undone by the
  next layer, so penalizing them only distorts the fit (the source material's loop over
  ``model.parameters()`` penalizes both).
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
    "parameter_roles",
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


def _check_model(model) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _check_penalty(pen) -> Penalty:
    if not isinstance(pen, Penalty):
        raise TypeError(f"pen must be L1(...), L2(...) or ElasticNet(...) from regcourse, got {type(pen).__name__}")
    return pen


# --- which parameters are weights -----------------------------------------------------------------
#
# A parameter's role comes from what it does, not from the class of the layer that holds it, so bare
# Parameters (MultiheadAttention.in_proj_weight, an LSTM's weight_hh_l0, a custom module's own
# nn.Parameter) are weights like nn.Linear.weight.

ROLES = ("weight", "bias", "norm", "embedding")
NORM_LAYERS = tuple(
    layer
    for layer in (
        nn.modules.batchnorm._NormBase,  # BatchNorm1d/2d/3d, SyncBatchNorm, InstanceNorm1d/2d/3d and their lazy forms
        nn.LayerNorm,
        nn.GroupNorm,
        getattr(nn, "RMSNorm", None),
        nn.LocalResponseNorm,
    )
    if layer is not None
)
EMBEDDING_LAYERS = (nn.Embedding, nn.EmbeddingBag)


def _is_bias(local_name: str) -> bool:
    """PyTorch's names for every bias: bias, bias_ih_l0, bias_k, in_proj_bias, …"""
    return local_name == "bias" or local_name.startswith("bias_") or local_name.endswith("_bias")


def _is_norm(module: nn.Module) -> bool:
    # The class-name rule catches hand-written normalization layers (an RMSNorm of one's own, T5LayerNorm, …).
    return isinstance(module, NORM_LAYERS) or type(module).__name__.endswith("Norm")


def _role(module: nn.Module, local_name: str) -> str:
    if _is_bias(local_name):
        return "bias"
    if _is_norm(module):
        return "norm"
    if isinstance(module, EMBEDDING_LAYERS):
        return "embedding"
    return "weight"


def parameter_roles(model: nn.Module) -> list[tuple[str, str, nn.Parameter]]:
    """(name, role, parameter) for every parameter, in the order and with the names of
    ``model.named_parameters()`` (a parameter shared by several layers is listed once).

    The role is decided by what the parameter does:

    * ``"bias"``: its own name is ``bias``, starts with ``bias_`` or ends with ``_bias`` — PyTorch's
      names for every additive offset (Linear and Conv ``bias``, RNN/LSTM/GRU ``bias_ih_l0``,
      MultiheadAttention ``in_proj_bias``, ``bias_k``, ``bias_v``);
    * ``"norm"``: any other parameter of a normalization layer — BatchNorm*, InstanceNorm*,
      SyncBatchNorm, LayerNorm, GroupNorm, RMSNorm, and any module whose class name ends in
      ``Norm`` (a hand-written RMSNorm): their scales, which the next layer can undo;
    * ``"embedding"``: the table of nn.Embedding and nn.EmbeddingBag;
    * ``"weight"``: everything else — Linear, Bilinear and Conv kernels, RNN/LSTM/GRU matrices,
      MultiheadAttention's ``in_proj_weight`` and ``q/k/v_proj_weight``, PReLU's slopes, and the
      bare ``nn.Parameter`` of a custom module.

    A parametrized tensor (``torch.nn.utils.parametrize``, e.g. weight_norm) keeps the role of
    the tensor it parametrizes: ``parametrizations.weight.original0`` is a weight.
    """
    _check_model(model)
    found: list[tuple[str, str, nn.Parameter]] = []
    seen_params: set[int] = set()
    seen_modules: set[int] = set()

    def visit(module, prefix, owner, owner_name):
        """``owner``/``owner_name``: the module and tensor name a parametrization's originals stand for."""
        if id(module) in seen_modules:
            return
        seen_modules.add(id(module))
        # _parameters and _modules directly, not through named_parameters' generators: a training loop
        # that calls penalty() runs this walk at every step.
        kind = "norm" if _is_norm(module) else "embedding" if isinstance(module, EMBEDDING_LAYERS) else "weight"
        for local, p in module._parameters.items():
            if p is None or id(p) in seen_params:
                continue
            seen_params.add(id(p))
            if owner is not None and local.startswith("original"):
                role = _role(owner, owner_name)
            else:
                role = "bias" if _is_bias(local) else kind
            found.append((prefix + local, role, p))
        for child_name, child in module._modules.items():
            if child is None:
                continue
            if child_name == "parametrizations" and nn.utils.parametrize.is_parametrized(module):
                seen_modules.add(id(child))
                for tensor_name, originals in child._modules.items():
                    visit(originals, f"{prefix}parametrizations.{tensor_name}.", module, tensor_name)
            else:
                visit(child, f"{prefix}{child_name}.", None, None)

    visit(model, "", None, None)
    return found


def _chosen(role: str, include_bias: bool, include_embeddings: bool) -> bool:
    if role == "weight":
        return True
    if role == "embedding":
        return include_embeddings
    return include_bias


def regularized_parameters(
    model: nn.Module, include_bias: bool = False, *, include_embeddings: bool = True
) -> list[tuple[str, nn.Parameter]]:
    """(name, parameter) for every trainable parameter the penalty applies to.

    By default the parameters whose role is ``"weight"`` or ``"embedding"`` (see
    ``parameter_roles``). ``include_bias=True`` adds the biases and normalization parameters —
    every trainable parameter, as in a loop over ``model.parameters()``; ``include_embeddings=False``
    leaves embedding tables out (as many transformer recipes do). Embeddings count by default
    because an embedding is a linear layer applied to one-hot inputs: its table holds that
    layer's weights. Frozen parameters (``requires_grad=False``) are never included.
    """
    return [
        (name, p)
        for name, role, p in parameter_roles(model)
        if p.requires_grad and _chosen(role, include_bias, include_embeddings)
    ]


def _penalized_weights(model: nn.Module, include_bias: bool, include_embeddings: bool = True) -> list[torch.Tensor]:
    """The tensors of ``regularized_parameters``, checked to be usable."""
    weights = [p for _, p in regularized_parameters(model, include_bias, include_embeddings=include_embeddings)]
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in weights):
        raise ValueError("model has uninitialized (lazy) parameters: run one batch through it before penalizing it")
    return weights


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


def penalty(
    model: nn.Module, pen: Penalty, *, include_bias: bool = False, include_embeddings: bool = True
) -> torch.Tensor:
    """The penalty of the model's weights, a differentiable scalar: add it to the loss.

    ``pen`` is L1(λ) (λΣ|w|), L2(λ) (λΣw², no ½) or ElasticNet(l1=λ₁, l2=λ₂), summed over every
    weight of the model — every parameter except biases and normalization parameters, embedding
    tables included (see ``parameter_roles`` and ``regularized_parameters`` for the flags).
    """
    return _weight_penalty(model, pen, include_bias, include_embeddings)


def _weight_penalty(model, pen, include_bias, include_embeddings=True):
    pen = _check_penalty(pen)
    weights = _penalized_weights(_check_model(model), include_bias, include_embeddings)
    if not weights:
        raise ValueError(
            "model has no weights to penalize (only biases, normalization parameters or "
            "frozen parameters, or no parameters at all)"
        )
    return _fused_penalty(weights, pen)


def _fused_penalty(weights: list[torch.Tensor], pen: Penalty) -> torch.Tensor:
    if pen.l1_coef == 0.0 and pen.l2_coef == 0.0:
        return weights[0].new_zeros(())
    return _FusedPenalty.apply(float(pen.l1_coef), float(pen.l2_coef), *weights)


def param_groups(model: nn.Module, weight_decay: float, *, include_embeddings: bool = True) -> list[dict]:
    """Optimizer parameter groups: ``weight_decay`` on the weights (the parameters ``penalty``
    covers), 0 on biases and normalization parameters; every trainable parameter is in exactly
    one group. Use as ``torch.optim.SGD(param_groups(model, wd), lr=...)``."""
    from regcourse._arrays import check_nonnegative

    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    decayed = {id(p) for _, p in regularized_parameters(model, include_embeddings=include_embeddings)}
    params = [p for _, _, p in parameter_roles(model) if p.requires_grad]
    return [
        {"params": [p for p in params if id(p) in decayed], "weight_decay": weight_decay},
        {"params": [p for p in params if id(p) not in decayed], "weight_decay": 0.0},
    ]


@torch.no_grad()
def prox_step(
    model: nn.Module, pen: Penalty, lr: float, *, include_bias: bool = False, include_embeddings: bool = True
) -> None:
    """Apply the penalty's proximal operator with step ``lr`` to the penalized weights, in place:

        w ← sign(w)·max(|w| − lr·λ₁, 0) / (1 + 2·lr·λ₂)

    Call it right after ``optimizer.step()`` on a loss *without* the penalty (proximal gradient
    descent). For L1 it sets every weight whose size is at most lr·λ₁ to exactly 0.
    """
    from regcourse._arrays import check_nonnegative

    pen = _check_penalty(pen)
    lr = check_nonnegative(lr, "lr")
    _prox(_penalized_weights(_check_model(model), include_bias, include_embeddings), pen, lr)


@torch.no_grad()
def _prox(weights: list[torch.Tensor], pen: Penalty, lr: float) -> None:
    threshold, shrink = lr * pen.l1_coef, 1.0 / (1.0 + 2.0 * lr * pen.l2_coef)
    for w in weights:
        if threshold:
            w.copy_(torch.sign(w) * torch.clamp(w.abs() - threshold, min=0.0))
        if shrink != 1.0:
            w.mul_(shrink)


def sparsity(
    model: nn.Module, tol: float = 0.0, *, include_bias: bool = False, include_embeddings: bool = True
) -> float:
    """The share of penalized weights with |w| ≤ tol (exactly zero for tol = 0); 0 for a model
    without weights."""
    from regcourse._arrays import check_nonnegative

    tol = check_nonnegative(tol, "tol")
    weights = [p.detach() for p in _penalized_weights(_check_model(model), include_bias, include_embeddings)]
    total = sum(w.numel() for w in weights)
    zeros = sum(int((w.abs() <= tol).sum()) for w in weights)
    return zeros / total if total else 0.0


def weight_stats(model: nn.Module, *, include_bias: bool = False, include_embeddings: bool = True) -> dict:
    """Count, exact zeros, mean |w|, largest |w|, Σ|w| and Σw² of the penalized weights."""
    weights = _penalized_weights(_check_model(model), include_bias, include_embeddings)
    if not weights:
        raise ValueError(
            "model has no weights to describe (only biases, normalization parameters or "
            "frozen parameters, or no parameters at all)"
        )
    flat = torch.cat([p.detach().reshape(-1) for p in weights])
    return {
        "count": flat.numel(),
        "zeros": int((flat == 0).sum()),
        "mean_abs": float(flat.abs().mean()) if flat.numel() else 0.0,
        "max_abs": float(flat.abs().max()) if flat.numel() else 0.0,
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


def train(
    model: nn.Module,
    X,
    y,
    *,
    X_val=None,
    y_val=None,
    loss_fn=None,
    penalty: Penalty | None = None,
    optimizer: str = "adam",
    lr: float = 1e-2,
    weight_decay: float = 0.0,
    epochs: int = 200,
    batch_size: int | None = None,
    prox: bool = False,
    include_bias: bool = False,
    include_embeddings: bool = True,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train ``model`` and return its History.

    The loss is ``loss_fn`` (default ``nn.MSELoss()``) plus, when ``penalty`` is given and
    ``prox`` is False, the penalty of the model's weights (``regcourse.nn.penalty``). With
    ``prox=True`` the penalty is applied by ``prox_step`` after every optimizer step instead
    (exact zeros for L1). ``weight_decay`` goes to the optimizer, on the weights only
    (``param_groups``). Mini-batches (``batch_size``; default: the whole set) are shuffled with
    ``seed``. A progress bar (tqdm.auto: a widget in Jupyter, text elsewhere) shows the losses.

    The data may be tensors, NumPy arrays or pandas objects; it is checked and converted to the
    model's dtype and device first (``regcourse._training_inputs``): NaN, a missing ``y_val``, a
    wrong number of features or targets of the wrong shape are errors naming the argument, and
    1-D targets for a model with one output become a column.
    """
    from tqdm.auto import tqdm

    from regcourse._arrays import check_count, check_nonnegative
    from regcourse._training_inputs import prepare

    model = _check_model(model)
    epochs = check_count(epochs, "epochs")
    lr = check_nonnegative(lr, "lr")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if penalty is not None:
        _check_penalty(penalty)
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"loss_fn must be a loss function such as torch.nn.MSELoss(), got {type(loss_fn).__name__}")
    data = prepare(model, X, y, X_val, y_val, loss_fn)
    X, y, X_val, y_val = data.X, data.y, data.X_val, data.y_val
    device = X.device
    has_val = X_val is not None
    loss_fn = loss_fn or nn.MSELoss()
    opt = _optimizer(optimizer, param_groups(model, weight_decay, include_embeddings=include_embeddings), lr)
    # The model's structure does not change while it trains: find its weights once, not at every step.
    weights = _penalized_weights(model, include_bias, include_embeddings) if penalty is not None else []
    if penalty is not None and not weights:
        raise ValueError(
            "model has no weights to penalize (only biases, normalization parameters or "
            "frozen parameters), so penalty has nothing to act on"
        )
    generator = torch.Generator().manual_seed(int(seed))
    n = X.shape[0]
    size = n if batch_size is None else check_count(batch_size, "batch_size")
    history = History()
    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress, leave=False)
    for _ in bar:
        model.train()
        order = torch.randperm(n, generator=generator).to(device)
        total = 0.0
        for start in range(0, n, size):
            batch = order[start : start + size]
            opt.zero_grad(set_to_none=True)
            data_loss = loss_fn(model(X[batch]), y[batch])
            loss = data_loss
            if penalty is not None and not prox:
                loss = loss + _fused_penalty(weights, penalty)
            loss.backward()
            opt.step()
            if penalty is not None and prox:
                _prox(weights, penalty, lr)
            total += float(data_loss.detach()) * len(batch)
        history.train_loss.append(total / n)
        model.eval()
        with torch.no_grad():
            if has_val:
                history.val_loss.append(float(loss_fn(model(X_val), y_val)))
            history.penalty.append(float(_fused_penalty(weights, penalty)) if penalty else 0.0)
        history.sparsity.append(sparsity(model, include_bias=include_bias, include_embeddings=include_embeddings))
        if progress:
            # refresh=False: redrawing a notebook's progress widget every epoch costs more than the epoch
            bar.set_postfix(
                train=f"{history.train_loss[-1]:.4f}",
                refresh=False,
                **({"val": f"{history.val_loss[-1]:.4f}"} if has_val else {}),
            )
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


def fit_scaled_loss(
    X,
    y,
    optimizer: str,
    *,
    loss_scale: float = 1.0,
    weight_decay: float = 0.0,
    lr: float = 0.1,
    steps: int = 600,
    settle: int = 300,
    seed: int = 1,
) -> nn.Linear:
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
        raise ValueError(
            f"X must be 2-D with one row per target, got X of shape {tuple(X.shape)} and {y.shape[0]} targets"
        )
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
    """A multilayer perceptron with the given layer sizes (inputs, hidden…, outputs), seeded;
    ``activation`` (a module class such as nn.Tanh) follows every layer but the last."""
    if (
        isinstance(sizes, (str, bytes))
        or not hasattr(sizes, "__len__")
        or len(sizes) < 2
        or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes)
    ):
        raise ValueError(f"sizes must list at least two positive integers (inputs, …, outputs), got {sizes!r}")
    if isinstance(activation, nn.Module) or not callable(activation):
        raise TypeError(
            f"activation must be a torch.nn.Module class such as nn.Tanh (the class, not an "
            f"instance), got {activation!r}"
        )
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            unit = activation()
            if not isinstance(unit, nn.Module):
                raise TypeError(f"activation must make a torch.nn.Module when called, got {type(unit).__name__}")
            layers.append(unit)
    return nn.Sequential(*layers)


def _check_task(n_train, n_val, noise, seed) -> None:
    from regcourse._arrays import check_count, check_nonnegative

    check_count(n_train, "n_train")
    check_count(n_val, "n_val")
    check_nonnegative(noise, "noise")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def regression_task(n_train: int = 20, n_val: int = 200, noise: float = 0.3, seed: int = 0):
    """1-D regression with few noisy training points, y = sin(3x) + noise on [−1, 1]: a 64×64
    network fits the noise. Returns float32 tensors X_train, y_train, X_val, y_val of shape (n, 1)."""
    _check_task(n_train, n_val, noise, seed)
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

    _check_task(n_train, n_val, noise, seed)

    X_train, y_train = make_moons(n_train, noise=noise, random_state=seed)
    X_val, y_val = make_moons(n_val, noise=noise, random_state=seed + 1)
    return (
        torch.tensor(X_train, dtype=torch.float32),
        torch.tensor(y_train),
        torch.tensor(X_val, dtype=torch.float32),
        torch.tensor(y_val),
    )


def keras_dense_model(l1: float = 0.01, l2: float = 0.01, input_dim: int = 10):
    """The source's Keras example in Keras 3: ``keras.Input`` instead of ``input_dim=``, a Dense
    layer of 64 ReLU units whose kernel carries ``L1L2(l1, l2)`` (= ElasticNet(l1=l1, l2=l2))."""
    from regcourse._keras import import_keras

    keras = import_keras()
    return keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            keras.layers.Dense(64, activation="relu", kernel_regularizer=keras.regularizers.L1L2(l1=l1, l2=l2)),
            keras.layers.Dense(1),
        ]
    )
