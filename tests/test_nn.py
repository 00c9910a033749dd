"""regcourse.nn: penalties on weights only, weight decay done right, exact sparsity, training."""

import numpy as np
import pytest
import torch
from torch import nn

from regcourse import L1, L2, ElasticNet
from regcourse import nn as rnn


def conv_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.LayerNorm(16), nn.Linear(16, 3)
    )


def test_the_penalty_covers_linear_and_convolution_weights_only():
    net = conv_net()
    names = [name for name, _ in rnn.regularized_parameters(net)]
    assert names == ["0.weight", "5.weight"]
    everything = [name for name, _ in rnn.regularized_parameters(net, include_bias=True)]
    assert everything == [name for name, _ in net.named_parameters()]


@pytest.mark.parametrize("pen", [L1(0.3), L2(0.2), ElasticNet(l1=0.1, l2=0.4)], ids=repr)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_penalty_value_and_gradient_match_the_formula_on_the_weights(pen, dtype):
    net = conv_net().to(dtype)
    weights = [net[0].weight, net[5].weight]
    value = rnn.penalty(net, pen)
    expected = sum(pen(w.detach()) for w in weights)
    assert value.dtype == dtype and float(value.detach()) == pytest.approx(float(expected), rel=1e-6)
    (3.0 * value).backward()
    for w in weights:
        torch.testing.assert_close(w.grad, 3.0 * pen.grad(w.detach()))
    assert net[0].bias.grad is None and net[1].weight.grad is None and net[5].bias.grad is None


def test_include_bias_penalizes_every_parameter_like_the_source_loop():
    net = conv_net()
    value = rnn.penalty(net, L2(0.1), include_bias=True).detach()
    assert float(value) == pytest.approx(
        0.1 * float(sum(p.detach().square().sum() for p in net.parameters())), rel=1e-6
    )


def test_the_simple_net_example_shows_the_bias_difference():
    losses = rnn.simple_net_losses(0.01, 0.01)
    net = (torch.manual_seed(0), rnn.SimpleNet())[1]
    bias = float(net.fc.bias.detach().abs().sum())
    assert losses["l1_with_bias"] - losses["l1_weights_only"] == pytest.approx(0.01 * bias, rel=1e-4)
    assert losses["l1_weights_only"] > losses["mse"] and losses["l2_weights_only"] > losses["mse"]


def train_linear(seed, **kwargs):
    torch.manual_seed(seed)
    X = torch.randn(64, 5, dtype=torch.float64)
    y = (
        X @ torch.tensor([[2.0], [0.0], [-1.0], [0.05], [0.0]], dtype=torch.float64)
        + 3.0
        + 0.1 * torch.randn(64, 1, dtype=torch.float64)
    )
    net = nn.Linear(5, 1).double()
    history = rnn.train(net, X, y, progress=False, seed=seed, **kwargs)
    return net, history


def test_sgd_weight_decay_on_the_weights_equals_the_l2_penalty_with_half_the_coefficient():
    a, _ = train_linear(0, optimizer="sgd", lr=0.05, epochs=100, weight_decay=0.2)
    b, _ = train_linear(0, optimizer="sgd", lr=0.05, epochs=100, penalty=L2(0.1))
    c, _ = train_linear(0, optimizer="sgd", lr=0.05, epochs=100, penalty=L2(0.2))
    torch.testing.assert_close(a.weight, b.weight, rtol=0, atol=1e-12)
    torch.testing.assert_close(a.bias, b.bias, rtol=0, atol=1e-12)
    assert not torch.allclose(a.weight, c.weight)  # λ = wd would be twice too strong


def test_adam_with_weight_decay_is_not_adamw_and_only_adamw_ignores_the_loss_scale():
    def run(optimizer, scale):
        torch.manual_seed(1)
        X, y = torch.randn(64, 5, dtype=torch.float64), torch.randn(64, 1, dtype=torch.float64)
        net = nn.Linear(5, 1).double()
        opt = optimizer(rnn.param_groups(net, 0.1), lr=0.01, eps=1e-16)
        for _ in range(100):
            opt.zero_grad()
            (scale * nn.functional.mse_loss(net(X), y)).backward()
            opt.step()
        return net.weight.detach().clone()

    adam, adamw = run(torch.optim.Adam, 1.0), run(torch.optim.AdamW, 1.0)
    assert not torch.allclose(adam, adamw, atol=1e-3)
    torch.testing.assert_close(run(torch.optim.AdamW, 1000.0), adamw, rtol=0, atol=1e-9)  # decoupled: scale-free
    assert not torch.allclose(run(torch.optim.Adam, 1000.0), adam, atol=1e-3)  # coupled: decay drowned by the scale


