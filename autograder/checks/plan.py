"""Check plans: the examples each ``for_all`` check replays, drawn once and stored as files.

Why: hypothesis drawing the same derandomized examples afresh on every grading was most of
a grading's time, and the examples it draws change with its version (grades could differ
between machines). A plan is drawn once by ``autograder make-plans`` and replayed as is:
the same examples, in the same order, under any hypothesis version (or none installed).

Where: the plan of the checks defined in module ``pkg.mod`` is ``pkg/plans/mod.json`` beside
it (``autograder/checks/plans/a1.json``; the hidden checks' plans beside
``autograder/staff/hidden_checks/``, so a bundle without ``staff/`` ships no hidden example).
The file maps a check's key (``"task function: name"``, see ``check_key``) to its examples,
smallest first (``size_key``: number of scalars, then magnitude), so the first failing
example replayed -- the one a message reports -- is a small one.

Encoding (exact round trip, see ``to_plain``): JSON scalars as they are (a float's repr is
exact), a non-finite float as its IEEE bits ``{"$f": hex}``, a tuple ``{"$t": [...]}``, a
dict with a non-str or "$"-key ``{"$d": [[k, v], ...]}``, an ndarray ``{"$nd": [dtype,
shape, base64 of its C-ordered bytes]}``, a numpy scalar ``{"$np": [dtype, base64]}``, a
test function of the catalogue ``{"$fn": [name, part, params]}``.

``BPLAB_PLANS=live`` (authoring only) draws a check's examples with hypothesis at grading
time instead, the same way ``make-plans`` does; without it a check with no plan entry is not
graded (a loud fault of the grader, and ``make-plans --check`` fails), never regenerated.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import json
import math
import os
import shutil
import struct
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograder.sandboxed.protocol import FnRef

LIVE_ENV = "BPLAB_PLANS"
"""Environment variable: ``live`` draws examples with hypothesis instead of reading plans."""


class PlanError(RuntimeError):
    """A check whose examples cannot be replayed: no plan entry, or an unreadable plan."""


@dataclass(frozen=True)
class PlanSpec:
    """What ``for_all`` knows of a property check: its strategy, example count, module."""

    strategy: Any
    max_examples: int
    module: str


def check_key(task: str, function: str, name: str) -> str:
    """A check's stable name in its module's plan (a check's name alone is not unique)."""
    return f"{task} {function}: {name}"


def live() -> bool:
    """Whether this process draws examples live (``BPLAB_PLANS=live``, for authoring)."""
    return os.environ.get(LIVE_ENV, "") == "live"


# --- encoding ---------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def to_plain(value: Any) -> Any:
    """JSON-ready data for one example, exact (see the module docstring); PlanError if the
    example holds something a plan cannot store."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        if math.isfinite(value):
            return value
        return {"$f": struct.pack("<d", value).hex()}
    if kind is list:
        return [to_plain(v) for v in value]
    if kind is tuple:
        return {"$t": [to_plain(v) for v in value]}
    if kind is dict:
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: to_plain(v) for k, v in value.items()}
        return {"$d": [[to_plain(k), to_plain(v)] for k, v in value.items()]}
    if kind is np.ndarray:
        if value.dtype.hasobject:
            raise PlanError("cannot store an object array in a plan")
        data = np.ascontiguousarray(value).tobytes()
        return {"$nd": [value.dtype.str, list(value.shape), _b64(data)]}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        return {"$np": [value.dtype.str, _b64(value.tobytes())]}
    if kind is FnRef:
        return {"$fn": [value.name, value.part, to_plain(value.params)]}
    raise PlanError(f"cannot store a {kind.__qualname__} in a plan")


def from_plain(node: Any) -> Any:
    """The example ``to_plain`` encoded, as a fresh object (a check may keep or change it)."""
    if isinstance(node, list):
        return [from_plain(v) for v in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        (marker, body), = node.items()
        if marker == "$f":
            return struct.unpack("<d", bytes.fromhex(body))[0]
        if marker == "$t":
            return tuple(from_plain(v) for v in body)
        if marker == "$d":
            return {from_plain(k): from_plain(v) for k, v in body}
        if marker == "$nd":
            dtype, shape, data = body
            flat = np.frombuffer(base64.b64decode(data), dtype=np.dtype(dtype))
            return flat.reshape(shape).copy()
        if marker == "$np":
            dtype, data = body
            return np.frombuffer(base64.b64decode(data), dtype=np.dtype(dtype))[0]
        if marker == "$fn":
            name, part, params = body
            return FnRef(name, part, from_plain(params))
    if any(k.startswith("$") for k in node):
        raise PlanError(f"unknown plan marker in {sorted(node)[:3]}")
    return {k: from_plain(v) for k, v in node.items()}


def dumps(plain: Any) -> str:
    """Compact, deterministic JSON (no NaN tokens: non-finite floats are markers)."""
    return json.dumps(plain, separators=(",", ":"), allow_nan=False, ensure_ascii=True)


# --- ordering ---------------------------------------------------------------------------


def size_key(value: Any) -> tuple[int, float]:
    """(number of scalars, sum of their magnitudes): small examples first. A non-finite
    number counts as infinitely large; a string counts its length."""
    count, magnitude = _size(value)
    return count, magnitude


def _size(value: Any) -> tuple[int, float]:
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            values = np.abs(value.astype(np.float64).ravel())
            total = float(values.sum()) if np.isfinite(values).all() else math.inf
            return int(value.size), total
        return int(value.size), 0.0
    if isinstance(value, (bool, np.bool_)):
        return 1, float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            number = abs(float(value))
        except OverflowError:  # an int beyond float range
            number = math.inf
        return 1, number if math.isfinite(number) else math.inf
    if isinstance(value, str):
        return 1, float(len(value))
    if isinstance(value, FnRef):
        return _size(value.params)
    if isinstance(value, dict):
        items = [part for pair in value.items() for part in pair]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return 1, 0.0
    count, magnitude = 0, 0.0
    for item in items:
        c, m = _size(item)
        count, magnitude = count + c, magnitude + m
    return count, magnitude


# --- drawing (hypothesis: make-plans and BPLAB_PLANS=live only) -------------------------


def draw_examples(strategy: Any, max_examples: int) -> list[Any]:
    """The examples hypothesis draws for ``strategy`` (derandomized: the same ones every run
    of one hypothesis version), deduplicated and ordered smallest first."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings

    from autograder.checks.strategies import build

    strategy = build(strategy)  # the check modules' strategies are lazy recipes
    _private_hypothesis_home()
    drawn: list[Any] = []

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(strategy)
    def collect(example: Any) -> None:
        drawn.append(example)

    with _no_local_constants():
        collect()
    return order(drawn)


@contextlib.contextmanager
def _no_local_constants() -> Iterator[None]:
    """Hypothesis (since 6.131) mixes literals of every loaded local module into what it
    draws, so the examples would depend on what else the process imported (a test file, a
    course's module): off while drawing a plan, which must depend on the strategy alone."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # a version without them draws no local constants
        yield
        return
    saved = getattr(providers, "_get_local_constants", None)
    if saved is None:
        yield
        return
    providers._get_local_constants = Constants
    try:
        yield
    finally:
        providers._get_local_constants = saved


@functools.cache
def _private_hypothesis_home() -> None:
    """Hypothesis keeps a cache in ./.hypothesis/: never the caller's folder (plans use no
    example database), a temporary one removed at exit."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    import hypothesis.configuration

    storage = tempfile.mkdtemp(prefix="bplab-hypothesis-")
    hypothesis.configuration.set_hypothesis_home_dir(storage)
    atexit.register(shutil.rmtree, storage, ignore_errors=True)


