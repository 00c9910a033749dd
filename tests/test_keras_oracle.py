"""Our penalties against Keras 3 regularizers on the torch backend, on the same weights.

Keras's L2(k) is k·Σw² with no ½, L1(k) is k·Σ|w|, L1L2(l1, l2) is their sum: the course's
convention, so λ = k with no conversion.
"""

import numpy as np
import pytest
import torch

from regcourse import L1, L2, ElasticNet, Penalty
from regcourse._keras import import_keras

pytestmark = pytest.mark.keras

keras = import_keras()


@pytest.fixture
def weights():
    return torch.tensor(np.random.default_rng(7).normal(size=(10, 64)), dtype=torch.float32)


def test_keras_runs_on_the_torch_backend():
    assert keras.backend.backend() == "torch"
    assert int(keras.__version__.split(".")[0]) >= 3


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (L1(0.01), lambda: keras.regularizers.L1(l1=0.01)),
        (L2(0.01), lambda: keras.regularizers.L2(l2=0.01)),
        (L2(3.5), lambda: keras.regularizers.L2(l2=3.5)),
        (ElasticNet(l1=0.01, l2=0.02), lambda: keras.regularizers.L1L2(l1=0.01, l2=0.02)),
        (ElasticNet(l1=0.01, l2=0.01), lambda: keras.regularizers.l1_l2(l1=0.01, l2=0.01)),
    ],
    ids=lambda x: repr(x) if isinstance(x, Penalty) else "keras",
)
def test_keras_regularizer_value_equals_ours(ours, theirs, weights):
    expected = float(keras.ops.convert_to_numpy(theirs()(weights)))
    assert float(ours(weights)) == pytest.approx(expected, rel=1e-6)


def test_dense_layer_with_l1_l2_adds_exactly_our_elastic_net_to_the_loss():
    """The source's Dense(64) + l1_l2 example, written for Keras 3 (keras.Input, not input_dim)."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(10,)),
            keras.layers.Dense(64, activation="relu", kernel_regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.01)),
            keras.layers.Dense(1),
        ]
    )
    model(np.zeros((2, 10), dtype="float32"))
    kernel = model.layers[0].kernel
    keras_loss = sum(float(keras.ops.convert_to_numpy(loss)) for loss in model.losses)
    ours = float(ElasticNet(l1=0.01, l2=0.01)(keras.ops.convert_to_numpy(kernel)))
    assert len(model.losses) == 1  # the bias and the second layer are not penalized
    assert ours == pytest.approx(keras_loss, rel=1e-6)


def test_the_public_import_keras_gives_keras_on_the_torch_backend():
    from regcourse.conventions import import_keras

    keras = import_keras()
    assert keras.backend.backend() == "torch"