def test_the_proximal_step_gives_exact_zeros_where_the_subgradient_gives_none():
    prox, prox_history = train_linear(2, optimizer="sgd", lr=0.05, epochs=300, penalty=L1(0.3), prox=True)
    plain, plain_history = train_linear(2, optimizer="sgd", lr=0.05, epochs=300, penalty=L1(0.3))
    assert int((prox.weight == 0).sum()) >= 2 and prox_history.sparsity[-1] >= 0.4
    assert int((plain.weight == 0).sum()) == 0 and plain_history.sparsity[-1] == 0.0
    assert torch.allclose(prox.weight, plain.weight, atol=0.05)  # the same problem, solved two ways


def test_prox_step_is_the_penalty_prox():
    net = nn.Linear(6, 2).double()
    before = net.weight.detach().clone()
    rnn.prox_step(net, ElasticNet(l1=0.5, l2=0.25), lr=0.4)
    torch.testing.assert_close(net.weight.detach(), ElasticNet(l1=0.5, l2=0.25).prox(before, 0.4))


def test_penalizing_the_bias_changes_the_fit():
    weights_only, _ = train_linear(3, optimizer="sgd", lr=0.05, epochs=200, penalty=L2(0.5))
    with_bias, _ = train_linear(3, optimizer="sgd", lr=0.05, epochs=200, penalty=L2(0.5), include_bias=True)
    assert float(weights_only.bias.detach()) == pytest.approx(3.0, abs=0.3)  # the offset of the data
    assert float(with_bias.bias.detach()) < float(weights_only.bias.detach()) - 0.5  # pulled toward 0 for no reason


def test_param_groups_put_decay_on_weights_only():
    net = conv_net()
    decayed, free = rnn.param_groups(net, 0.01)
    assert decayed["weight_decay"] == 0.01 and free["weight_decay"] == 0.0
    assert {id(p) for p in decayed["params"]} == {id(net[0].weight), id(net[5].weight)}
    assert len(decayed["params"]) + len(free["params"]) == len(list(net.parameters()))


def test_history_sparsity_and_stats():
    net, history = train_linear(4, optimizer="sgd", lr=0.05, epochs=30, penalty=L1(0.3), prox=True)
    assert history.epochs == 30 and len(history.penalty) == 30 and history.val_loss == []
    stats = rnn.weight_stats(net)
    assert stats["count"] == 5 and stats["zeros"] == int((net.weight == 0).sum())
    assert stats["l1"] == pytest.approx(float(net.weight.detach().abs().sum()))
    assert rnn.sparsity(net, tol=10.0) == 1.0


def test_the_demo_network_overfits_without_a_penalty_and_l2_helps():
    X, y, X_val, y_val = rnn.regression_task()
    plain = rnn.train(rnn.mlp(seed=0), X, y, X_val=X_val, y_val=y_val, epochs=1500, progress=False)
    ridge = rnn.train(rnn.mlp(seed=0), X, y, X_val=X_val, y_val=y_val, epochs=1500, progress=False, penalty=L2(1e-3))
    assert plain.train_loss[-1] < 0.5 * ridge.train_loss[-1]  # fits the training points better…
    assert plain.val_loss[-1] > 1.3 * ridge.val_loss[-1]  # …and new points worse
    assert plain.val_loss[-1] > 1.3 * min(plain.val_loss)  # its validation error rose again: overfitting


def test_the_classification_task_trains_with_cross_entropy():
    X, y, X_val, y_val = rnn.classification_task()
    net = rnn.mlp((2, 32, 32, 2), activation=nn.ReLU, seed=0)
    history = rnn.train(net, X, y, X_val=X_val, y_val=y_val, loss_fn=nn.CrossEntropyLoss(), epochs=200, progress=False)
    assert history.train_loss[-1] < history.train_loss[0]
    accuracy = float((net(X_val).argmax(dim=1) == y_val).float().mean())
    assert accuracy > 0.75