def order(examples: list[Any]) -> list[Any]:
    """Deduplicated (same encoding), then smallest first (``size_key``; ties keep order)."""
    unique: dict[str, Any] = {}
    for example in examples:
        unique.setdefault(dumps(to_plain(example)), example)
    kept = list(unique.values())
    return [kept[i] for i in sorted(range(len(kept)), key=lambda i: size_key(kept[i]))]


# --- files ------------------------------------------------------------------------------


def plan_path(module: str) -> Path | None:
    """The plan file of the checks defined in ``module`` (None if it has no file)."""
    source = getattr(sys.modules.get(module), "__file__", None)
    if not source:
        return None
    here = Path(source)
    return here.parent / "plans" / f"{here.stem}.json"


@functools.cache
def _load(path: Path) -> dict[str, list]:
    """The parsed plan file (plain data; examples are decoded afresh per replay)."""
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise PlanError(f"plan {path} cannot be read ({error})") from None
    if not isinstance(plan, dict) or not isinstance(plan.get("checks"), dict):
        raise PlanError(f"plan {path} is not a plan file")
    return plan["checks"]


def plain_examples(spec: PlanSpec, key: str) -> list[Any]:
    """The examples to replay for the check ``key`` defined in ``spec.module``, encoded
    (``from_plain`` gives each a fresh copy): its plan's, or drawn live under
    ``BPLAB_PLANS=live``; PlanError when it has no plan entry."""
    if live():
        return [to_plain(example) for example in draw_examples(spec.strategy, spec.max_examples)]
    path = plan_path(spec.module)
    stored = _load(path) if path is not None else {}
    if key not in stored:
        raise PlanError(
            f"no stored examples for check {key!r} of {spec.module}: run `autograder"
            " make-plans` (or set BPLAB_PLANS=live while authoring)"
        )
    return stored[key]
