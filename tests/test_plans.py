"""Check plans (autograder/checks/plan.py): the stored examples are exact, small first, up to
date, and replaying them grades like drawing them live, under any hypothesis version.

The two-version test grades under another hypothesis release: the wheel named by
BPLAB_OTHER_HYPOTHESIS, else the newest release other than the installed one that pip
downloads from the configured index (as the install tests install from it); it skips,
saying why, only when neither is there. E.g.::

    pip download --no-deps -d /tmp/hyp hypothesis==6.150.0
    BPLAB_OTHER_HYPOTHESIS=/tmp/hyp/hypothesis-6.150.0-py3-none-any.whl \
        python -m pytest -q -m slow tests/test_plans.py
"""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import hypothesis
import numpy as np
import pytest
from conftest import CORPUS, REFERENCE, REPO_ROOT

from autograder.checks import plan
from autograder.grade import grade_submission
from autograder.sandboxed.protocol import FnRef
from autograder.staff import plans as make
from autograder.staff.corpus import entries, materialize

PLAN_FILES = sorted((REPO_ROOT / "autograder" / "checks" / "plans").glob("*.json")) + sorted(
    (REPO_ROOT / "autograder" / "staff" / "hidden_checks" / "plans").glob("*.json"))
TIMING = {"seconds", "execution_time"}


def same(a, b) -> bool:
    """Exactly the same value: types, dtypes, shapes, bytes (NaN payloads, -0.0), items."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, FnRef):
        return a.name == b.name and a.part == b.part and same(a.params, b.params)
    return a == b


def round_trip(value):
    return plan.from_plain(json.loads(plan.dumps(plan.to_plain(value))))


def without_timing(node):
    if isinstance(node, dict):
        return {k: without_timing(v) for k, v in node.items() if k not in TIMING}
    if isinstance(node, list):
        return [without_timing(v) for v in node]
    return node


EDGE_VALUES = [
    None, True, False, 0, 1, -(2**70), 2**200, "text", "",
    0.0, -0.0, 5e-324, 1.0, 0.1, math.inf, -math.inf, math.nan,
    struct.unpack("<d", bytes.fromhex("0100000000f8ffff"))[0],  # a negative NaN with a payload
    [], (), [1, (2.0, [3])], (1,), {"a": 1.0, "b": [2]}, {"$x": 1, 3: "three", (1, 2): None},
    np.array([[1.5, np.nan], [-0.0, np.inf]]), np.zeros((0, 3)), np.array([True, False]),
    np.arange(6, dtype=np.int32).reshape(2, 3), np.array(2.5), np.ones((2, 1, 3), np.float32),
    np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.float64(-0.0), np.float32(1.5),
    np.int64(-7), np.bool_(True),
    FnRef("sum_sin", "grad", {"a": [2.0, -1.0]}), (FnRef("rosenbrock"), np.array([0.5]), 1e-5),
]


@pytest.mark.parametrize("value", EDGE_VALUES, ids=lambda v: type(v).__name__)
def test_encoding_round_trips_every_kind_of_value_exactly(value):
    back = round_trip(value)
    assert same(back, value), (value, back)
    if isinstance(value, (list, dict, np.ndarray)):
        assert back is not value


def test_encoding_refuses_what_a_plan_cannot_hold():
    for value in (object(), np.array([object()]), {1: object()}, [lambda: 0]):
        with pytest.raises(plan.PlanError, match="cannot store"):
            plan.to_plain(value)
    assert same(round_trip([1, 1.0, True]), [1, 1.0, True])  # int, float, bool stay apart


def test_there_are_plans_visible_and_hidden():
    names = {(p.parent.parent.name, p.name) for p in PLAN_FILES}
    for a in ("a1", "a2", "a3", "a4"):
        assert ("checks", f"{a}.json") in names and ("hidden_checks", f"{a}.json") in names
    assert sum(p.stat().st_size for p in PLAN_FILES) < 1_000_000  # small enough unzipped


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_stored_example_round_trips_exactly_and_comes_smallest_first(path):
    stored = json.loads(path.read_text())
    assert stored["format"] == make.FORMAT and stored["checks"]
    for key, nodes in stored["checks"].items():
        assert nodes, key
        decoded = [plan.from_plain(node) for node in nodes]
        for node, value in zip(nodes, decoded, strict=True):
            assert plan.dumps(plan.to_plain(value)) == plan.dumps(node), key
            assert same(plan.from_plain(node), value)  # decoding twice: equal and fresh
        sizes = [plan.size_key(value) for value in decoded]
        assert sizes == sorted(sizes), key
        texts = [plan.dumps(node) for node in nodes]
        assert len(set(texts)) == len(texts), f"{key}: a duplicate example"


def test_size_key_counts_scalars_then_magnitude():
    small, large = np.zeros((2, 2)), np.ones((1, 5))
    assert plan.size_key(small) < plan.size_key(large)  # 4 scalars before 5
    assert plan.size_key((np.array([1.0]), 3)) < plan.size_key((np.array([-2.0]), 3))
    assert plan.size_key(np.array([np.nan])) == (1, math.inf)
    assert plan.order([3, -1, 2, -1]) == [-1, 2, 3]  # deduplicated, smallest magnitude first


def test_plans_are_up_to_date(capsys):
    assert make.make_plans(check_only=True) == 0, capsys.readouterr().out
    assert "plans up to date" in capsys.readouterr().out


def test_the_drift_check_names_what_changed():
    fresh = make.draw_module("autograder.checks.a1")
    old = make.stored(fresh.path)
    version = hypothesis.__version__
    assert make.drift(fresh, old, version) == []
    first, *_ = fresh.checks
    edited = json.loads(json.dumps(old))
    edited["checks"]["1.9 gone: a renamed check"] = edited["checks"].pop(first)
    assert make.drift(fresh, edited, version) == [
        f"check without a plan: {first!r}", "plan of no check: '1.9 gone: a renamed check'"]
    edited = json.loads(json.dumps(old))
    edited["checks"][first] = edited["checks"][first][1:]
    assert make.drift(fresh, edited, version) == [f"other examples: {first!r}"]
    assert make.drift(fresh, edited, "0.0.1") == []  # another version: only checks compared
    assert make.drift(fresh, None, version) == ["no plan file"]


def test_hidden_examples_live_with_the_hidden_checks():
    hidden = plan.plan_path("autograder.staff.hidden_checks.a1")
    assert hidden.parent.parent == REPO_ROOT / "autograder" / "staff" / "hidden_checks"
    visible = json.loads((REPO_ROOT / "autograder/checks/plans/a1.json").read_text())["checks"]
    assert not set(visible) & set(json.loads(hidden.read_text())["checks"])


def test_grading_runs_no_hypothesis_engine(monkeypatch):
    """The version is irrelevant by construction: grading replays plans and never runs
    hypothesis's engine (poisoned here); the results are those of an ordinary grading."""
    from hypothesis.internal.conjecture import engine

    ordinary = grade_submission(REFERENCE, only=["a1", "a3"]).to_dict()

    def poisoned(*args, **kwargs):
        raise AssertionError("grading ran hypothesis's engine")

    monkeypatch.setattr(engine.ConjectureRunner, "__init__", poisoned)
    replayed = grade_submission(REFERENCE, only=["a1", "a3"]).to_dict()
    assert without_timing(replayed) == without_timing(ordinary)
    assert replayed["score"] == replayed["max_score"]


