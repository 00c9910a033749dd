"""Chapter 10's dropout check refuses a prediction that changes the model for good: what it
compares (every parameter's dtype and values, every dropout layer's p), and what it allows
(switching the train/eval mode)."""

import torch
from torch import nn

from regcourse.exercises.ch10_beyond_penalties import _fingerprint, _what_changed


def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4, dtype=torch.float64), nn.Dropout(0.4), nn.Linear(4, 1, dtype=torch.float64))


def test_switching_the_mode_is_not_a_change():
    m = model()
    before = _fingerprint(m)
    m.eval()
    assert _what_changed(before, _fingerprint(m)) == ""


def test_a_weight_changed_in_place_is_named():
    m = model()
    before = _fingerprint(m)
    with torch.no_grad():
        m[2].bias.add_(1e-12)
    assert _what_changed(before, _fingerprint(m)) == "the values of 2.bias"


def test_a_dtype_change_and_a_dropout_rate_are_named():
    m = model()
    before = _fingerprint(m)
    m[1].p = 0.0
    assert _what_changed(before, _fingerprint(m)) == "a dropout layer's p"
    m = model()
    before = _fingerprint(m)
    m.float()
    assert _what_changed(before, _fingerprint(m)).startswith("the dtype of 0.weight")
