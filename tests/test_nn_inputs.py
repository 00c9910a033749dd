"""nn.train and its friends check what they are given: each bad input is an error naming the
argument, and inputs that can be converted correctly (NumPy, float64, 1-D targets) are."""

import numpy as np
import pytest
import torch
from torch import nn

from regcourse import L1
from regcourse import nn as rnn


def data(n=16, p=3, seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, p, generator=g, dtype=dtype)
    y = X @ torch.arange(1.0, p + 1, dtype=dtype).reshape(p, 1) + 0.5
    return X, y


def fitted(X, y, model=None, **kwargs):
    torch.manual_seed(0)
    model = model or nn.Linear(3, 1)
    history = rnn.train(model, X, y, optimizer="sgd", lr=0.05, epochs=20, progress=False, **kwargs)
    return model, history


def test_one_dimensional_targets_are_made_a_column_not_broadcast():
    X, y = data()
    column, column_history = fitted(X, y)
    flat, flat_history = fitted(X, y.reshape(-1))
    torch.testing.assert_close(flat.weight, column.weight, rtol=0, atol=0)
    assert flat_history.train_loss == column_history.train_loss
    # the loss really is the MSE per sample, not the mean over an n × n broadcast table
    torch.manual_seed(0)
    fresh = nn.Linear(3, 1)
    first = rnn.train(fresh, X, y.reshape(-1), optimizer="sgd", lr=0.0, epochs=1, progress=False).train_loss[0]
    assert first == pytest.approx(float(((fresh(X) - y) ** 2).mean().detach()), rel=1e-6)


def test_one_dimensional_validation_targets_are_made_a_column_too():
    X, y = data()
    _, history = fitted(X, y, X_val=X[:5], y_val=y[:5].reshape(-1))
    _, reference = fitted(X, y, X_val=X[:5], y_val=y[:5])
    assert history.val_loss == reference.val_loss


def test_numpy_float64_inputs_are_converted_to_the_model_dtype():
    X, y = data()
    from_numpy, _ = fitted(X.double().numpy(), y.double().numpy().ravel(), X_val=X.numpy(), y_val=y.numpy())
    from_tensors, _ = fitted(X, y)
    assert from_numpy.weight.dtype == torch.float32
    torch.testing.assert_close(from_numpy.weight, from_tensors.weight, rtol=0, atol=0)


def test_pandas_inputs_are_accepted():
    pd = pytest.importorskip("pandas")
    X, y = data()
    frame = pd.DataFrame(X.numpy(), columns=["a", "b", "c"])
    from_pandas, _ = fitted(frame, pd.Series(y.numpy().ravel()))
    from_tensors, _ = fitted(X, y)
    torch.testing.assert_close(from_pandas.weight, from_tensors.weight, rtol=0, atol=0)


def test_read_only_numpy_inputs_are_copied_without_a_warning(recwarn):
    X, y = data()
    X_np, y_np = X.numpy().copy(), y.numpy().copy()
    X_np.flags.writeable = False  # as pandas' to_numpy() can return
    y_np.flags.writeable = False
    from_read_only, _ = fitted(X_np, y_np)
    from_tensors, _ = fitted(X, y)
    torch.testing.assert_close(from_read_only.weight, from_tensors.weight, rtol=0, atol=0)
    assert not [w for w in recwarn if "not writable" in str(w.message)]


def test_integer_inputs_are_indices_for_an_embedding_and_numbers_otherwise():
    X, y = data()
    ints = torch.randint(0, 5, (16, 3))
    model, history = fitted(ints, y)  # a Linear model: the integers are feature values
    assert np.isfinite(history.train_loss[-1])
    torch.manual_seed(0)
    embedded = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 1))
    history = rnn.train(embedded, torch.randint(0, 10, (16,)), y.reshape(-1), epochs=3, progress=False)
    assert len(history.train_loss) == 3
    with pytest.raises(ValueError, match=r"X must hold indices from 0 to 9 .* got 0 to 12"):
        rnn.train(embedded, torch.tensor([0, 3, 12, 1]), torch.zeros(4), epochs=1, progress=False)