CORPUS_ENTRIES = entries(CORPUS / "buggy") + entries(CORPUS / "alternative")


def verdicts(result: dict) -> list:
    """Every check's pass or fail, and every task's score."""
    return [(t["task"], t.get("score"), [(c["name"], c["passed"]) for c in t["checks"]])
            for a in result["assignments"] for t in a["tasks"]]


@pytest.mark.slow
@pytest.mark.parametrize("entry", CORPUS_ENTRIES, ids=lambda e: f"{e.path.parent.name}/{e.name}")
def test_stored_plans_and_live_drawing_grade_alike(entry, tmp_path, monkeypatch):
    """Identical results, messages included; for an entry whose bug IS unseeded randomness
    (its message names whatever differed between two of its own calls, which varies from run
    to run whatever the examples), the verdicts and scores."""
    submission = materialize(entry, REFERENCE, tmp_path)
    stored = without_timing(grade_submission(submission).to_dict())
    monkeypatch.setenv(plan.LIVE_ENV, "live")
    live = without_timing(grade_submission(submission).to_dict())
    if "unseeded" in entry.description:
        assert verdicts(live) == verdicts(stored)
    else:
        assert live == stored


def _other_hypothesis(tmp_path: Path) -> Path:
    """A folder holding the other hypothesis release, unpacked from its wheel."""
    wheel = os.environ.get("BPLAB_OTHER_HYPOTHESIS", "")
    if not wheel:
        wheel = _download_other_hypothesis(tmp_path / "wheel")
    if not Path(wheel).is_file():
        pytest.skip(f"no other hypothesis release: {wheel} (see the module docstring)")
    folder = tmp_path / "other-hypothesis"
    zipfile.ZipFile(wheel).extractall(folder)
    return folder


