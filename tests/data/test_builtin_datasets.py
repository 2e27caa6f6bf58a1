"""Built-in datasets: every one loads with its defaults, is seeded, and has the promised structure."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.data import BUILTIN_DATASETS, DatasetSource
from desktop_app.data.shipped import Iris, Optdigits, load_iris
from desktop_app.data.toys import Blobs, Circles, Moons, Sine, Spiral, Xor, make_xor

GENERATED = (Spiral, Moons, Circles, Xor, Blobs, Sine)


def test_builtins_are_sources_with_unique_names_and_descriptions():
    names = [cls.type_name for cls in BUILTIN_DATASETS]
    assert len(names) == len(set(names))
    assert {"spiral", "moons", "circles", "xor", "blobs", "sine", "iris", "optdigits",
            "csv", "numpy", "idx"} == set(names)
    for cls in BUILTIN_DATASETS:
        assert issubclass(cls, DatasetSource)
        assert cls.description
        for spec in cls.schema:
            assert spec.to_json()["name"] == spec.name


@pytest.mark.parametrize("cls", GENERATED)
def test_generated_sets_are_seeded_and_sized(cls):
    first = cls(n_samples=101, seed=3).load()
    again = cls(n_samples=101, seed=3).load()
    other = cls(n_samples=101, seed=4).load()
    assert len(first) == 101
    np.testing.assert_array_equal(first.x, again.x)
    np.testing.assert_array_equal(first.y, again.y)
    assert not np.array_equal(first.x, other.x)
    assert first.x.dtype == np.float32


@pytest.mark.parametrize("cls", [Spiral, Blobs])
def test_class_count_option(cls):
    data = cls(n_samples=50, classes=5).load()
    assert len(data.class_names) == 5
    assert np.bincount(data.y).tolist() == [10, 10, 10, 10, 10]


def test_binary_toys_are_balanced_binary():
    for cls in (Moons, Circles):
        data = cls(n_samples=40).load()
        assert data.task == "binary"
        assert np.bincount(data.y).tolist() == [20, 20]


def test_xor_labels_follow_the_signs_without_noise():
    x, y = make_xor(200, 0.0, 1)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] < 0).astype(int))


def test_circles_radii_without_noise():
    data = Circles(n_samples=20, noise=0.0, factor=0.3).load()
    radius = np.linalg.norm(data.x, axis=1)
    np.testing.assert_allclose(radius[data.y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[data.y == 1], 0.3, rtol=1e-6)


def test_sine_is_regression_on_the_sine_curve():
    data = Sine(n_samples=64, noise=0.0).load()
    assert data.task == "regression" and data.sample_shape == (1,) and data.target_shape == (1,)
    np.testing.assert_allclose(data.y, np.sin(data.x), atol=1e-6)


def test_bad_option_is_a_config_error_naming_it():
    with pytest.raises(ValueError, match=r"spiral: parameter 'classes' must be <= 10\. Received: 11"):
        Spiral(classes=11)


def test_iris():
    data = Iris().load()
    assert data.x.shape == (150, 4)
    assert data.class_names == ("setosa", "versicolor", "virginica")
    assert np.bincount(data.y).tolist() == [50, 50, 50]
    assert data.feature_names[0] == "sepal_length_cm"
    assert load_iris().name == "iris"


def test_optdigits_layouts():
    flat = Optdigits().load()
    image = Optdigits(layout="image").load()
    assert flat.x.shape == (1797, 64) and image.x.shape == (1797, 1, 8, 8)
    np.testing.assert_array_equal(image.x.reshape(1797, 64), flat.x)
    assert flat.x.min() == 0.0 and flat.x.max() == 16.0  # the shipped file's grey levels...
    assert "grey levels 0..16" in Optdigits.description  # ...as its description says
    assert flat.class_names == tuple("0123456789")