def test_class_index_targets_stay_integers_and_are_checked():
    X, _ = data()
    labels = torch.tensor([0, 1] * 8)
    model = nn.Linear(3, 2)
    rnn.train(model, X, labels.numpy(), loss_fn=nn.CrossEntropyLoss(), epochs=2, progress=False)
    with pytest.raises(
        ValueError, match=r"y must hold class indices from 0 to 1 for a model with 2 outputs, got 0 to 2"
    ):
        rnn.train(model, X, labels * 2 % 3, loss_fn=nn.CrossEntropyLoss(), epochs=1, progress=False)


BAD_TRAINING_INPUTS = {
    "NaN in X": (lambda X, y: dict(X=torch.where(X > 1.0, torch.nan, X), y=y), ValueError, "X contains NaN"),
    "inf in y": (
        lambda X, y: dict(X=X, y=y.index_fill(0, torch.tensor([2]), torch.inf)),
        ValueError,
        "y contains infinite values in 1 of its 16 entries",
    ),
    "NaN in X_val": (
        lambda X, y: dict(X=X, y=y, X_val=np.full((3, 3), np.nan), y_val=y[:3]),
        ValueError,
        "X_val contains NaN",
    ),
    "NaN in y_val": (
        lambda X, y: dict(X=X, y=y, X_val=X[:3], y_val=[np.nan, 1.0, 2.0]),
        ValueError,
        "y_val contains NaN",
    ),
    "too large for float32": (
        lambda X, y: dict(X=X.double() * 1e300, y=y),
        ValueError,
        "X has values too large for the model's dtype torch.float32",
    ),
    "X_val without y_val": (
        lambda X, y: dict(X=X, y=y, X_val=X),
        ValueError,
        "y_val must be given together with X_val",
    ),
    "y_val without X_val": (
        lambda X, y: dict(X=X, y=y, y_val=y),
        ValueError,
        "X_val must be given together with y_val",
    ),
    "wrong feature count": (
        lambda X, y: dict(X=torch.randn(16, 4), y=y),
        ValueError,
        "X must have 3 features per sample for the model's first layer (Linear(in_features=3, "
        "out_features=1, bias=True)), got 4 (X has shape (16, 4))",
    ),
    "wrong feature count in X_val": (
        lambda X, y: dict(X=X, y=y, X_val=torch.randn(5, 2), y_val=y[:5]),
        ValueError,
        "X_val must have the shape of X per sample",
    ),
    "targets of the wrong shape": (
        lambda X, y: dict(X=X, y=torch.randn(16, 2)),
        ValueError,
        "y must have the model's output shape per sample: the model gives (n, 1) and y has shape (16, 2)",
    ),
    "fewer targets than samples": (
        lambda X, y: dict(X=X, y=y[:10]),
        ValueError,
        "X and y must have the same number of samples, got 16 and 10",
    ),
    "complex X": (lambda X, y: dict(X=X.to(torch.complex64), y=y), TypeError, "X must hold real numbers"),
    "X a string": (lambda X, y: dict(X="data.csv", y=y), TypeError, "X must be an array or tensor of numbers, got str"),
    "object y": (
        lambda X, y: dict(X=X, y=np.array([{"a": 1}] * 16)),
        TypeError,
        "y must be an array or tensor of numbers",
    ),
    "no samples": (lambda X, y: dict(X=X[:0], y=y[:0]), ValueError, "X holds no samples"),
    "a single number as y": (lambda X, y: dict(X=X, y=3.0), ValueError, "y must hold one row per sample"),
    "seed a string": (lambda X, y: dict(X=X, y=y, seed="a"), TypeError, "seed must be an integer"),
    "loss_fn not callable": (lambda X, y: dict(X=X, y=y, loss_fn="mse"), TypeError, "loss_fn must be a loss function"),
}


@pytest.mark.parametrize("case", BAD_TRAINING_INPUTS)
def test_bad_training_input_is_refused_by_name(case):
    make, error, words = BAD_TRAINING_INPUTS[case]
    X, y = data()
    with pytest.raises(error) as raised:
        rnn.train(nn.Linear(3, 1), progress=False, epochs=1, **make(X, y))
    assert words in str(raised.value)


