"""The early worker of ``autograder check`` (autograder/isolation/early_worker.py): launched
before the submission is known, handed over only when it proves what a fresh worker would,
graded exactly as a fresh worker grades, and never left running."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

from autograder import cli
from autograder.context import student_context
from autograder.isolation import early_worker, sandbox
from autograder.isolation.worker import Worker

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"

needs_bwrap = pytest.mark.skipif(sandbox.detect()[0] != "bwrap",
                                 reason="the early worker's hello is the probe only under bwrap")


def _check(monkeypatch, early: bool) -> tuple[str, list[bool]]:
    """stdout of ``check a1 --path reference_solution`` and the copy flag of every launch."""
    launches: list[bool] = []
    real_launch = Worker.launch

    def launch(self, copy=True, mode=None):
        launches.append(copy)
        return real_launch(self, copy, mode)

    monkeypatch.setattr(Worker, "launch", launch)
    if not early:
        monkeypatch.setattr(cli, "launch_early_worker", lambda: None)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["check", "a1", "--path", str(REFERENCE)]) == 0
    return out.getvalue(), launches


def _without_times(text: str) -> str:
    """The report with its one timing field ("(8.6 s; isolation ...)") blanked."""
    return re.sub(r"\(\d+(\.\d+)? s;", "(_ s;", text)


def test_check_grades_on_the_early_worker_alone_and_exactly_as_without_it(monkeypatch):
    with_early, launches = _check(monkeypatch, early=True)
    assert launches == [False], "one worker, launched early on an empty folder, did it all"
    monkeypatch.undo()
    without, plain = _check(monkeypatch, early=False)
    assert plain == [True]
    assert _without_times(with_early) == _without_times(without)


def test_nothing_is_left_running_after_check(monkeypatch):
    seen: list[Worker] = []
    real = early_worker.hand_over

    def spy(worker):
        taken = real(worker)
        seen.append(worker)
        return taken

    monkeypatch.setattr(early_worker, "hand_over", spy)
    _check(monkeypatch, early=True)
    assert seen and all(w.proc is None and w.workdir is None for w in seen)
    assert not early_worker._waiting


@needs_bwrap
def test_an_early_worker_that_proves_other_things_is_closed_not_handed_over(tmp_path):
    """Launched for the student context, offered to a worker whose context names another
    reference (so other files it must fail to read): refused, and its process is gone."""
    other = tmp_path / "reference"
    (other / "a1_perceptron").mkdir(parents=True)
    (other / "a1_perceptron" / "perceptron.py").write_text("SECRET = 1\n")
    early_worker.launch_soon(lambda: student_context(60.0))
    try:
        early_worker._wait_for_launch()
        early = early_worker._waiting["worker"]
        proc = early.proc
        assert proc is not None and proc.poll() is None
        from autograder.staff.context import staff_context

        asking = Worker(REFERENCE / "a1_perceptron",
                        context=staff_context(reference=str(other), include_hidden=True))
        assert early_worker.hand_over(asking) is False
        assert proc.wait(10) is not None  # closed, not left behind
        assert asking.proc is None  # it launches on its own, as always
    finally:
        early_worker.close_unused()


@needs_bwrap
def test_the_worker_outlives_the_call_that_launched_it(monkeypatch):
    """bwrap's --die-with-parent follows the launching THREAD: the early worker must still
    answer after its thread's launch is over (it stays alive until close_unused)."""
    early_worker.launch_soon(lambda: student_context(60.0))
    try:
        early_worker._wait_for_launch()
        worker = Worker(REFERENCE / "a1_perceptron", context=student_context(60.0))
        assert early_worker.hand_over(worker)
        got = worker.call("perceptron", "predict", np.array([1.0, -1.0]),
                          np.array([[2.0, 1.0], [1.0, 2.0]]))
        assert list(got) == [1.0, -1.0]
        worker.close()
    finally:
        early_worker.close_unused()


def test_without_bwrap_or_with_a_forced_mode_the_probe_decides(monkeypatch):
    calls: list[str] = []

    def first_worker() -> bool:
        calls.append("launched")
        return True

    monkeypatch.setenv(sandbox.FORCE_ENV, "rlimits")
    sandbox.detect.cache_clear()
    try:
        assert sandbox.detect_with(first_worker)[0] == "rlimits" and not calls
        monkeypatch.delenv(sandbox.FORCE_ENV)
        sandbox.detect.cache_clear()
        monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
        mode, reason = sandbox.detect_with(first_worker)
        assert not calls and mode != "bwrap" and "bwrap" in reason
    finally:
        monkeypatch.undo()
        sandbox.detect.cache_clear()


def test_a_first_worker_that_says_no_hello_leaves_the_choice_to_the_probe(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/usr/bin/bwrap")
    monkeypatch.setattr(sandbox, "_probe_bwrap", lambda: "bwrap probe failed: no namespaces")
    sandbox.detect.cache_clear()
    try:
        mode, reason = sandbox.detect_with(lambda: False)
        assert mode in ("uid", "rlimits") and "no namespaces" in reason
    finally:
        monkeypatch.undo()
        sandbox.detect.cache_clear()