def _download_other_hypothesis(folder: Path) -> str:
    """The wheel of the newest hypothesis release other than this one, from the configured
    package index; else why there is none."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
         "-d", str(folder), f"hypothesis!={hypothesis.__version__}"],
        capture_output=True, text=True, timeout=300, check=False)
    wheels = sorted(folder.glob("hypothesis-*.whl")) if folder.is_dir() else []
    if done.returncode != 0 or not wheels:
        return "pip download failed: " + (done.stderr.strip().splitlines() or ["no wheel"])[-1]
    return str(wheels[0])


def _grade(submission: Path, out: Path, pythonpath: str) -> tuple[str, dict]:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    env.pop(plan.LIVE_ENV, None)
    code = ("import sys, hypothesis; from autograder.cli import main;"
            " print(hypothesis.__version__); sys.exit(main(sys.argv[1:]))")
    done = subprocess.run(
        [sys.executable, "-c", code, "grade", str(submission), "--quiet", "--results", str(out)],
        capture_output=True, text=True, env=env, cwd=out.parent, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.split("\n", 1)[0], json.loads(out.read_text())


def _drawn(pythonpath: str) -> str:
    """The examples this hypothesis draws for a1's visible checks (what a plan would hold)."""
    code = ("from autograder.staff import plans; import json;"
            " print(json.dumps(plans.draw_module('autograder.checks.a1').checks))")
    env = {**os.environ, "PYTHONPATH": pythonpath}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=600, check=True).stdout


@pytest.mark.slow
def test_the_same_results_json_under_two_hypothesis_versions(tmp_path):
    other = _other_hypothesis(tmp_path)
    buggy = next(e for e in entries(CORPUS / "buggy") if e.name == "a1_update_on_correct_points")
    submissions = [REFERENCE, materialize(buggy, REFERENCE, tmp_path / "subs")]
    here_path = str(REPO_ROOT)
    other_path = os.pathsep.join([str(other), str(REPO_ROOT)])
    for i, submission in enumerate(submissions):
        (tmp_path / f"here{i}").mkdir()
        (tmp_path / f"other{i}").mkdir()
        version_here, here = _grade(submission, tmp_path / f"here{i}" / "r.json", here_path)
        version_other, there = _grade(submission, tmp_path / f"other{i}" / "r.json", other_path)
        assert version_here == hypothesis.__version__ != version_other
        assert without_timing(there) == without_timing(here)
    # Releases close together may draw the very same examples (6.168.3 to 6.170.17 do, on
    # every check): the grades above are then alike whatever grading does, so say so.
    if _drawn(other_path) == _drawn(here_path):
        warnings.warn(f"hypothesis {version_other} draws a1's examples as {version_here}"
                      " does: this run shows no contrast (test_grading_runs_no_hypothesis_engine"
                      " is the proof by construction)", stacklevel=1)


# --- lazy strategies (autograder/checks/strategies.py) ----------------------------------

_LOAD_ORDER = r"""
import json, sys
{before}
from autograder.staff import plans
from autograder.checks import plan
modules = ["autograder.checks.a1", "autograder.checks.a2", "autograder.checks.a3",
           "autograder.checks.a4"]
import importlib
for name in modules:
    importlib.import_module(name)
loaded_by_import = "hypothesis" in sys.modules
same = True
for name in modules:
    module_plan = plans.draw_module(name)
    path = plan.plan_path(name)
    stored = json.loads(path.read_text())["checks"]
    same = same and all(stored[key] == examples for key, examples in module_plan.checks.items())
print(json.dumps({"hypothesis_at_import": loaded_by_import, "same": same}))
"""


@pytest.mark.parametrize("before", ["", "import hypothesis.strategies",
                                    "import hypothesis.strategies, hypothesis.extra.numpy"])
def test_the_checks_import_without_hypothesis_and_draw_their_plans_in_any_load_order(before):
    """Grading replays plans, so importing the checks must not import hypothesis (0.17 s of
    a student's `check`); drawn afterwards, or with hypothesis (part of it) loaded first by
    whoever imported it, the strategies draw exactly the stored plans."""
    done = subprocess.run([sys.executable, "-c", _LOAD_ORDER.replace("{before}", before)],
                          capture_output=True, text=True, timeout=600, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["same"], "the lazily built strategies drew other examples than the plans"
    assert found["hypothesis_at_import"] == bool(before)
