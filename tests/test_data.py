"""Tests of autograder.data: the hash-verified digits file and the seeded generators."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder import data

REPO = Path(__file__).resolve().parents[1]
DIGITS_PATH = REPO / "datasets" / "digits.csv.gz"

# Class sizes of the 1797-image UCI digits file (the UCI "optdigits.tes" part), as published.
DIGITS_CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
# First row of the file, read by eye with `zcat digits.csv.gz | head -1`: pixels then label 0.
DIGITS_FIRST_ROW_START = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]
# Margin check slack: the planted distance is computed in float64 from O(1) numbers.
MARGIN_SLACK = 1e-12


# ---------------------------------------------------------------- digits file

def test_readme_records_the_files_sha256():
    readme = (REPO / "datasets" / "README.md").read_text()
    recorded = re.findall(r"`([0-9a-f]{64})`", readme)
    assert recorded == [hashlib.sha256(DIGITS_PATH.read_bytes()).hexdigest()]


def test_loader_checks_against_the_same_hash_as_the_readme():
    assert hashlib.sha256(DIGITS_PATH.read_bytes()).hexdigest() == data.DIGITS_SHA256


def test_all_split_is_the_whole_file_scaled():
    X, y = data.load_digits("all")
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X[0, :16] * 16, DIGITS_FIRST_ROW_START)
    assert y[0] == 0
    assert np.bincount(y).tolist() == DIGITS_CLASS_COUNTS


def test_train_and_test_partition_the_file_stratified():
    X_all, y_all = data.load_digits("all")
    X_tr, y_tr = data.load_digits("train")
    X_te, y_te = data.load_digits("test")
    assert len(X_tr) + len(X_te) == 1797
    assert X_tr.shape[1] == X_te.shape[1] == 64
    assert y_tr.dtype == y_te.dtype == np.int64
    # Same multiset of (row, label) as the whole file: no row lost or duplicated.
    key = lambda X, y: sorted(map(bytes, np.column_stack([X * 16, y]).astype(np.uint8)))  # noqa: E731
    assert key(np.vstack([X_tr, X_te]), np.concatenate([y_tr, y_te])) == key(X_all, y_all)
    # Stratified: each class contributes round(25 %) of its rows to the test part.
    expected = [round(0.25 * c) for c in DIGITS_CLASS_COUNTS]
    assert np.bincount(y_te, minlength=10).tolist() == expected


def test_split_is_fixed_and_seeded():
    a = data.load_digits("test")
    b = data.load_digits("test")
    c = data.load_digits("test", seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_bad_split_name_is_rejected():
    with pytest.raises(ValueError, match="split"):
        data.load_digits("validation")


def test_corrupt_file_raises_a_clear_error(tmp_path, monkeypatch):
    raw = bytearray(DIGITS_PATH.read_bytes())
    raw[100] ^= 0xFF
    (tmp_path / "digits.csv.gz").write_bytes(bytes(raw))
    monkeypatch.setenv(data.DATASETS_ENV, str(tmp_path))
    with pytest.raises(data.DatasetError) as info:
        data.load_digits()
    msg = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert str(tmp_path / "digits.csv.gz") in msg
    assert data.DIGITS_SHA256 in msg
    assert hashlib.sha256(bytes(raw)).hexdigest() in msg
    assert "git checkout datasets/digits.csv.gz" in msg


def test_missing_file_raises_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATASETS_ENV, str(tmp_path))
    with pytest.raises(data.DatasetError) as info:
        data.load_digits("all")
    msg = str(info.value)
    assert "digits.csv.gz" in msg and "git checkout" in msg and data.DIGITS_SHA256 in msg


def test_env_override_reads_a_good_copy(tmp_path, monkeypatch):
    shutil.copy(DIGITS_PATH, tmp_path / "digits.csv.gz")
    monkeypatch.setenv(data.DATASETS_ENV, str(tmp_path))
    assert data.datasets_dir() == tmp_path
    assert data.load_digits("all")[0].shape == (1797, 64)


def test_file_is_plain_gzip_csv():
    rows = gzip.decompress(DIGITS_PATH.read_bytes()).decode().splitlines()
    assert len(rows) == 1797 and all(len(r.split(",")) == 65 for r in rows)


# ---------------------------------------------------------------- generators

@pytest.mark.parametrize("n,d,margin,seed", [(100, 2, 0.1, 0), (500, 5, 0.3, 7), (50, 1, 0.0, 3)])
def test_separable_has_the_planted_margin(n, d, margin, seed):
    X, y, w = data.make_separable(n=n, d=d, margin=margin, seed=seed)
    assert X.shape == (n, d) and y.shape == (n,) and w.shape == (d + 1,)
    assert X.dtype == y.dtype == w.dtype == np.float64
    assert set(np.unique(y)) <= {-1.0, 1.0}
    distance = y * (X @ w[:d] + w[d]) / np.linalg.norm(w[:d])
    assert distance.min() >= margin - MARGIN_SLACK


def test_separable_has_both_classes_by_default():
    _, y, _ = data.make_separable()
    assert set(np.unique(y)) == {-1.0, 1.0}


GENERATORS = [
    (data.make_separable, {}),
    (data.make_xor, {}),
    (data.make_moons, {}),
    (data.make_spirals, {}),
    (data.make_regression, {}),
]


@pytest.mark.parametrize("gen,kwargs", GENERATORS, ids=lambda g: getattr(g, "__name__", ""))
def test_generators_are_reproducible_and_seed_dependent(gen, kwargs):
    a, b, c = gen(seed=3, **kwargs), gen(seed=3, **kwargs), gen(seed=4, **kwargs)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


def test_xor_labels_follow_the_corners():
    X, y = data.make_xor(n=203, noise=0.05, seed=1)
    assert X.shape == (203, 2) and y.dtype == np.int64
    # With noise 0.05 no point leaves its quadrant (20 standard deviations).
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert sorted(np.bincount(y).tolist()) == [101, 102]


def test_moons_and_spirals_shapes_and_balance():
    X, y = data.make_moons(n=201, noise=0.1, seed=0)
    assert X.shape == (201, 2) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [101, 100]
    X, y = data.make_spirals(n=300, classes=3, noise=0.2, seed=0)
    assert X.shape == (300, 2) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert np.linalg.norm(X, axis=1).max() <= 1.0 + MARGIN_SLACK


def test_noise_free_moons_lie_on_their_circles():
    X, y = data.make_moons(n=100, noise=0.0, seed=0)
    centre = np.where(y[:, None] == 0, [0.0, 0.0], [1.0, 0.5])
    np.testing.assert_allclose(np.linalg.norm(X - centre, axis=1), 1.0)


def test_regression_recovers_w_true():
    X, y, w = data.make_regression(n=2000, d=3, noise=0.1, seed=0)
    assert X.shape == (2000, 3) and y.shape == (2000,) and w.shape == (3,)
    w_hat = np.linalg.lstsq(X, y, rcond=None)[0]
    # Least-squares error ~ noise / sqrt(n) = 0.002 per coefficient; 0.02 is 10 sigma.
    np.testing.assert_allclose(w_hat, w, atol=0.02)


def test_train_test_split_partitions_without_mutating():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    X0, y0 = X.copy(), y.copy()
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    assert len(X_te) == 5 and len(X_tr) == 15
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(20))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)  # rows keep their labels
    with pytest.raises(ValueError):
        data.train_test_split(X, y, test_fraction=1.5)
