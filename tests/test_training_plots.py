"""regcourse.plots.training: the loss curves and network fits draw exactly what they are given."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from regcourse.nn import History
from regcourse.plots.training import network_fits, training_curves


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_training_curves_draw_each_history_and_mark_the_lowest_validation_loss():
    first = History(train_loss=[1.0, 0.5, 0.2, 0.1], val_loss=[1.2, 0.6, 0.7, 0.9])
    second = History(train_loss=[1.0, 0.8, 0.6], val_loss=[1.1, 0.9, 0.8])
    fig = training_curves({"a": first, "b": second})
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = lines_by_label(ax)
    np.testing.assert_array_equal(lines["a: training"].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(lines["a: training"].get_ydata(), first.train_loss)
    np.testing.assert_array_equal(lines["a: validation"].get_ydata(), first.val_loss)
    np.testing.assert_array_equal(lines["b: validation"].get_ydata(), second.val_loss)
    dots = [(tuple(line.get_xdata()), tuple(line.get_ydata())) for line in ax.get_lines() if line.get_marker() == "o"]
    assert dots == [((2,), (0.6,)), ((3,), (0.8,))]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"


def test_training_curves_without_validation_losses_draw_only_training():
    fig = training_curves({"only training": History(train_loss=[3.0, 2.0])}, log_y=False)
    assert list(lines_by_label(fig.axes[0])) == ["only training: training"]
    assert fig.axes[0].get_yscale() == "linear"


def test_network_fits_draw_the_models_own_predictions_on_a_grid():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    net.train()
    X = torch.tensor([[-1.0], [0.0], [0.5], [2.0]])
    y = torch.tensor([[0.0], [1.0], [0.5], [-1.0]])
    fig = network_fits({"net": net}, X, y, truth=np.sin)
    lines = lines_by_label(fig.axes[0])
    grid = lines["net"].get_xdata()
    assert grid.min() == -1.0 and grid.max() == 2.0
    expected = net(torch.tensor(grid, dtype=torch.float64).reshape(-1, 1)).detach().numpy().ravel()
    np.testing.assert_allclose(lines["net"].get_ydata(), expected, rtol=1e-12)
    np.testing.assert_allclose(lines["true function"].get_ydata(), np.sin(grid))
    assert net.training  # the model's mode is left as it was


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: training_curves({}), ValueError, "histories must be a non-empty dict"),
        (lambda: training_curves([History(train_loss=[1.0])]), ValueError, "histories must be a non-empty dict"),
        (lambda: training_curves({"x": History()}), ValueError, "histories['x'] must be a History"),
        (lambda: network_fits({}, [[0.0]], [0.0]), ValueError, "models must be a non-empty dict"),
        (lambda: network_fits({"m": "net"}, [[0.0]], [0.0]), TypeError, "models['m'] must be a torch.nn.Module"),
        (
            lambda: network_fits({"m": torch.nn.Linear(1, 1)}, [[0.0], [1.0]], [0.0]),
            ValueError,
            "X and y must hold the same",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)
