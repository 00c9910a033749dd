"""The Cholesky factor of the working-set solver's active set, kept up to date as features enter
and leave, and kept non-singular: a feature in the span of the factored ones is not admitted
(see ``Factor.append``; the solver swaps such a feature in by an exchange step when it must)."""

from __future__ import annotations

import math

import numpy as np

from regcourse.linear.problem import Problem

__all__ = ["Factor"]


class Factor:
    """The Cholesky factor R (upper, RᵀR = G_AA + l2·I) of the active set A, in the order the
    features entered, kept up to date as A changes by a few features at a time: appending k
    features costs O(|A|²k) (two triangular solves and a k×k factor), removing one is a rank-1
    update of the trailing block, O(|A|²) — instead of O(|A|³) for a fresh solve every step.
    Indices are the problem's feature numbers, so the factor lives along a whole path.
    """

    REFRESH_EVERY = 200  # updates between fresh factorizations, against the drift of rounding
    SPAN_TOL = 1e-6  # pivot ≤ this·√(Gⱼⱼ + l2): in the span of the factor (rounding alone leaves ~1e-8)

    def __init__(self, prob: Problem, l2: float):
        self.prob, self.l2 = prob, l2
        self.order = np.zeros(0, dtype=int)
        self.R = np.zeros((0, 0))
        self.updates = 0

    def _entries(self, rows, columns):
        block = self.prob.gram_entries(rows, columns)
        return block

    def reset(self) -> None:
        self.order, self.R, self.updates = self.order[:0], np.zeros((0, 0)), 0

    def append(self, features: np.ndarray) -> np.ndarray:
        """Add features at the end, in order, skipping each one that is (numerically) in the span
        of those before it: its Cholesky pivot — the length of its component orthogonal to them,
        √(Gⱼⱼ + l2 − ‖bⱼ‖²) — at most ``SPAN_TOL``·√(Gⱼⱼ + l2). Returns the mask of the features
        admitted; the factor stays non-singular, so no step ever needs a least-squares fallback."""
        from scipy.linalg import solve_triangular
        from scipy.linalg.lapack import dpotrf

        admitted = np.zeros(features.size, dtype=bool)
        if features.size == 0:
            return admitted
        corner = np.array(self._entries(features, features), order="F")  # a copy, in LAPACK's layout
        if self.l2:
            corner.flat[:: features.size + 1] += self.l2
        floor = self.SPAN_TOL * np.sqrt(np.maximum(corner.diagonal(), 0.0))
        if self.order.size:
            cross = self._entries(self.order, features)
            B = solve_triangular(self.R, cross, trans="T", lower=False, check_finite=False)
            schur = corner - B.T @ B
        else:  # a fresh factor (the elastic net's at each λ): no cross terms, no copies
            B, schur = np.zeros((0, features.size)), corner.copy(order="F")
        R22, info = dpotrf(schur, lower=0, clean=1, overwrite_a=1)
        whole = info == 0 and bool(np.all(R22.diagonal() > floor))
        if whole:  # the usual case: the whole block at once, O(|A|²k)
            admitted[:] = True
            self._extend(B, R22, features)
            return admitted
        for i in range(features.size):  # one at a time, each against A and the ones admitted before it
            m = self.order.size
            extra = B[:, i] if m == B.shape[0] else None
            if extra is None:  # features admitted in this call: their rows of B are new
                column = self._entries(self.order, features[i : i + 1])[:, 0]
                extra = solve_triangular(self.R, column, trans="T", lower=False, check_finite=False)
            pivot2 = corner[i, i] - float(extra @ extra)
            if pivot2 > floor[i] ** 2:
                admitted[i] = True
                self._extend(extra[:, None], np.array([[math.sqrt(pivot2)]]), features[i : i + 1])
        return admitted

    def _extend(self, B: np.ndarray, R22: np.ndarray, features: np.ndarray) -> None:
        m, k = self.order.size, features.size
        if m == 0:
            self.R, self.order = np.asfortranarray(R22), features.copy()
            self.updates += 1
            return
        R = np.zeros((m + k, m + k), order="F")  # Fortran order: qr_delete and LAPACK take it without a copy
        R[:m, :m], R[:m, m:], R[m:, m:] = self.R, B, R22
        self.R, self.order = R, np.concatenate([self.order, features])
        self.updates += 1

    def truncate(self, size: int) -> None:
        """Keep the first ``size`` features: their factor is the leading block."""
        self.order, self.R = self.order[:size], self.R[:size, :size]

    def remove(self, positions) -> None:
        """Remove the features at ``positions``. Deleting column j of R leaves
        R[:, keep]ᵀR[:, keep], the matrix without feature j, with R[:, keep] upper Hessenberg
        from column j on; Givens rotations make it triangular again, O(|A|²) per feature
        (scipy.linalg.qr_delete, compiled; the Q it also rotates is a throwaway identity).
        The diagonal may come out negative: RᵀR is what counts."""
        from scipy.linalg import qr_delete

        positions = np.unique(np.asarray(positions, dtype=int))
        if positions.size == 0:
            return
        R = np.asfortranarray(self.R)
        for position in positions[::-1]:  # from the back, so the other positions stay valid
            m = R.shape[0]
            _, R = qr_delete(
                np.eye(m, order="F"), R, int(position), 1, which="col", overwrite_qr=True, check_finite=False
            )
            R = np.asfortranarray(R[: m - 1])
        keep = np.setdiff1d(np.arange(self.order.size), positions)
        self.R, self.order = R, self.order[keep]
        self.updates += positions.size

    def sync(self, features: np.ndarray) -> np.ndarray:
        """Make the active set ``features`` (kept in the factor's order where present), less those in
        the span of the others; returns the features left out."""
        if self.updates >= self.REFRESH_EVERY:
            self.reset()
        inside = np.isin(self.order, features)
        gone = np.flatnonzero(~inside)
        if gone.size > max(4, self.order.size // 4):
            self.truncate(int(gone[0]))  # many removals: refactor the tail from scratch
            gone = np.zeros(0, dtype=int)
        self.remove(gone)
        new = features[~np.isin(features, self.order)]
        return new[~self.append(new)]

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        from scipy.linalg import solve_triangular

        half = solve_triangular(self.R, rhs, trans="T", lower=False, check_finite=False)
        return solve_triangular(self.R, half, lower=False, check_finite=False)