def test_the_feature_count_is_found_in_a_nested_model():
    model = nn.Sequential(nn.Sequential(nn.Dropout(0.1), nn.Linear(5, 4), nn.Tanh()), nn.Linear(4, 1))
    with pytest.raises(ValueError, match=r"X must have 5 features per sample .* got 3"):
        rnn.train(model, *data(), epochs=1, progress=False)
    assert model.training  # the probe left the model in training mode


def test_a_one_dimensional_X_for_a_one_input_model_gets_a_hint():
    with pytest.raises(ValueError, match=r"X must have 1 features per sample .* got 20 .* X.reshape\(-1, 1\)"):
        rnn.train(nn.Linear(1, 1), torch.randn(20), torch.randn(20), epochs=1, progress=False)


def test_the_channel_count_is_named_for_a_convolution():
    model = nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten(), nn.Linear(2 * 6 * 6, 1))
    with pytest.raises(ValueError, match=r"X must have 3 channels \(dimension 1\) .* got 1"):
        rnn.train(model, torch.randn(4, 1, 8, 8), torch.randn(4, 1), epochs=1, progress=False)


def test_another_shape_error_still_names_X():
    model = nn.Sequential(nn.Tanh(), nn.Unflatten(1, (2, 2)), nn.Flatten(), nn.Linear(4, 1))
    with pytest.raises(ValueError, match=r"X of shape \(16, 3\) does not fit the model"):
        rnn.train(model, *data(), epochs=1, progress=False)


def test_a_model_without_parameters_or_trainable_ones_is_refused():
    with pytest.raises(ValueError, match="model has no parameters to train"):
        rnn.train(nn.ReLU(), *data(), epochs=1, progress=False)
    frozen = nn.Linear(3, 1).requires_grad_(False)
    with pytest.raises(ValueError, match="model has no trainable parameters"):
        rnn.train(frozen, *data(), epochs=1, progress=False)


def test_a_penalty_on_a_model_without_weights_is_refused():
    class Offset(nn.Module):
        def __init__(self):
            super().__init__()
            self.bias = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return x[:, :1] + self.bias

    with pytest.raises(ValueError, match="model has no weights to penalize"):
        rnn.train(Offset(), *data(), penalty=L1(0.1), epochs=1, progress=False)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: rnn.sparsity(nn.Linear(2, 1), tol=-1), ValueError, "tol must be >= 0"),
        (lambda: rnn.sparsity(nn.Linear(2, 1), tol=float("nan")), ValueError, "tol must be a number"),
        (lambda: rnn.mlp((4,)), ValueError, "sizes must list at least two positive integers"),
        (lambda: rnn.mlp((4, 0, 1)), ValueError, "sizes must list at least two positive integers"),
        (lambda: rnn.mlp("41"), ValueError, "sizes must list"),
        (lambda: rnn.mlp((2, 3, 1), activation=nn.Tanh()), TypeError, "activation must be a torch.nn.Module class"),
        (lambda: rnn.weight_stats(nn.LayerNorm(3)), ValueError, "model has no weights to describe"),
        (lambda: rnn.parameter_roles([nn.Linear(2, 1)]), TypeError, "model must be a torch.nn.Module"),
        (lambda: rnn.regression_task(n_train=0), ValueError, "n_train must be a positive integer"),
        (lambda: rnn.regression_task(noise=-0.1), ValueError, "noise must be >= 0"),
        (lambda: rnn.classification_task(n_val=2.5), ValueError, "n_val must be a positive integer"),
        (lambda: rnn.classification_task(seed="a"), ValueError, "seed must be a non-negative integer"),
    ],
)
def test_the_friends_of_train_refuse_bad_input_by_name(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)


def test_mlp_accepts_any_callable_that_makes_a_module():
    net = rnn.mlp((2, 3, 1), activation=lambda: nn.LeakyReLU(0.1))
    assert isinstance(net[1], nn.LeakyReLU)
