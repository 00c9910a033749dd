"""Test models the chapter-07 checkers build, defined at module level.

The grader sends each test model into the student's kernel as ``torch.save`` bytes, and the
kernel loads classes by reference, so a model class must be importable by name: a class defined
inside a function cannot be loaded there. This module imports torch; the checkers import it only
when they build a model.
"""

from __future__ import annotations

import torch
from torch import nn


class Mixer(nn.Module):
    """A custom Module with weights of its own: a hidden nn.Linear, then its own nn.Parameter
    matrix ``mix`` and its own ``bias``, as learners write models by hand."""

    def __init__(self, hidden: nn.Linear, mix: torch.Tensor, bias: torch.Tensor):
        super().__init__()
        self.hidden = hidden
        self.mix = nn.Parameter(mix)
        self.bias = nn.Parameter(bias)

    def forward(self, x):
        return torch.tanh(self.hidden(x)) @ self.mix + self.bias
