"""Chapter 01 exercises: training error, validation error, and what regularization is for."""

import numpy as np

from regcourse.exercises._checking import case_rng, choice_exercise, compare
from regcourse.exercises._registry import exercise

CHAPTER = 1


@exercise("overfit.mse", chapter=CHAPTER, title="The mean squared error", points=2)
def check_mse(mse):
    rng = case_rng("overfit.mse")

    def reference(y, y_hat):
        return np.mean((np.asarray(y, dtype=float) - np.asarray(y_hat, dtype=float)) ** 2)

    compare(
        mse,
        reference,
        [(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))],
        "a perfect prediction should have error 0",
        scalar=True,
    )
    # One sample first: there the sum and the mean agree, so only the squaring is tested.
    compare(
        mse,
        reference,
        [(np.array([2.0]), np.array([5.0])), (np.array([0.0]), np.array([-3.0]))],
        "each error should be squared",
        scalar=True,
        mistakes=[(np.sqrt, "that looks like a square root of the mean: leave it squared")],
    )
    compare(
        mse,
        reference,
        [(np.array([0.0, 0.0, 0.0, 0.0]), np.array([2.0, 0.0, 0.0, 0.0]))],
        "average the squared errors over the samples (divide by n), do not just add them up",
        scalar=True,
    )
    compare(
        mse,
        reference,
        [(np.array([1.0, -1.0]), np.array([-1.0, 1.0]))],
        "errors of opposite sign must not cancel out",
        scalar=True,
    )
    compare(
        mse,
        reference,
        [(rng.normal(size=n), rng.normal(size=n)) for n in (5, 50)],
        "on some random inputs the value is not the mean of the squared differences",
        scalar=True,
    )


choice_exercise(
    "overfit.definition",
    chapter=CHAPTER,
    title="What regularization is for",
    points=1,
    options={
        "a": "Lowering the error on the training data as far as possible",
        "b": "Lowering the error on data the model has not seen, even at some cost in training error",
        "c": "Making training run faster",
        "d": "Removing noise from the training labels",
    },
    correct="b",
    hint="think about which error the validation set measures, and which one a flexible model already minimizes",
    why_not={
        "a": "a flexible model already drives the training error down; that is how it overfits",
        "c": "some penalties change the speed of training, but that is not their purpose",
        "d": "the labels stay as they are; what changes is how closely the model may follow them",
    },
)

choice_exercise(
    "overfit.symptom",
    chapter=CHAPTER,
    title="Spotting overfitting",
    points=1,
    options={
        "a": "Training error and validation error are both high",
        "b": "Training error is low and validation error is much higher",
        "c": "Training error is higher than validation error",
        "d": "Validation error keeps falling as the model grows more flexible",
    },
    correct="b",
    hint="compare how well the model does on the points it learned from and on new ones",
    why_not={
        "a": "high error everywhere means the model is too simple: underfitting",
        "c": "that happens by chance with small validation sets; it is not the sign of overfitting",
        "d": "while validation error falls, more flexibility is still helping",
    },
)
