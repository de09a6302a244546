"""Data for the assignments: the SHA-256-verified digits file and seeded synthetic generators.

Every generator takes a `seed` and draws only from `np.random.default_rng(seed)`, so the same
call gives the same arrays on every machine. Features are float64; class labels are int64,
except `make_separable`, whose labels are the perceptron's ±1 floats (assignment 1).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from importlib import resources
from pathlib import Path

import numpy as np

DATASETS_ENV = "BACKPROP_LAB_DATASETS"
DIGITS_FILE = "digits.csv.gz"
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
DIGITS_PIXEL_MAX = 16.0  # each pixel counts the "on" pixels of a 4x4 block: 0..16

_SPLITS = ("train", "test", "all")


class DatasetError(RuntimeError):
    """A data file is missing or does not match its recorded SHA-256."""


PACKAGE_DATA = "autograder.datasets"
"""Where an installed kit keeps the data files: setup.py maps the checkout's top-level
datasets/ (the one copy in git) to this package, in a wheel and in an editable install."""


def datasets_dir() -> Path:
    """The folder holding the data files: $BACKPROP_LAB_DATASETS, else the package data
    (importlib.resources), else ``<checkout>/datasets`` when the kit runs from a source tree
    that was never installed (``PYTHONPATH=checkout``)."""
    override = os.environ.get(DATASETS_ENV)
    if override:
        return Path(override)
    try:
        folder = resources.files(PACKAGE_DATA).joinpath(DIGITS_FILE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "datasets"
    return Path(str(folder)).parent


def _verified_bytes(name: str, expected_sha256: str) -> bytes:
    """Read the data file ``name`` and check its hash; raise DatasetError saying what to do."""
    path = datasets_dir() / name
    fix = (
        f"Restore it with `git checkout datasets/{name}` (or reinstall the kit)"
        + (f", or unset {DATASETS_ENV}" if os.environ.get(DATASETS_ENV) else "")
        + "."
    )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(
            f"data file {path} cannot be read ({exc.strerror or exc}); "
            f"expected a file with SHA-256 {expected_sha256}. {fix}"
        ) from exc
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected_sha256:
        raise DatasetError(
            f"data file {path} is corrupt or modified: SHA-256 expected {expected_sha256}, "
            f"got {actual}. {fix}"
        )
    return raw


def verify_datasets() -> None:
    """Raise DatasetError (saying what to do) unless every bundled data file is intact."""
    _verified_bytes(DIGITS_FILE, DIGITS_SHA256)


def _digits_all() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits: X (1797, 64) float64 in [0, 1], y (1797,) int64 in 0..9."""
    raw = _verified_bytes(DIGITS_FILE, DIGITS_SHA256)
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)
    X = table[:, :-1].astype(np.float64) / DIGITS_PIXEL_MAX
    y = table[:, -1].astype(np.int64)
    return X, y


def _split_indices(
    y: np.ndarray, test_fraction: float, seed: int, stratify: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train_idx, test_idx); stratified keeps each class's share in both parts."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    n = len(y)
    rng = np.random.default_rng(seed)
    if not stratify:
        order = rng.permutation(n)
        n_test = int(round(test_fraction * n))
        return order[n_test:], order[:n_test]
    train_parts, test_parts = [], []
    for cls in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == cls))
        n_test = int(round(test_fraction * len(members)))
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    # Shuffle across classes so neither part is sorted by label.
    return rng.permutation(np.concatenate(train_parts)), rng.permutation(np.concatenate(test_parts))


def load_digits(
    split: str = "train", test_fraction: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The UCI 8x8 handwritten digits, hash-verified, with a fixed seeded stratified split.

    Args:
        split: "train", "test" or "all" (all 1797 rows in file order).
        test_fraction: share of each class put in the test part.
        seed: seed of the split; the default split is the one the course uses.

    Returns:
        X (n, 64) float64 pixels scaled to [0, 1]; y (n,) int64 digits 0..9.

    Raises:
        DatasetError: the file is missing or its SHA-256 differs from the recorded one.
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}")
    X, y = _digits_all()
    if split == "all":
        return X, y
    train_idx, test_idx = _split_indices(y, test_fraction, seed, stratify=True)
    idx = train_idx if split == "train" else test_idx
    return X[idx], y[idx]


def train_test_split(
    X: np.ndarray, y: np.ndarray, test_fraction: float = 0.25, seed: int = 0,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded random split (plain, or stratified by the labels y).

    Args:
        X: (n, ...) samples; y: (n,) targets.

    Returns:
        X_train (n - k, ...), X_test (k, ...), y_train (n - k,), y_test (k,), with
        k = round(test_fraction * n) (per class when stratified). Copies, inputs untouched.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    train_idx, test_idx = _split_indices(y, test_fraction, seed, stratify)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def make_separable(
    n: int = 100, d: int = 2, margin: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linearly separable points with a planted margin, for the perceptron.

    A unit normal u and a bias b are drawn; points drawn uniformly in [-1, 1]^d are pushed
    `margin` further from the plane u.x + b = 0 on their own side, so every point is at
    distance >= margin from it (a gap of 2*margin).

    Returns:
        X (n, d) float64; y (n,) float64 in {-1, +1}, the side of the plane;
        w_star (d+1,) = (u, b), bias LAST, with ||u|| = 1 (so y_i * w_star.(x_i, 1) >= margin).
    """
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    b = rng.uniform(-0.3, 0.3)
    X = rng.uniform(-1.0, 1.0, size=(n, d))
    side = np.where(X @ u + b >= 0.0, 1.0, -1.0)
    X += (side * margin)[:, None] * u
    return X, side, np.append(u, b)


def make_xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """XOR: Gaussian blobs (std `noise`) at the corners (±1, ±1); class 1 where signs differ.

    Returns:
        X (n, 2) float64; y (n,) int64 in {0, 1}, n // 4 or n // 4 + 1 points per corner.
    """
    rng = np.random.default_rng(seed)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0], dtype=np.int64)
    which = rng.permutation(np.arange(n) % 4)
    X = corners[which] + noise * rng.standard_normal((n, 2))
    return X, labels[which]


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (class 0 upper, class 1 lower) plus Gaussian noise.

    Returns:
        X (n, 2) float64; y (n,) int64 in {0, 1}, in shuffled order.
    """
    rng = np.random.default_rng(seed)
    n0 = n - n // 2
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n // 2)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n // 2, np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(
    n: int = 300, classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n toy set); noise jitters the angle.

    Returns:
        X (n, 2) float64 with norms <= 1; y (n,) int64 in 0..classes-1, in shuffled order.
    """
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for k, m in enumerate(np.diff(np.linspace(0, n, classes + 1).round().astype(int))):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), m) + noise * rng.standard_normal(m)
        Xs.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        ys.append(np.full(m, k, dtype=np.int64))
    order = rng.permutation(n)
    return np.vstack(Xs)[order], np.concatenate(ys)[order]


def make_regression(
    n: int = 100, d: int = 3, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear regression data y = X @ w_true + noise * N(0, 1), no intercept.

    Returns:
        X (n, d) float64 standard normal; y (n,) float64; w_true (d,) standard normal.
    """
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    X = rng.standard_normal((n, d))
    y = X @ w_true + noise * rng.standard_normal(n)
    return X, y, w_true
