"""Every weight of every layer type is penalized, decayed and thresholded; no bias or normalization
parameter is. The oracle is a hand-written sum over ``named_parameters`` with the weights of each
model spelled out by name."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from regcourse import L1, ElasticNet
from regcourse import nn as rnn


class Scaled(nn.Module):
    """A custom module with a bare Parameter of its own, next to a Linear layer."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.linspace(0.5, 1.5, 4))
        self.offset_bias = nn.Parameter(torch.full((4,), 0.3))
        self.lin = nn.Linear(4, 2)

    def forward(self, x):
        return self.lin(x * self.scale + self.offset_bias)


class HomemadeRMSNorm(nn.Module):
    """A normalization layer written by hand, as in many transformer codebases."""

    def __init__(self, size):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size) * 1.3)

    def forward(self, x):
        return self.weight * x / x.pow(2).mean(-1, keepdim=True).add(1e-6).sqrt()


class TiedLM(nn.Module):
    """An embedding whose table is also the output layer's weight (weight tying)."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(11, 6, padding_idx=0)
        self.norm = HomemadeRMSNorm(6)
        self.head = nn.Linear(6, 11)
        self.head.weight = self.embed.weight


def transformer(layers=2):
    layer = nn.TransformerEncoderLayer(16, 2, 32, batch_first=True, dropout=0.0)
    return nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)


# model builder, and the names of its weights written out by hand (embeddings included)
CASES = {
    "Linear": (lambda: nn.Linear(4, 3), {"weight"}),
    "Bilinear": (lambda: nn.Bilinear(3, 2, 4), {"weight"}),
    "Conv1d/2d/3d with norms": (
        lambda: nn.Sequential(
            nn.Conv1d(2, 3, 3),
            nn.BatchNorm1d(3),
            nn.Conv2d(3, 2, 2),
            nn.GroupNorm(1, 2),
            nn.Conv3d(2, 2, 1),
            nn.InstanceNorm3d(2, affine=True),
            nn.ConvTranspose2d(2, 2, 2),
        ),
        {"0.weight", "2.weight", "4.weight", "6.weight"},
    ),
    "Embedding": (
        lambda: nn.Sequential(nn.Embedding(10, 4), nn.LayerNorm(4), nn.Linear(4, 1)),
        {"0.weight", "2.weight"},
    ),
    "EmbeddingBag": (lambda: nn.EmbeddingBag(10, 4), {"weight"}),
    "RNN": (lambda: nn.RNN(3, 4, num_layers=2), {"weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"}),
    "LSTM": (
        lambda: nn.LSTM(3, 4, proj_size=2, bidirectional=True),
        {
            "weight_ih_l0",
            "weight_hh_l0",
            "weight_hr_l0",
            "weight_ih_l0_reverse",
            "weight_hh_l0_reverse",
            "weight_hr_l0_reverse",
        },
    ),
    "GRU": (lambda: nn.GRU(3, 4), {"weight_ih_l0", "weight_hh_l0"}),
    "MultiheadAttention": (lambda: nn.MultiheadAttention(8, 2), {"in_proj_weight", "out_proj.weight"}),
    "MultiheadAttention, other kdim/vdim, bias_kv": (
        lambda: nn.MultiheadAttention(8, 2, kdim=4, vdim=6, add_bias_kv=True),
        {"q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"},
    ),
    "TransformerEncoder": (
        transformer,
        {
            f"layers.{i}.{name}"
            for i in range(2)
            for name in ("self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight", "linear2.weight")
        },
    ),
    "custom Module with its own Parameter": (
        lambda: nn.Sequential(Scaled(), nn.PReLU(2)),
        {"0.scale", "0.lin.weight", "1.weight"},
    ),
    "hand-written RMSNorm, tied embedding": (TiedLM, {"embed.weight"}),
    "RMSNorm": (lambda: nn.Sequential(nn.Linear(3, 5), nn.RMSNorm(5)), {"0.weight"}),
    "weight_norm parametrization": (
        lambda: nn.utils.parametrizations.weight_norm(nn.Linear(3, 2)),
        {"parametrizations.weight.original0", "parametrizations.weight.original1"},
    ),
}
EMBEDDINGS = {
    "Embedding": {"0.weight"},
    "EmbeddingBag": {"weight"},
    "hand-written RMSNorm, tied embedding": {"embed.weight"},
}


def build(case):
    make, weights = CASES[case]
    torch.manual_seed(0)
    model = make().double()
    with torch.no_grad():  # no parameter at 0 or 1 by construction, so the sums see every one of them
        for p in model.parameters():
            p.add_(torch.linspace(0.1, 0.7, p.numel(), dtype=p.dtype).reshape(p.shape))
    names = [name for name, _ in model.named_parameters()]
    assert weights <= set(names), weights - set(names)
    return model, weights


def hand_sum(model, weights, l1, l2):
    return sum(
        l1 * p.detach().abs().sum() + l2 * p.detach().square().sum()
        for name, p in model.named_parameters()
        if name in weights
    )


@pytest.mark.parametrize("case", CASES)
def test_the_penalty_is_the_sum_over_exactly_the_named_weights(case):
    model, weights = build(case)
    value = rnn.penalty(model, ElasticNet(l1=0.3, l2=0.2))
    assert float(value.detach()) == pytest.approx(float(hand_sum(model, weights, 0.3, 0.2)), rel=1e-12)
    value.backward()
    for name, p in model.named_parameters():
        if name in weights:
            torch.testing.assert_close(p.grad, 0.3 * torch.sign(p.detach()) + 0.4 * p.detach())
        else:
            assert p.grad is None, f"{name} received a penalty gradient"


@pytest.mark.parametrize("case", CASES)
def test_include_bias_penalizes_every_parameter(case):
    model, _ = build(case)
    every = {name for name, _ in model.named_parameters()}
    value = rnn.penalty(model, ElasticNet(l1=0.1, l2=0.5), include_bias=True)
    assert float(value.detach()) == pytest.approx(float(hand_sum(model, every, 0.1, 0.5)), rel=1e-12)


@pytest.mark.parametrize("case", EMBEDDINGS)
def test_include_embeddings_false_leaves_the_tables_out(case):
    model, weights = build(case)
    others = weights - EMBEDDINGS[case]
    if not others:
        with pytest.raises(ValueError, match="model has no weights to penalize"):
            rnn.penalty(model, L1(0.1), include_embeddings=False)
        return
    value = rnn.penalty(model, ElasticNet(l1=0.3, l2=0.2), include_embeddings=False)
    assert float(value.detach()) == pytest.approx(float(hand_sum(model, others, 0.3, 0.2)), rel=1e-12)
    decayed, free = rnn.param_groups(model, 0.1, include_embeddings=False)
    assert {n for n, p in model.named_parameters() if any(p is q for q in decayed["params"])} == others


@pytest.mark.parametrize("case", CASES)
def test_param_groups_decay_every_weight_and_nothing_else_each_exactly_once(case):
    model, weights = build(case)
    decayed, free = rnn.param_groups(model, 0.01)
    assert decayed["weight_decay"] == 0.01 and free["weight_decay"] == 0.0
    ids = [id(p) for p in decayed["params"] + free["params"]]
    assert len(ids) == len(set(ids)) == len({id(p) for p in model.parameters()})
    assert {n for n, p in model.named_parameters() if any(p is q for q in decayed["params"])} == weights
    torch.optim.SGD([decayed, free], lr=0.1)  # the groups are valid optimizer input


@pytest.mark.parametrize("case", CASES)
def test_prox_step_thresholds_every_weight_and_nothing_else(case):
    model, weights = build(case)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    rnn.prox_step(model, L1(0.5), lr=0.6)  # threshold 0.3: some entries become exactly 0
    for name, p in model.named_parameters():
        b = before[name]
        expected = torch.sign(b) * torch.clamp(b.abs() - 0.3, min=0.0) if name in weights else b
        torch.testing.assert_close(p.detach(), expected, rtol=0, atol=0)
    zeros = sum(int((p == 0).sum()) for name, p in model.named_parameters() if name in weights)
    total = sum(p.numel() for name, p in model.named_parameters() if name in weights)
    assert rnn.sparsity(model) == pytest.approx(zeros / total) and zeros > 0
    assert rnn.weight_stats(model)["count"] == total


def test_a_frozen_weight_is_not_penalized_and_not_grouped():
    model, weights = build("TransformerEncoder")
    model.layers[0].self_attn.in_proj_weight.requires_grad_(False)
    trainable = weights - {"layers.0.self_attn.in_proj_weight"}
    assert float(rnn.penalty(model, L1(1.0)).detach()) == pytest.approx(float(hand_sum(model, trainable, 1.0, 0.0)))
    decayed, free = rnn.param_groups(model, 0.1)
    assert all(p.requires_grad for p in decayed["params"] + free["params"])


def test_a_four_layer_transformer_encoder_has_every_attention_weight_penalized():
    model = transformer(4)
    names = {name for name, _ in rnn.regularized_parameters(model)}
    attention = {name for name, _ in model.named_parameters() if name.endswith("in_proj_weight")}
    assert len(attention) == 4 and attention <= names
    total = sum(p.numel() for n, p in model.named_parameters() if n in names)
    assert rnn.weight_stats(model)["count"] == total


def test_roles_are_named_as_named_parameters_names_them():
    model, _ = build("TransformerEncoder")
    roles = rnn.parameter_roles(model)
    assert [name for name, _, _ in roles] == [name for name, _ in model.named_parameters()]
    assert {role for _, role, _ in roles} == {"weight", "bias", "norm"}
    assert all(p is q for (_, _, p), (_, q) in zip(roles, model.named_parameters()))


def test_a_lazy_layer_is_refused_until_it_has_seen_data():
    model = nn.Sequential(nn.LazyLinear(3))
    with pytest.raises(ValueError, match="uninitialized"):
        rnn.penalty(model, L1(0.1))
    model(torch.randn(2, 5))
    assert float(rnn.penalty(model, L1(1.0)).detach()) == pytest.approx(float(model[0].weight.detach().abs().sum()))


def test_the_weight_histogram_shows_the_same_weights():
    from regcourse.plots.weights import weights_of

    for case in ("TransformerEncoder", "custom Module with its own Parameter", "LSTM"):
        model, weights = build(case)
        expected = np.concatenate([p.detach().numpy().ravel() for n, p in model.named_parameters() if n in weights])
        np.testing.assert_array_equal(np.sort(weights_of(model)), np.sort(expected))


def test_deep_copies_and_shared_submodules_are_counted_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.Tanh(), shared, copy.deepcopy(shared)).double()
    expected = sum(float(p.detach().square().sum()) for n, p in model.named_parameters() if n.endswith("weight"))
    assert float(rnn.penalty(model, ElasticNet(l1=0.0, l2=1.0)).detach()) == pytest.approx(expected, rel=1e-12)
