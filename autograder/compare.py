"""Validate what a submission returned and say, in a student's terms, how it differs.

Everything here runs on the trusted side. Values arrive decoded from the worker as plain
data (numbers, strings, lists, dicts, numpy arrays, or a ``protocol.Unencodable`` marker);
nothing here calls a method of a student object, because there are none on this side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autograder.sandboxed.protocol import Unencodable

# Tolerances. Each is a named size with the reason for it.
RTOL = 1e-6
"""Relative tolerance against the reference: both sides compute the same formula in float64,
so only summation order differs (~1e-15); 1e-6 also admits another valid formula (1 − tanh²
against sech², a loop against a vectorised sum) while any real bug is off by far more."""
ATOL = 1e-9
"""Absolute floor for entries that should be 0: rounding of a sum of O(1) terms is ~1e-15."""
GRAD_REL_ERROR = 1e-5
"""Max relative error between an analytic gradient and a central difference with h = 1e-5:
the truncation error of a central difference is O(h²) ≈ 1e-10 relative for smooth functions
of O(1) size and rounding is ~eps/h ≈ 1e-11; CS231n's rule of thumb calls < 1e-7 fine and
> 1e-4 wrong. 1e-5 passes every correct gradient we test and fails every planted bug."""
REL_ERROR_FLOOR = 1e-8
"""The denominator guard of the relative error (CS231n's max(1e-8, |x| + |y|))."""

MAX_SHOWN = 6
"""Entries shown of an input array before it is abbreviated, so messages stay readable."""


class CheckFailure(Exception):
    """A check failed; ``str(self)`` is the whole message a student will read."""


def rel_error(x: Any, y: Any) -> float:
    """Max elementwise relative error |x − y| / max(1e-8, |x| + |y|) (CS231n)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(REL_ERROR_FLOOR, np.abs(x) + np.abs(y))))


def fmt(value: Any) -> str:
    """A short, readable rendering of an input or output value for a message."""
    if isinstance(value, np.ndarray):
        if value.size <= MAX_SHOWN * 2 and value.ndim <= 2:
            text = np.array2string(value, precision=4, suppress_small=True, separator=", ")
            return " ".join(text.split())
        flat = ", ".join(f"{v:.4g}" for v in value.ravel()[:MAX_SHOWN])
        return f"array of shape {value.shape} [{flat}, ...]"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Unencodable):
        return f"<a {value.type_name} object: {value.repr[:60]}>"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_SHOWN * 2:
            return (
                "[" + ", ".join(fmt(v) for v in value[:MAX_SHOWN]) + f", ... ({len(value)} items)]"
            )
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def fmt_inputs(**inputs: Any) -> str:
    """``name = value`` pairs for the 'input:' line of a message."""
    return ", ".join(f"{name} = {fmt(value)}" for name, value in inputs.items())


def describe_type(value: Any) -> str:
    """What a returned value is, in words: 'a list', 'a float32 array of shape (3,)'."""
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, Unencodable):
        return f"a {value.type_name} object"
    if value is None:
        return "None"
    article = "an" if type(value).__name__[0] in "aeiou" else "a"
    return f"{article} {type(value).__name__}"


def expect_array(
    got: Any, shape: tuple[int, ...], *, what: str, kind: str = "float", finite: bool = True
) -> np.ndarray:
    """Return ``got`` if it is a real float64 (or int, for kind="int") array of ``shape``.

    Raises CheckFailure saying what came back instead, e.g. "returned a list, expected a
    float64 array of shape (32, 10)".
    """
    wanted = "float64" if kind == "float" else "integer"
    expected_text = f"{wanted} array of shape {tuple(shape)}"
    if not isinstance(got, np.ndarray):
        raise CheckFailure(f"{what} returned {describe_type(got)}, expected a {expected_text}.")
    if kind == "float" and got.dtype != np.float64:
        raise CheckFailure(f"{what} returned {describe_type(got)}, expected a {expected_text}.")
    if kind == "int" and got.dtype.kind not in "iu":
        raise CheckFailure(f"{what} returned {describe_type(got)}, expected a {expected_text}.")
    if got.shape != tuple(shape):
        raise CheckFailure(f"{what} returned shape {got.shape}, expected shape {tuple(shape)}.")
    if finite and kind == "float" and not np.all(np.isfinite(got)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        raise CheckFailure(
            f"{what} returned a non-finite value {got[index]} at index {list(index)}."
        )
    return got


def expect_float(got: Any, *, what: str, finite: bool = True) -> float:
    """Return ``got`` as a float if it is a real number (a 0-d or size-1 array is accepted)."""
    if isinstance(got, np.ndarray) and got.size == 1 and got.dtype.kind in "fiu":
        got = got.reshape(()).item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        raise CheckFailure(f"{what} returned {describe_type(got)}, expected a number.")
    value = float(got)
    if finite and not np.isfinite(value):
        raise CheckFailure(f"{what} returned {value}, expected a finite number.")
    return value


def expect_int(got: Any, *, what: str) -> int:
    """Return ``got`` if it is an integer (not a bool, not a float)."""
    if isinstance(got, bool) or not isinstance(got, int):
        raise CheckFailure(f"{what} returned {describe_type(got)}, expected an int.")
    return got


def expect_bool(got: Any, *, what: str) -> bool:
    """Return ``got`` if it is a bool (numpy bools arrive as Python bools)."""
    if not isinstance(got, bool):
        raise CheckFailure(f"{what} returned {describe_type(got)}, expected True or False.")
    return got


def expect_dict(got: Any, keys: Sequence[str], *, what: str) -> Mapping[str, Any]:
    """Return ``got`` if it is a dict holding every key in ``keys``."""
    if not isinstance(got, Mapping):
        raise CheckFailure(f"{what} returned {describe_type(got)}, expected a dict.")
    missing = [key for key in keys if key not in got]
    if missing:
        raise CheckFailure(f"{what} returned a dict without the key(s) {missing}.")
    return got


def expect_sequence(got: Any, length: int | None, *, what: str) -> list:
    """Return ``got`` if it is a list/tuple (arrives as a list) of the given length."""
    if not isinstance(got, list):
        raise CheckFailure(f"{what} returned {describe_type(got)}, expected a tuple or list.")
    if length is not None and len(got) != length:
        raise CheckFailure(f"{what} returned {len(got)} items, expected {length}.")
    return got


def first_difference(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
                     equal_nan: bool = False):
    """Index of the first entry where got and expected differ, and how many entries differ."""
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
    count = int(bad.sum())
    if count == 0:
        return None, 0
    return tuple(int(i) for i in np.argwhere(bad)[0]), count


def assert_close(
    got: Any,
    expected: Any,
    *,
    what: str,
    inputs: str = "",
    rtol: float = RTOL,
    atol: float = ATOL,
    hint: str = "",
    equal_nan: bool = False,
) -> None:
    """Fail with "where they differ" unless ``got`` matches ``expected`` within tolerances.

    ``equal_nan``: NaN matches NaN (a replay of the student's own blocks that reaches NaN).

    ``got`` must already be validated (expect_array / expect_float). Only the first differing
    entry is shown, never the whole expected array. ``hint`` is the check's note of the rule
    it tests; students never see it (feedback.messages drops fixed hint lines: a hint comes
    only from a diagnosis of the mistake actually made, autograder/staff/misconceptions).
    """
    got_arr = np.asarray(got, dtype=float)
    exp_arr = np.asarray(expected, dtype=float)
    index, count = first_difference(got_arr, exp_arr, rtol, atol, equal_nan)
    if count == 0:
        return
    lines = [f"{what} is wrong."]
    if inputs:
        lines.append(f"  input: {inputs}")
    if exp_arr.ndim == 0:
        want, have = distinct(float(exp_arr), float(got_arr))
        lines.append(f"  expected {want}, got {have}")
    else:
        want, have = distinct(exp_arr[index], got_arr[index])
        lines.append(
            f"  at index {list(index)}: expected {want}, got {have}"
            f" ({count} of {exp_arr.size} entries differ)"
        )
    if hint:
        lines.append(f"  hint: {hint}")
    raise CheckFailure("\n".join(lines))


def distinct(expected: float, got: float) -> tuple[str, str]:
    """Both numbers with 6 significant digits, or as many more as it takes to tell them
    apart (0.150693 against 0.150692 would hide a difference of 1e-7 behind rounding)."""
    for digits in range(6, 18):
        want, have = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if want != have:
            return want, have
    return repr(float(expected)), repr(float(got))


def assert_gradient_close(
    got: Any,
    expected: Any,
    *,
    what: str,
    parameter: str,
    inputs: str = "",
    max_rel_error: float = GRAD_REL_ERROR,
    hint: str = "",
) -> None:
    """Fail naming the parameter and index whose gradient is off, with its relative error."""
    got_arr = np.asarray(got, dtype=float)
    exp_arr = np.asarray(expected, dtype=float)
    errors = np.abs(got_arr - exp_arr) / np.maximum(
        REL_ERROR_FLOOR, np.abs(got_arr) + np.abs(exp_arr)
    )
    if errors.size == 0 or float(errors.max()) <= max_rel_error:
        return
    index = np.unravel_index(int(np.argmax(errors)), errors.shape)
    index = tuple(int(i) for i in index)
    subject = parameter if parameter.endswith(".grad") else (
        f"the local derivative {parameter}" if parameter.startswith("d ") else
        f"the gradient with respect to {parameter}")
    lines = [f"{what}: {subject} is wrong."]
    if inputs:
        lines.append(f"  input: {inputs}")
    want, have = distinct(exp_arr[index], got_arr[index])
    lines.append(
        f"  {parameter}{list(index) if index else ''}: expected {want}, got {have}"
        f" (relative error {errors[index]:.2e},"
        f" allowed {max_rel_error:.0e}; {int((errors > max_rel_error).sum())} of"
        f" {errors.size} entries off)"
    )
    if hint:
        lines.append(f"  hint: {hint}")
    raise CheckFailure("\n".join(lines))


def central_difference(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a trusted scalar function f at x (grader side only)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad
