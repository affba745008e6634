"""scikit-learn's bundled digits, split and scaled."""

import numpy as np
import pytest

from actlab.data.digits import load_digits


def test_digits_are_bundled_scaled_and_stratified():
    X, y, X_test, y_test = load_digits()
    assert len(X) + len(X_test) == 1797
    assert X.shape[1] == 64 and X.dtype == np.float32
    assert 0.0 <= X.min() and X.max() <= 1.0
    shares = np.bincount(y) / len(y)
    np.testing.assert_allclose(np.bincount(y_test) / len(y_test), shares, atol=0.01)


def test_images_are_channels_last_and_the_split_is_seeded():
    a = load_digits(images=True, seed=1)
    b = load_digits(images=True, seed=1)
    c = load_digits(images=True, seed=2)
    assert a.X_train.shape[1:] == (8, 8, 1)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.y_train, c.y_train)


def test_bad_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits(test_fraction=1.5)
