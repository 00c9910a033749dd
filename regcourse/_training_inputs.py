"""What ``regcourse.nn.train`` does with the data it is given, before the first step.

Every input is checked and converted once, so a mistake gives an error naming the argument
instead of a wrong loss or a shape error from deep inside torch:

* X, y, X_val, y_val: tensors, NumPy arrays, pandas objects or nested lists of real numbers, one
  row per sample, no NaN or infinity. Floating input is converted to the dtype and device of the
  model's parameters (NumPy's float64 into a float32 network). Integer X stays integer only
  when the model has an embedding (its inputs are indices); integer y stays integer only for the
  class-index losses (CrossEntropyLoss, NLLLoss, MultiMarginLoss), whose labels must lie in
  [0, number of outputs).
* For the elementwise losses (the default MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss,
  BCEWithLogitsLoss, SoftMarginLoss) y must have the model's output shape. One conversion is
  made: 1-D targets for a model with one output, shape (n,) against (n, 1), become a column
  (MSELoss would otherwise broadcast them to an n × n table and train on a wrong loss).
  Other loss functions get y as given.
* One forward pass on two samples (in eval mode, without gradients) finds the output shape. If
  it fails, the error names X and, when the first layer is Linear, Conv or Embedding, says what
  that layer expects and what X has.

The only module besides ``regcourse.nn`` that imports torch; it is imported by ``nn.train``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

CLASS_INDEX_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss, nn.MultiMarginLoss)
ELEMENTWISE_LOSSES = (
    nn.MSELoss,
    nn.L1Loss,
    nn.HuberLoss,
    nn.SmoothL1Loss,
    nn.BCELoss,
    nn.BCEWithLogitsLoss,
    nn.SoftMarginLoss,
)
EMBEDDING_LAYERS = (nn.Embedding, nn.EmbeddingBag)


@dataclass
class TrainingData:
    X: torch.Tensor
    y: torch.Tensor
    X_val: torch.Tensor | None
    y_val: torch.Tensor | None


def model_dtype_and_device(model: nn.Module) -> tuple[torch.dtype, torch.device]:
    """The dtype and device of the model's floating parameters; an error for a model with nothing to train."""
    params = list(model.parameters())
    if not params:
        raise ValueError(f"model has no parameters to train ({type(model).__name__} has no weights or biases)")
    if not any(p.requires_grad for p in params):
        raise ValueError("model has no trainable parameters: every parameter has requires_grad=False")
    first = next((p for p in params if p.is_floating_point()), params[0])
    return first.dtype, first.device


def _to_tensor(value, name: str) -> torch.Tensor:
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array or tensor of numbers, got {type(value).__name__}")
    if hasattr(value, "to_numpy") and not torch.is_tensor(value):  # pandas DataFrame or Series
        value = value.to_numpy()
    if getattr(getattr(value, "flags", None), "writeable", True) is False:
        value = value.copy()  # torch warns on (and cannot safely share) a read-only NumPy array
    try:
        tensor = torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"{name} must be an array or tensor of numbers ({err})") from None
    if tensor.is_complex():
        raise TypeError(f"{name} must hold real numbers, got dtype {tensor.dtype}")
    if tensor.ndim == 0:
        raise ValueError(f"{name} must hold one row per sample, got a single number")
    if tensor.shape[0] == 0:
        raise ValueError(f"{name} holds no samples (shape {tuple(tensor.shape)})")
    return tensor


def _nonfinite(tensor: torch.Tensor) -> str | None:
    if not tensor.is_floating_point():
        return None
    bad = ~torch.isfinite(tensor)
    count = int(bad.sum())
    if not count:
        return None
    what = "NaN" if bool(torch.isnan(tensor).any()) else "infinite values"
    return f"{what} in {count} of its {tensor.numel()} entries"


def as_model_tensor(value, name: str, dtype, device, *, keep_integers: bool) -> torch.Tensor:
    """``value`` as a tensor on ``device``: floating (and bool) data in ``dtype``, integers too
    unless ``keep_integers`` (then as int64 indices). NaN or infinity is an error naming ``name``."""
    tensor = _to_tensor(value, name)
    problem = _nonfinite(tensor)
    if problem:
        raise ValueError(f"{name} contains {problem}; every entry must be a finite number")
    if keep_integers and not tensor.is_floating_point() and tensor.dtype != torch.bool:
        return tensor.to(device=device, dtype=torch.long)
    converted = tensor.to(device=device, dtype=dtype)
    problem = _nonfinite(converted)
    if problem:
        raise ValueError(
            f"{name} has values too large for the model's dtype {dtype} ({problem} after conversion); "
            "rescale the data or use a float64 model (model.double())"
        )
    return converted


def _first_layer_with_parameters(model: nn.Module, sample: torch.Tensor):
    """Run the model on ``sample`` and return (output or None, the error or None, the first module
    with parameters of its own that received input)."""
    called: list[nn.Module] = []

    def record(module, _inputs):
        if not called and module._parameters:
            called.append(module)

    handles = [m.register_forward_pre_hook(record) for m in model.modules()]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(sample), None, (called[0] if called else None)
    except (RuntimeError, ValueError, IndexError, TypeError) as err:
        return None, err, (called[0] if called else None)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()


