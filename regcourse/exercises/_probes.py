"""Where the grader finds each exercise's answer in a submitted notebook.

The grader does not trust anything the notebook prints or logs: after the notebook has run, it
reads the variable named here from the kernel. A value (a number, a letter, a list of letters)
comes back as plain data and goes to the exercise's checker in the grader's process. A function
stays in the kernel: the checker runs in the grader's process on cases drawn from a seed secret
to each grading run, and every call of the learner's function is sent to the kernel with its
arguments (NumPy arrays as bytes; torch test models as a module the kernel loads), and the
result comes back as data. So the expected values exist only in the grader.

A test checks that every registered exercise has a name here and that its solution notebook
defines that name.
"""

from __future__ import annotations

ANSWER_NAMES: dict[str, str] = {
    "welcome.double": "double",
    "overfit.mse": "mse",
    "overfit.definition": "answer_definition",
    "overfit.symptom": "answer_symptom",
    "objective.ridge": "objective",
    "objective.sse_lambda": "lam_sse",
    "objective.huge_lambda": "answer_huge",
    "l2.penalty": "l2_penalty",
    "l2.gradient": "l2_gradient",
    "l2.value_by_hand": "penalty_value",
    "l2.shrink_factor": "decay_factor",
    "l2.quiz_zeros": "answer_zeros",
    "l1.penalty": "l1_penalty",
    "l1.subgradient": "l1_subgradient",
    "l1.soft_threshold": "soft_threshold",
    "l1.zeros_count": "zeros_count",
    "l1.quiz_prefer": "answer_prefer",
    "enet.penalty": "elastic_net_penalty",
    "enet.prox": "elastic_net_prox",
    "enet.sklearn_l1": "lambda_1",
    "enet.quiz_grouping": "answer_grouping",
    "lambda.log_grid": "log_grid",
    "lambda.kfold": "kfold_folds",
    "lambda.one_se": "lambda_1se",
    "lambda.quiz_optimism": "answer_optimism",
    "lambda.quiz_grid": "answer_grid",
    "nn.weight_penalty": "weight_penalty",
    "nn.bias_pull": "bias_value",
    "nn.weight_decay": "sgd_weight_decay",
    "nn.adamw": "answer_adamw",
    "nn.prox_step": "l1_prox_step",
    "frameworks.ridge_alpha": "ridge_alpha",
    "frameworks.lasso_lambda": "lasso_lambda",
    "frameworks.weight_decay": "weight_decay",
    "frameworks.glmnet_fact": "answer_glmnet",
    "frameworks.enet_from_sklearn": "enet_from_sklearn",
    "frameworks.enet_to_sklearn": "enet_to_sklearn",
    "ridge.shrink_factors": "shrink_factors",
    "ridge.df_wide": "df_wide",
    "ridge.loo": "loo_mse",
    "ridge.loo_lambda": "refit_lam",
    "ridge.criteria": "answer_criteria",
    "implicit.min_norm": "min_norm_fit",
    "implicit.double_descent": "risk_above",
    "implicit.smoothed_target": "true_class_target",
    "implicit.dropout_average": "mask_average",
    "implicit.separable": "answer_separable",
    "review.genomics": "answer_genomics",
    "review.sensors": "answer_sensors",
    "review.regulator": "answer_regulator",
    "review.practice": "answer_practice",
    "review.lasso_max_features": "max_lasso_features",
    "review.one_se": "one_se_lambda",
    # chapter 09
    "classify.sklearn_C": "sklearn_C",
    "classify.gradient": "logistic_gradient",
    "classify.pixels_used": "pixels_used",
    "classify.pixels_meaning": "answer_red",
    "classify.separable": "answer_separable",
    "classify.strong_lambda": "answer_strong",
    # chapter 10
    "beyond.patience": "kept_epoch",
    "beyond.early_stopping_lam": "lam_from_steps",
    "beyond.noise_lam": "noise_lam",
    "beyond.dropout_eval": "predict",
    "beyond.bias_variance": "answer_bias_variance",
    # chapter 12
    "select.refit_on_support": "refit_on_support",
    "select.mcp_threshold": "mcp_threshold",
    "select.group_threshold": "group_threshold",
    "select.lasso_bias": "lasso_weight",
    "select.irrepresentable": "ic_value",
    "select.naive_intervals": "answer_intervals",
}


def answer_name(exercise_id: str) -> str:
    """The notebook variable that holds the answer to ``exercise_id``."""
    try:
        return ANSWER_NAMES[exercise_id]
    except KeyError:
        raise KeyError(f"exercise {exercise_id!r} has no answer name in regcourse/exercises/_probes.py") from None