@pytest.mark.keras
def test_the_keras_dense_example_adds_our_elastic_net():
    model = rnn.keras_dense_model(l1=0.01, l2=0.02)
    model(np.zeros((1, 10), dtype="float32"))
    import keras

    kernel = keras.ops.convert_to_numpy(model.layers[0].kernel)
    assert float(keras.ops.convert_to_numpy(model.losses[0])) == pytest.approx(
        float(ElasticNet(l1=0.01, l2=0.02)(kernel)), rel=1e-5
    )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_everything_runs_on_the_gpu():
    net = conv_net().cuda()
    value = rnn.penalty(net, ElasticNet(l1=0.1, l2=0.1))
    assert value.device.type == "cuda"
    value.backward()
    rnn.prox_step(net, L1(0.1), 0.1)


def test_the_device_is_taken_from_the_model_not_assumed():
    source = open(rnn.__file__, encoding="utf-8").read()
    assert '"cpu"' not in source and "'cpu'" not in source and ".cpu()" not in source


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: rnn.penalty("net", L1(0.1)), TypeError, "model must be a torch.nn.Module"),
        (lambda: rnn.penalty(nn.Linear(2, 1), 0.1), TypeError, "pen must be L1(...)"),
        (lambda: rnn.penalty(nn.ReLU(), L1(0.1)), ValueError, "model has no weights to penalize"),
        (lambda: rnn.param_groups(nn.Linear(2, 1), -1.0), ValueError, "weight_decay must be >= 0"),
        (lambda: rnn.prox_step(nn.Linear(2, 1), L1(0.1), lr=-0.1), ValueError, "lr must be >= 0"),
        (
            lambda: rnn.train(nn.Linear(2, 1), torch.randn(4, 2), torch.randn(3, 1), progress=False),
            ValueError,
            "X and y must have the same number of samples",
        ),
        (
            lambda: rnn.train(nn.Linear(2, 1), torch.randn(4, 2), torch.randn(4, 1), optimizer="lbfgs", progress=False),
            ValueError,
            "optimizer must be one of",
        ),
        (
            lambda: rnn.train(nn.Linear(2, 1), torch.randn(4, 2), torch.randn(4, 1), epochs=0, progress=False),
            ValueError,
            "epochs must be a positive integer",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)


# --- the loss scale: Adam + L2 and SGD land on a ridge solution, AdamW ignores the scale -----------


def ridge_closed_form(X, y, lam):
    """argmin MSE + λΣw² with an unpenalized intercept, by NumPy: (XcᵀXc/n + λI) w = Xcᵀyc/n."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    n, p = X.shape
    return np.linalg.solve(Xc.T @ Xc / n + lam * np.eye(p), Xc.T @ yc / n)


def test_scaling_the_loss_by_c_makes_the_decay_in_the_gradient_a_ridge_penalty_wd_over_2c():
    from regcourse.nn import fit_scaled_loss, penalty_under_loss_scale

    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 5)) * np.array([1.0, 1.5, 0.8, 1.0, 1.2])  # unequal scales, SGD still converges
    y = X @ np.array([1.5, -1.0, 0.0, 2.0, 0.3]) + 4.0 + rng.normal(scale=0.7, size=60)
    wd = 0.5
    adamw_norms = []
    for c in (1.0, 100.0, 10_000.0):
        assert penalty_under_loss_scale(wd, c).lam == pytest.approx(wd / (2 * c), rel=1e-15)
        ridge = ridge_closed_form(X, y, wd / (2 * c))
        adam = fit_scaled_loss(X, y, "adam", loss_scale=c, weight_decay=wd).weight.detach().numpy().ravel()
        sgd = fit_scaled_loss(X, y, "sgd", loss_scale=c, weight_decay=wd, lr=0.05 / c).weight.detach().numpy().ravel()
        np.testing.assert_allclose(adam, ridge, rtol=0, atol=1e-6)
        np.testing.assert_allclose(sgd, ridge, rtol=0, atol=1e-6)
        adamw = fit_scaled_loss(X, y, "adamw", loss_scale=c, weight_decay=wd).weight.detach().numpy().ravel()
        adamw_norms.append(np.linalg.norm(adamw))
        if c > 1:  # AdamW shrinks as hard as at c = 1, far more than the ridge penalty wd/(2c) does
            assert np.linalg.norm(adamw) < np.linalg.norm(ridge) - 0.1
    np.testing.assert_allclose(adamw_norms, adamw_norms[0], rtol=1e-6)
    # and the penalty is really weaker as c grows: the ridge norms differ between the scales
    assert np.linalg.norm(ridge_closed_form(X, y, wd / 2)) < np.linalg.norm(ridge_closed_form(X, y, wd / 200)) - 0.05


def test_fit_scaled_loss_and_penalty_under_loss_scale_refuse_bad_input():
    from regcourse.nn import fit_scaled_loss, penalty_under_loss_scale

    X, y = np.ones((4, 2)), np.ones(4)
    with pytest.raises(ValueError, match="loss_scale"):
        penalty_under_loss_scale(0.5, 0.0)
    with pytest.raises(ValueError, match="weight_decay"):
        penalty_under_loss_scale(-1.0, 1.0)
    with pytest.raises(ValueError, match="optimizer"):
        fit_scaled_loss(X, y, "rmsprop")
    with pytest.raises(ValueError, match="settle"):
        fit_scaled_loss(X, y, "sgd", steps=10, settle=20)
    with pytest.raises(ValueError, match="X must be 2-D"):
        fit_scaled_loss(X, np.ones(3), "sgd")


# --- the lecture's own penalty loop equals the package's tested copy ---------------------------------


def lecture_function(notebook: str, name: str):
    """The function ``name`` as defined in a code cell of a lecture, compiled from the cell's source."""
    import ast

    import nbformat

    from _project import ROOT

    for cell in nbformat.read(ROOT / "notebooks" / notebook, as_version=4).cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            tree = ast.parse(cell.source)
            node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
            namespace = {"torch": torch, "nn": torch.nn}
            exec(compile(ast.Module(body=[node], type_ignores=[]), notebook, "exec"), namespace)
            return namespace[name]
    raise AssertionError(f"no cell of {notebook} defines {name}()")