def probe_output(model: nn.Module, X: torch.Tensor, name: str):
    """The model's output on the first two samples of ``X``, or an error naming ``name``."""
    output, err, first = _first_layer_with_parameters(model, X[:2])
    shape = tuple(X.shape)
    if isinstance(first, EMBEDDING_LAYERS) and not X.is_floating_point():  # every index, not only the probe's
        low, high = int(X.min()), int(X.max())
        if low < 0 or high >= first.num_embeddings:
            raise ValueError(
                f"{name} must hold indices from 0 to {first.num_embeddings - 1} for the model's first "
                f"layer ({first!r}), got {low} to {high}"
            ) from None
    if err is None:
        return output
    if isinstance(first, nn.Linear) and X.ndim >= 1 and X.shape[-1] != first.in_features:
        column = (
            f"; a 1-D {name} is one sample, write {name}.reshape(-1, 1) for one feature per sample"
            if X.ndim == 1 and first.in_features == 1
            else ""
        )
        raise ValueError(
            f"{name} must have {first.in_features} features per sample for the model's first layer "
            f"({first!r}), got {X.shape[-1]} ({name} has shape {shape}){column}"
        ) from None
    if isinstance(first, nn.modules.conv._ConvNd) and X.ndim >= 2 and X.shape[1] != first.in_channels:
        raise ValueError(
            f"{name} must have {first.in_channels} channels (dimension 1) for the model's first layer "
            f"({first!r}), got {X.shape[1]} ({name} has shape {shape})"
        ) from None
    if isinstance(first, EMBEDDING_LAYERS) and X.is_floating_point():
        raise ValueError(
            f"{name} must hold integer indices for the model's first layer ({first!r}), got dtype {X.dtype}"
        ) from None
    raise ValueError(f"{name} of shape {shape} does not fit the model: {type(err).__name__}: {err}") from err


def fit_targets(y: torch.Tensor, output, loss_fn, name: str) -> torch.Tensor:
    """Targets shaped for ``loss_fn`` against the model's ``output`` (see the module docstring)."""
    if not torch.is_tensor(output):
        return y
    if isinstance(loss_fn, CLASS_INDEX_LOSSES) and y.dtype == torch.long:
        classes = output.shape[1] if output.ndim >= 2 else output.shape[0]
        ignored = getattr(loss_fn, "ignore_index", None)
        labels = y[y != ignored] if ignored is not None else y
        if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= classes):
            raise ValueError(
                f"{name} must hold class indices from 0 to {classes - 1} for a model with {classes} "
                f"outputs, got {int(labels.min())} to {int(labels.max())}"
            )
        return y
    if loss_fn is not None and not isinstance(loss_fn, ELEMENTWISE_LOSSES):
        return y
    per_sample, wanted = tuple(y.shape[1:]), tuple(output.shape[1:])
    if per_sample == wanted:
        return y
    if per_sample == () and wanted == (1,):
        return y.unsqueeze(1)
    if per_sample == (1,) and wanted == ():
        return y.squeeze(1)
    raise ValueError(
        f"{name} must have the model's output shape per sample: the model gives "
        f"(n, {', '.join(map(str, wanted))}) and {name} has shape {tuple(y.shape)}".replace("(n, )", "(n,)")
    )


def prepare(model: nn.Module, X, y, X_val, y_val, loss_fn) -> TrainingData:
    """Check and convert the training (and validation) data for ``model`` and ``loss_fn``."""
    if (X_val is None) != (y_val is None):
        missing = "y_val" if y_val is None else "X_val"
        raise ValueError(
            f"{missing} must be given together with {'X_val' if missing == 'y_val' else 'y_val'}: "
            "validation needs both the inputs and their targets"
        )
    dtype, device = model_dtype_and_device(model)
    has_embedding = any(isinstance(m, EMBEDDING_LAYERS) for m in model.modules())
    class_indices = isinstance(loss_fn, CLASS_INDEX_LOSSES)
    X = as_model_tensor(X, "X", dtype, device, keep_integers=has_embedding)
    y = as_model_tensor(y, "y", dtype, device, keep_integers=class_indices)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples, got {X.shape[0]} and {y.shape[0]}")
    output = probe_output(model, X, "X")
    y = fit_targets(y, output, loss_fn, "y")
    if X_val is None:
        return TrainingData(X, y, None, None)
    X_val = as_model_tensor(X_val, "X_val", dtype, device, keep_integers=has_embedding)
    y_val = as_model_tensor(y_val, "y_val", dtype, device, keep_integers=class_indices)
    if tuple(X_val.shape[1:]) != tuple(X.shape[1:]):
        raise ValueError(
            f"X_val must have the shape of X per sample: X has shape {tuple(X.shape)}, X_val {tuple(X_val.shape)}"
        )
    if X_val.shape[0] != y_val.shape[0]:
        raise ValueError(
            f"X_val and y_val must have the same number of samples, got {X_val.shape[0]} and {y_val.shape[0]}"
        )
    y_val = fit_targets(y_val, probe_output(model, X_val, "X_val"), loss_fn, "y_val")
    return TrainingData(X, y, X_val, y_val)
