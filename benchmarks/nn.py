"""Time per training step with an L2 penalty, four ways, on two networks.

    (a) no penalty
    (b) the source material's penalty: a Python loop over model.parameters() adding λΣw²
    (c) regcourse.nn.penalty(model, L2(λ)) added to the loss (weights only, fused)
    (d) the optimizer's built-in weight_decay = 2λ on the same weights (regcourse.nn.param_groups)

Networks: an MLP of about a million parameters (batch 256), a stack of fifty small layers, and
a 4-layer transformer encoder (attention, feed-forward and LayerNorm parameters).
SGD, CPU threads as configured. Runs alternate between the four ways, so that drift in the
machine's speed hits them all; the table gives median milliseconds per step and the ratios.

    python benchmarks/nn.py [--steps 40] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from regcourse import L2
from regcourse import nn as rnn

LAM = 1e-4


def networks():
    torch.manual_seed(0)
    big = nn.Sequential(
        nn.Linear(256, 1024),
        nn.ReLU(),
        nn.Linear(1024, 512),
        nn.ReLU(),
        nn.Linear(512, 256),
        nn.ReLU(),
        nn.Linear(256, 1),
    )
    yield "MLP, ~1M parameters", big, torch.randn(256, 256), torch.randn(256, 1)
    layers = []
    for _ in range(50):
        layers += [nn.Linear(32, 32), nn.Tanh()]
    small = nn.Sequential(*layers, nn.Linear(32, 1))
    yield "50 small layers", small, torch.randn(64, 32), torch.randn(64, 1)
    # attention weights are bare Parameters (in_proj_weight): the penalty must find them by role
    encoder = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True), 4, enable_nested_tensor=False
    )
    yield "transformer, 4 layers", encoder, torch.randn(16, 12, 64), torch.randn(16, 12, 64)


def make_step(way, model, X, y):
    loss_fn = nn.MSELoss()
    if way == "d":
        optimizer = torch.optim.SGD(rnn.param_groups(model, 2 * LAM), lr=1e-3)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    pen = L2(LAM)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X), y)
        if way == "b":
            loss = loss + LAM * sum(torch.sum(p**2) for p in model.parameters())
        elif way == "c":
            loss = loss + rnn.penalty(model, pen)
        loss.backward()
        optimizer.step()

    return step


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    labels = {"a": "(a) none", "b": "(b) source loop", "c": "(c) regcourse", "d": "(d) weight_decay"}
    print(f"{'network':<22} " + " ".join(f"{labels[w]:>17}" for w in "abcd") + f" {'c/d':>6} {'c/b':>6}")
    for name, model, X, y in networks():
        steps = {w: make_step(w, model, X, y) for w in "abcd"}
        for w in "abcd":  # warm up
            for _ in range(5):
                steps[w]()
        times = {w: [] for w in "abcd"}
        for _ in range(args.rounds):
            for w in "abcd":
                started = time.perf_counter()
                for _ in range(args.steps):
                    steps[w]()
                times[w].append(1000 * (time.perf_counter() - started) / args.steps)
        med = {w: statistics.median(times[w]) for w in "abcd"}
        print(
            f"{name:<22} "
            + " ".join(f"{med[w]:>14.3f} ms" for w in "abcd")
            + f" {med['c'] / med['d']:>6.2f} {med['c'] / med['b']:>6.2f}"
        )
    print("\ntarget: c/d ≤ 1.15 and c/b ≤ 1")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