def test_chapter_07s_penalty_loop_equals_regcourse_nn_penalty_in_value_and_gradient():
    from regcourse.nn import SimpleNet, mlp, penalty

    l1_penalty = lecture_function("07_neural_networks.ipynb", "l1_penalty")
    torch.manual_seed(0)
    models = {
        "SimpleNet": SimpleNet(),
        "mlp": mlp((3, 8, 8, 1)),
        "nested": torch.nn.Sequential(
            torch.nn.Linear(4, 6),
            torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Linear(6, 2)),
            torch.nn.LayerNorm(2),
            torch.nn.Linear(2, 1),
        ),
        "bare Linear": torch.nn.Linear(5, 3),
    }
    for name, model in models.items():
        for lam in (0.0, 0.01, 0.7):
            ours = l1_penalty(model, lam)
            ours_value = float(ours.detach()) if torch.is_tensor(ours) else float(ours)
            reference = penalty(model, L1(lam))
            assert ours_value == pytest.approx(float(reference.detach()), rel=1e-6, abs=1e-12), (name, lam)
            if lam:
                grads = torch.autograd.grad(ours, list(model.parameters()), allow_unused=True)
                expected = torch.autograd.grad(reference, list(model.parameters()), allow_unused=True)
                for g, e in zip(grads, expected):
                    assert (g is None) == (e is None) and (g is None or torch.allclose(g, e)), name


def test_train_records_the_training_loss_in_training_mode_and_the_validation_loss_in_evaluation_mode():
    """Chapter 10 says so of its dropout curves: the training loss is measured on randomly thinned
    networks (noisy), the validation loss on the whole network."""
    import torch
    from torch import nn

    from regcourse.nn import train

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 32), nn.Tanh(), nn.Dropout(0.5), nn.Linear(32, 1)).double()
    X = torch.randn(40, 3, dtype=torch.float64)
    y = torch.randn(40, 1, dtype=torch.float64)
    history = train(model, X, y, X_val=X, y_val=y, optimizer="sgd", lr=0.0, epochs=3, progress=False)
    model.eval()
    with torch.no_grad():
        whole = float(nn.functional.mse_loss(model(X), y))
    assert history.val_loss == pytest.approx([whole] * 3, rel=1e-12)  # evaluation mode, on the same data
    assert all(abs(loss - whole) > 1e-3 for loss in history.train_loss)  # thinned networks
    assert len(set(history.train_loss)) == 3  # a new mask each epoch
