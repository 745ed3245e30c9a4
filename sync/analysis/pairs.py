"""The themes' second-order part: a kernel ridge regression whose kernel adds to the features'
dot product the square of the comments' dot product in a few latent (LSA) dimensions, so that
pairs of topics count, not only each word. Training needs scipy; the shipped tagger runs
:func:`quadratic` with numpy alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = Any  # a scipy sparse matrix (scipy ships no types)


@dataclass
class Pairs:
    """As the shipped tagger runs it: with ``z = x @ projection`` (a comment's LSA
    coordinates), theme ``t`` gains ``z @ forms[t] @ z``. Both are kept as they are shipped
    (float32), so the fitted model scores exactly as the exported one."""

    projection: npt.NDArray[np.float32]
    forms: npt.NDArray[np.float32]

    def __post_init__(self) -> None:
        self.projection = np.asarray(self.projection, dtype=np.float32)
        self.forms = np.asarray(self.forms, dtype=np.float32)

    def scores(self, x: Matrix) -> npt.NDArray[np.float64]:
        return quadratic(np.asarray(x @ self.projection, dtype=np.float64), self.forms)


def quadratic(z: npt.NDArray[Any], forms: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """``z[n] @ forms[t] @ z[n]`` for every comment ``n`` and theme ``t``."""
    z = np.asarray(z, dtype=np.float64)
    width = forms.shape[0]
    # One matrix product for all themes, then each comment's dot product with its own row.
    mixed = (z @ forms.astype(np.float64).transpose(1, 0, 2).reshape(z.shape[1], -1)).reshape(
        len(z), width, z.shape[1]
    )
    scores: npt.NDArray[np.float64] = np.einsum("nte,ne->nt", mixed, z)
    return scores


def lsa(x: Matrix, dims: int) -> npt.NDArray[np.float64]:
    """The projection of the features onto the top *dims* singular directions of *x* (an
    uncentred truncated SVD), from an exact eigendecomposition of the comments' Gram matrix:
    deterministic, and quick while there are a few thousand comments."""
    import scipy.linalg

    gram = (x @ x.T).toarray()
    n = gram.shape[0]
    dims = min(dims, n - 1)
    values, vectors = scipy.linalg.eigh(gram, subset_by_index=[n - dims, n - 1])
    singular = np.sqrt(np.maximum(values[::-1], 1e-12))
    return np.asarray(x.T @ (vectors[:, ::-1] / singular))


def kernel_ridge(
    x: Matrix, z: npt.NDArray[np.float64], y: npt.NDArray[np.float64], alpha: float, weight: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The dual weights (one column per label) and intercepts of a ridge regression with an
    intercept and the kernel ``x.x' + weight (z.z')**2``."""
    import scipy.linalg

    gram = (x @ x.T).toarray() + weight * (z @ z.T) ** 2
    means = gram.mean(1)
    # Centring the kernel is centring the features, so the intercept is the mean label.
    centred = gram - means[:, None] - means[None, :] + means.mean()
    y_mean = y.mean(0)
    dual = scipy.linalg.solve(centred + alpha * np.eye(len(gram)), y - y_mean, assume_a="pos")
    # The dual weights sum to 0 per label, so the centring's other terms reduce to this.
    return dual, y_mean - means @ dual


def forms(
    dual: npt.NDArray[np.float64], z: npt.NDArray[np.float64], weight: float
) -> npt.NDArray[np.float64]:
    """The squared half of the kernel's predictor, one ``dims x dims`` form per label:
    ``sum_i dual[i, t] (z . z_i)**2 = z @ (sum_i dual[i, t] z_i z_i') @ z``."""
    summed: npt.NDArray[np.float64] = np.einsum("nt,nd,ne->tde", dual, z, z, optimize=True)
    return weight * summed
