"""Test models for tests/test_grading_judge.py, importable in a kernel (the way a checker's test
model classes must be: defined at module level, so the kernel can load them)."""

import torch
from torch import nn


class Scaled(nn.Module):
    """A custom module with its own bare parameter besides a Linear layer."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor([1.5, -2.0], dtype=torch.float64))
        self.inner = nn.Sequential(nn.Sequential(nn.Linear(3, 2, dtype=torch.float64)), nn.Tanh())

    def forward(self, x):
        return self.inner(x) * self.scale
