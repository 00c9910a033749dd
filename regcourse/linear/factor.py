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

    The elastic net's path changes l2 at every λ, and no cheap update turns the factor of
    G_AA + σ·I into that of G_AA + l2·I. So a factor built for σ also serves nearby l2
    (``serves``): ``solve_shifted`` solves (G_AA + l2·I)x = b by conjugate gradients
    preconditioned with it. The preconditioned matrix has eigenvalues (μ + l2)/(μ + σ) over the
    eigenvalues μ ≥ 0 of G_AA, all between min(1, l2/σ) and max(1, l2/σ): within ``SHIFT_RATIO``
    = 2 a condition number κ ≤ 2, each iteration cutting the error's energy norm by at least
    (√κ − 1)/(√κ + 1) ≈ 0.17, for the cost of one product with G_AA and two triangular solves,
    O(|A|²), instead of a fresh O(|A|³) factorization.
    """

    REFRESH_EVERY = 200  # updates between fresh factorizations, against the drift of rounding
    SPAN_TOL = 1e-6  # pivot ≤ this·√(Gⱼⱼ + l2): in the span of the factor (rounding alone leaves ~1e-8)
    SHIFT_RATIO = 2.0  # a factor for σ serves σ/2 ≤ l2 ≤ 2σ (l2 > 0) by preconditioned CG
    CG_MAX_ITER = 40  # preconditioned CG that has not reached its goal by then: refactor for l2 and solve directly
    CG_STALE_AFTER = 8  # a solve that took more iterations refactors for its l2, for the next ones
    CG_MIN_ACTIVE = 300  # below, a fresh factor (≤ 0.3 ms) is cheaper than CG's calls, and exact

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
        R[:, keep]ᵀR[:, keep], the matrix without feature j. Its first j columns are still upper
        triangular; the rest, rows j on, are upper Hessenberg, and Givens rotations of those rows
        alone make them triangular again: scipy.linalg.qr_delete (compiled) on the trailing
        (m − j)×(m − j) block only, O((m − j)²) flops per feature plus one copy of R (its Q is a
        throwaway identity that it rotates too, so handing it all of R would rotate an m×m one).
        The diagonal may come out negative: RᵀR is what counts."""
        from scipy.linalg import qr_delete

        positions = np.unique(np.asarray(positions, dtype=int))
        if positions.size == 0:
            return
        if positions[0] < 0 or positions[-1] >= self.order.size:
            raise IndexError(f"positions must be in [0, {self.order.size}); got {positions.tolist()}")
        R = self.R
        for j in positions[::-1]:  # from the back, so the other positions stay valid
            m = R.shape[0]
            tail = m - int(j)
            shorter = np.empty((m - 1, m - 1), order="F")
            shorter[:j, :j] = R[:j, :j]
            shorter[:j, j:] = R[:j, j + 1 :]
            shorter[j:, :j] = 0.0
            if tail > 1:
                _, T = qr_delete(
                    np.eye(tail, order="F"),
                    np.array(R[j:, j:], order="F"),
                    0,
                    1,
                    which="col",
                    overwrite_qr=True,
                    check_finite=False,
                )
                shorter[j:, j:] = T[: tail - 1]
            R = shorter
        keep = np.setdiff1d(np.arange(self.order.size), positions)
        self.R, self.order = R, self.order[keep]
        self.updates += positions.size

    def sync(self, features: np.ndarray) -> np.ndarray:
        """Make the active set ``features`` (kept in the factor's order where present), less those in
        the span of the others; returns the features left out."""
        if self.updates >= self.REFRESH_EVERY:
            self.reset()
        wanted = np.zeros(self.prob.p, dtype=bool)  # membership by a mask: np.isin sorts, 10× dearer here
        wanted[features] = True
        gone = np.flatnonzero(~wanted[self.order])
        if gone.size > max(4, self.order.size // 4):
            self.truncate(int(gone[0]))  # many removals: refactor the tail from scratch
            gone = np.zeros(0, dtype=int)
        self.remove(gone)
        factored = np.zeros(self.prob.p, dtype=bool)
        factored[self.order] = True
        new = features[~factored[features]]
        return new[~self.append(new)]

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """x with (G_AA + σ·I)x = rhs, σ = ``self.l2``: two triangular solves, BLAS's trsv for
        one right-hand side (LAPACK's potrs is 3× slower on one vector)."""
        from scipy.linalg import solve_triangular
        from scipy.linalg.blas import dtrsv

        if not self.R.flags.f_contiguous:  # a truncated factor is a strided view; BLAS would copy it per call
            self.R = np.asfortranarray(self.R)
        if rhs.ndim == 1 and self.R.shape[0]:
            return dtrsv(self.R, dtrsv(self.R, rhs, trans=1))
        half = solve_triangular(self.R, rhs, trans="T", lower=False, check_finite=False)
        return solve_triangular(self.R, half, lower=False, check_finite=False)

    def serves(self, l2: float) -> bool:
        """Whether ``solve_shifted`` may use this factor for l2: the same shift (the lasso's 0
        only ever serves 0), or a positive one within ``SHIFT_RATIO`` of it."""
        if l2 == self.l2:
            return True
        return l2 > 0.0 and self.l2 > 0.0 and self.l2 / self.SHIFT_RATIO <= l2 <= self.l2 * self.SHIFT_RATIO

    def refactor(self, l2: float) -> None:
        """A fresh factor of G_AA + l2·I for the same features in the same order (l2 > 0, so
        it is never singular). Afterwards ``self.l2 == l2``."""
        from scipy.linalg.lapack import dpotrf

        order = self.order
        self.l2, self.R, self.updates = l2, np.zeros((0, 0)), 0
        if order.size == 0:
            return
        block = self.prob.gram_entries(order, order).T  # symmetric: the transposed view is LAPACK's layout
        block.flat[:: order.size + 1] += l2
        R, info = dpotrf(block, lower=0, clean=1, overwrite_a=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"G_AA + l2·I is not positive definite (l2 = {l2:g}, potrf info {info})")
        self.R = R

    def solve_shifted(self, rhs: np.ndarray, l2: float, gram_times, goal: float) -> tuple[np.ndarray, float]:
        """x with (G_AA + l2·I)x = rhs, to a residual ≤ ``goal`` in every entry, and xᵀ(G_AA + l2·I)x.

        ``gram_times(v)`` is G_AA·v (the caller has the Gram block). With l2 equal to the
        factor's shift this is ``solve``; otherwise conjugate gradients preconditioned with this
        factor, M = G_AA + σ·I (see the class docstring); with fewer than ``CG_MIN_ACTIVE``
        features, a fresh factor for l2 instead. If CG has not reached the goal after
        ``CG_MAX_ITER`` iterations the factor is rebuilt for l2 and the system solved directly;
        if it took more than ``CG_STALE_AFTER`` it is rebuilt for the next solves.
        """
        if l2 != self.l2 and self.order.size < self.CG_MIN_ACTIVE:
            self.refactor(l2)
        if l2 == self.l2:
            x = self.solve(rhs)
            return x, float(x @ rhs)
        x = np.zeros_like(rhs)
        residual = rhs.copy()
        floor = 1e-14 * float(np.abs(rhs).max())  # what rounding allows; below it CG only stalls
        target = max(goal, floor)
        z = self.solve(residual)
        direction = z.copy()
        rz = float(residual @ z)
        energy = 0.0
        iterations = 0
        while float(np.abs(residual).max()) > target and iterations < self.CG_MAX_ITER:
            image = gram_times(direction) + l2 * direction
            curvature = float(direction @ image)
            if not curvature > 0.0:
                break
            step = rz / curvature
            x += step * direction
            energy += step * rz  # xᵀHx = Σ stepₖ²·pₖᵀHpₖ over H-conjugate directions pₖ
            residual -= step * image
            z = self.solve(residual)
            rz, previous = float(residual @ z), rz
            direction = z + (rz / previous) * direction
            iterations += 1
        if float(np.abs(residual).max()) > target:  # not reached (or stalled): the direct route
            self.refactor(l2)
            x = self.solve(rhs)
            return x, float(x @ rhs)
        if iterations > self.CG_STALE_AFTER:
            self.refactor(l2)
        return x, energy
