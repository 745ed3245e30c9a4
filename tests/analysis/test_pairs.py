"""The themes' second-order part: the folded form that ships (weights on the features plus one
square form per theme on the LSA coordinates) scores new comments exactly as the kernel ridge
regression it comes from, and the LSA is the features' top singular directions."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy", reason="training needs the analysis-train extra")

from scipy import sparse

from sync.analysis import pairs

SEED = 13


@pytest.fixture(scope="module")
def features():
    rng = np.random.default_rng(SEED)
    x = sparse.random(120, 60, density=0.1, random_state=SEED, format="csr")
    labels = (rng.random((120, 3)) < 0.3).astype(np.float64)
    return x[:90], x[90:], labels[:90]


def test_lsa_projects_onto_the_top_singular_directions(features):
    x, _, _ = features
    projection = pairs.lsa(x, 5)
    expected = np.linalg.svd(x.toarray(), compute_uv=False)[:5]
    np.testing.assert_allclose(np.linalg.norm(x @ projection, axis=0), expected, rtol=1e-8)


def test_the_folded_model_scores_as_the_kernel_ridge_regression(features):
    x, new, labels = features
    weight = 0.5
    z, z_new = x @ pairs.lsa(x, 5), new @ pairs.lsa(x, 5)
    dual, intercept = pairs.kernel_ridge(x, z, labels, alpha=1.0, weight=weight)
    folded = (
        np.asarray(new @ (x.T @ dual))
        + pairs.quadratic(z_new, pairs.forms(dual, z, weight))
        + intercept
    )
    # The kernel ridge regression's own prediction: the new comments' kernel with the training
    # ones, centred on the training comments' mean as the fit was.
    gram = (x @ x.T).toarray() + weight * (z @ z.T) ** 2
    cross = (new @ x.T).toarray() + weight * (z_new @ z.T) ** 2
    centred = cross - cross.mean(1, keepdims=True) - gram.mean(1) + gram.mean()
    np.testing.assert_allclose(folded, centred @ dual + labels.mean(0), atol=1e-9)
    # A squared term that moved nothing would leave the test above meaning little.
    assert np.abs(pairs.quadratic(z_new, pairs.forms(dual, z, weight))).max() > 1e-3


def test_the_kernel_ridge_regression_fits_its_labels_better_than_their_mean(features):
    x, _, labels = features
    z = x @ pairs.lsa(x, 5)
    dual, intercept = pairs.kernel_ridge(x, z, labels, alpha=0.1, weight=0.5)
    fitted = np.asarray(x @ (x.T @ dual)) + pairs.quadratic(z, pairs.forms(dual, z, 0.5))
    error = np.mean((fitted + intercept - labels) ** 2)
    assert error < 0.5 * np.mean((labels - labels.mean(0)) ** 2)
