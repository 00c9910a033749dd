"""Right and wrong answers to chapter 10's exercises (regularization beyond penalties), written with
plain torch, without regcourse."""

import torch
from torch import nn


def predict(model, x):
    model.eval()
    with torch.no_grad():
        return model(x)


# --- right answers written another way ---------------------------------------------------------------


def predict_restoring_the_mode(model, x):  # switches back to training mode afterwards
    was_training = model.training
    model.train(False)
    try:
        with torch.inference_mode():
            return model(x).clone()
    finally:
        model.train(was_training)


def predict_as_numpy_in_float32(model, x):
    model.eval()
    return model(x).detach().float().numpy()


OTHER_RIGHT = {"beyond.dropout_eval": [predict_restoring_the_mode, predict_as_numpy_in_float32]}

RIGHT = {
    "beyond.patience": 5,
    "beyond.early_stopping_lam": 0.2,
    "beyond.noise_lam": 0.09,
    "beyond.dropout_eval": predict,
    "beyond.bias_variance": "a",
}


# --- wrong predictions --------------------------------------------------------------------------------


def without_eval(model, x):  # no_grad does not switch dropout off
    with torch.no_grad():
        return model(x)


def seeded(model, x):  # repeatable, but still with units dropped
    torch.manual_seed(0)
    return model(x)


def eval_and_rescaled(model, x):  # the pre-inverted-dropout habit: scale by the keep probability
    model.eval()
    p = next(m.p for m in model.modules() if isinstance(m, nn.Dropout))
    return model(x) * (1 - p)


def only_top_level_dropouts(model, x):  # misses a dropout inside an inner block
    for m in model.children():
        if isinstance(m, nn.Dropout):
            m.eval()
    return model(x)


def only_the_first_dropout(model, x):
    next(m for m in model.modules() if isinstance(m, nn.Dropout)).eval()
    return model(x)


def forgot_return(model, x):
    model.eval()
    model(x)


def flattened(model, x):
    model.eval()
    return model(x).ravel()


def dropout_rate_set_to_zero(model, x):  # the right numbers, but the model can no longer drop units
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    with torch.no_grad():
        return model(x)


def converted_to_float32(model, x):  # eval mode, but the model's weights are float32 from now on
    model.eval()
    return model.float()(x.float()).detach()


WRONG_CODE = {
    "beyond.dropout_eval": [
        (dropout_rate_set_to_zero, "changed the model for good (a dropout layer's p)"),
        (converted_to_float32, "changed the model for good (the dtype"),
        (without_eval, "dropout is still active"),
        (seeded, "fixing the random seed does not switch dropout off"),
        (eval_and_rescaled, "needs no rescaling"),
        (only_top_level_dropouts, "inside an inner block"),
        (only_the_first_dropout, "every one must be switched off"),
        (forgot_return, "returned None"),
        (flattened, "wrong shape"),
    ],
}

WRONG_VALUES = {
    "beyond.patience": [
        (10, "never reaches that epoch"),
        (8, "at which training stops"),
        (3, "one worse epoch does not stop"),
        (7, "remember the best validation loss"),
        (6, "counted from 1"),
        (9, "counted from 1"),
        ("five", "answer with a number, such as 12"),
    ],
    "beyond.early_stopping_lam": [
        (0.4, "½·MSE convention"),
        (2.5, "inverse of a product"),
        (5, "inverse of a product"),
        (0.8, "factor 2"),
        (1.0, "ridge factor s/(s + λ)"),
    ],
    "beyond.noise_lam": [
        (0.3, "standard deviation"),
        (0.045, "where a ½ would come from"),
        (0.18, "no factor 2"),
        (0.9, "cross term"),
    ],
    "beyond.bias_variance": [
        ("b", "misses the truth"),
        ("c", "less on the particular"),
        ("d", "narrows"),
        ("e", "choose from"),
    ],
}
