"""grade-all on Dask: the grades of --jobs 1, worker and coordinator deaths, worker refusal.

Clusters are LocalClusters of worker processes on 127.0.0.1 (nothing else is ever
addressed). Real gradings are of one assignment (a1) to keep the slow tests in minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.errors import GradingError, NotGraded
from autograder.grade import CheckResult
from autograder.staff import batch
from autograder.staff.corpus import entries, materialize
from autograder.staff.gradebook import Row, iter_rows
from autograder.staff.grading_task import error_result
from autograder.staff.layout import Submission

distributed = pytest.importorskip("distributed")
cluster = pytest.importorskip("autograder.staff.cluster")

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
CORPUS = REPO / "tests" / "corpus"
TIMEOUT = 600
"""Seconds a whole run may take before a test gives up (a bound on a hang, not a timing)."""


# --------------------------------------------------------------------------- submissions


def _variants(root: Path) -> dict[str, Path]:
    """a1 submissions: the reference, two corpus bugs, a syntax error, a misnamed module, and
    one with a symbolic link and a pickle the intake refuses (its notes must travel too)."""
    def copy(name: str) -> Path:
        shutil.copytree(REFERENCE / "a1_perceptron", root / name / "a1_perceptron",
                        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
        return root / name

    variants = {"reference": copy("reference")}
    for entry in [e for e in entries(CORPUS / "buggy") if e.folder == "a1_perceptron"][:2]:
        variants[entry.name] = materialize(entry, REFERENCE, root)
    module = copy("syntax_error") / "a1_perceptron" / "perceptron.py"
    module.write_text(module.read_text() + "\ndef broken(:\n    pass\n")
    variants["syntax_error"] = root / "syntax_error"
    misnamed = copy("misnamed") / "a1_perceptron"
    (misnamed / "perceptron.py").rename(misnamed / "my_perceptron.py")
    variants["misnamed"] = root / "misnamed"
    odd = copy("odd_files") / "a1_perceptron"
    (odd / "notes.py").symlink_to(REFERENCE / "a1_perceptron" / "perceptron.py")
    (odd / "weights.pkl").write_bytes(b"\x80\x04K\x01.")
    variants["odd_files"] = root / "odd_files"
    return variants


def _class(root: Path, variants: dict[str, Path], size: int) -> dict[str, str]:
    """``size`` students cycling through the variants; student -> variant."""
    names = sorted(variants)
    plan = {f"s{i:02d}": names[i % len(names)] for i in range(size)}
    for student, variant in plan.items():
        shutil.copytree(variants[variant], root / student, symlinks=True)
    return plan


def _timeless(value):
    """A stored result without its timing fields (seconds per check and in all)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _rows(gradebook: Path) -> dict[str, Row]:
    return {row.student: row for row in iter_rows(gradebook)}


def _graded(row: Row) -> tuple:
    return (row.status, row.reason, row.score, row.max_score, row.scope,
            _timeless(json.loads(row.result_json)) | {"submission": None})


def _count(gradebook: Path) -> int:
    if not gradebook.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(scope="module")
def graded_by_jobs_1(tmp_path_factory):
    """(variant folders, their rows graded by --jobs 1): what every cluster run must equal."""
    root = tmp_path_factory.mktemp("variants")
    variants = _variants(root / "class")
    book = root / "jobs1.db"
    batch.run_batch(root / "class", book, jobs=1, only=["a1"], progress=False)
    rows = _rows(book)
    assert rows["reference"].score == rows["reference"].max_score > 0
    assert "SyntaxError" in rows["syntax_error"].result().assignments[0].note
    notices = " ".join(rows["odd_files"].result().assignments[0].notices)
    assert "symbolic link" in notices and "weights.pkl: not copied" in notices
    return variants, rows


def _grade_all(directory: Path, gradebook: Path, *options: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade-all", str(directory), "--assignment", "a1",
         "--gradebook", str(gradebook), "--no-progress", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )  # fmt: skip


def _local_cluster(n: int):
    return distributed.LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, scheduler_kwargs={"allowed_failures": 1},
    )  # fmt: skip


# --------------------------------------------------------------------------- fast


def test_without_distributed_the_options_say_how_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    for option in (["--local-cluster", "2"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        status = main(["grade-all", str(tmp_path), "--gradebook", str(tmp_path / "g.db"),
                       *option])
        err = capsys.readouterr().err
        assert status == 2, err
        assert err.count("\n") == 1 and "pip install 'backprop-lab[cluster]'" in err
        assert option[0] in err
    assert not (tmp_path / "g.db").exists()  # refused before anything


def test_cluster_options_refuse_bad_combinations(tmp_path, capsys):
    for options, words in ((["--local-cluster", "0"], "at least 1"),
                           (["--local-cluster", "2", "--jobs", "2"], "--jobs and"),
                           (["--local-cluster", "2", "--scheduler", "tcp://127.0.0.1:1"],
                            "choose one")):
        assert main(["grade-all", str(tmp_path), *options]) == 2
        assert words in capsys.readouterr().err


def test_a_packed_submission_is_the_intakes_copy_with_its_notes(tmp_path):
    src = tmp_path / "ann" / "a1_perceptron"
    (src / "sub" / "empty").mkdir(parents=True)
    (src / "perceptron.py").write_text("x = 1\n")
    (src / "sub" / "helper.py").write_text("y = 2\n")
    (src / "model.pkl").write_bytes(b"pickle")
    (src / "link.py").symlink_to(REFERENCE / "a1_perceptron" / "perceptron.py")
    package = cluster.pack(tmp_path / "ann", ["a1_perceptron", "a2_gradient_descent"])
    assert package["files"] == {"a1_perceptron/perceptron.py": b"x = 1\n",
                                "a1_perceptron/sub/helper.py": b"y = 2\n"}
    assert "a1_perceptron/sub/empty" in package["dirs"]
    notes = " ".join(package["notes"]["a1_perceptron"])
    assert "link.py is a symbolic link" in notes and "model.pkl: not copied" in notes
    out = cluster.unpack(package, tmp_path / "copy")
    assert (out / "a1_perceptron" / "sub" / "helper.py").read_text() == "y = 2\n"
    assert (out / "a1_perceptron" / "sub" / "empty").is_dir()
    private = cluster.unpack(package, tmp_path / "private", private=True)
    assert oct(private.stat().st_mode & 0o777) == "0o700"
    assert oct((private / "a1_perceptron" / "perceptron.py").stat().st_mode & 0o777) == "0o600"
    for bad in ("../escape.py", "/etc/x.py", "a1_perceptron/../../x.py"):
        with pytest.raises(GradingError, match="escapes"):
            cluster.unpack({"dirs": [], "files": {bad: b""}, "notes": {}}, tmp_path / "bad")


def test_a_workers_reply_is_checked_not_trusted():
    assert cluster.parse_reply(json.dumps({"kind": "ok", "payload": {"a": 1}})) == (
        "graded", "", {"a": 1})
    assert cluster.parse_reply(json.dumps({"kind": "error", "payload": "boom"})) == (
        "error", "boom", None)
    for hostile in (b"bytes", "not json", json.dumps([1]), json.dumps({"kind": "ok"}),
                    json.dumps({"kind": "ok", "payload": "text"}), 42):
        status, reason, result = cluster.parse_reply(hostile)
        assert status == "error" and "unreadable reply" in reason and result is None


def test_a_worker_differing_from_the_coordinator_is_refused_by_its_setup(monkeypatch):
    expected = {"kit": "9.9.9", "hypothesis": cluster.identity()["hypothesis"]}
    state = cluster.prepare(expected, None, None)
    report = state["report"]
    assert not report["usable"]
    assert report["refused"] == (f"differs from the coordinator: kit {cluster.identity()['kit']}"
                                 " here, 9.9.9 on the coordinator")


# --------------------------------------------------------------------------- LocalCluster(2)


@pytest.mark.slow  # two batches of six real gradings and a cluster start
def test_a_mixed_batch_on_a_local_cluster_grades_exactly_as_jobs_1(tmp_path, graded_by_jobs_1,
                                                                   capsys):
    variants, expected = graded_by_jobs_1
    directory = tmp_path / "class"
    for name, path in variants.items():
        shutil.copytree(path, directory / name, symlinks=True)
    def reference_copy() -> tuple:
        """On a worker: its reference copy's folder mode, file modes and where it is."""
        from autograder.staff import cluster as here

        folder = Path(here._state["reference"])
        modes = {oct(p.stat().st_mode & 0o777) for p in folder.rglob("*") if p.is_file()}
        return oct(folder.stat().st_mode & 0o777), modes, len(list(folder.rglob("*.py")))

    runner = cluster.ClusterRunner(local_workers=2)
    try:
        summary = batch.run_batch(directory, tmp_path / "g.db", only=["a1"], progress=False,
                                  runner=runner, out_dir=tmp_path / "out")
        copies = runner.client.run(reference_copy)
    finally:
        runner.close()
    modules = len(list(REFERENCE.glob("a*/*.py")))
    assert list(copies.values()) == [("0o700", {"0o600"}, modules)] * 2  # root-only, whole
    assert "grading on 2 Dask worker(s)" in capsys.readouterr().err
    assert (summary.graded, summary.errors) == (len(variants), 0)
    rows = _rows(tmp_path / "g.db")
    assert sorted(rows) == sorted(expected)
    for name in expected:
        assert _graded(rows[name]) == _graded(expected[name]), name
        assert rows[name].result().reference == str(REFERENCE.resolve())
    assert json.loads((tmp_path / "out" / "reference" / "results.json").read_text())["tests"]


@pytest.mark.slow  # twelve real gradings on a cluster of 2, one of its workers SIGKILLed
def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(tmp_path, graded_by_jobs_1):
    variants, expected = graded_by_jobs_1
    plan = _class(tmp_path / "class", variants, 12)
    book = tmp_path / "g.db"
    with _local_cluster(2) as local, distributed.Client(local) as client:
        run = _grade_all(tmp_path / "class", book, "--scheduler", local.scheduler_address)
        deadline = time.monotonic() + TIMEOUT
        pids = client.run(os.getpid)
        victim = None
        while victim is None:
            assert run.poll() is None and time.monotonic() < deadline, run.stderr.read()
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            if busy and _count(book) >= 1:
                victim = busy[0]
            else:
                time.sleep(0.1)
        os.kill(pids[victim], signal.SIGKILL)  # the worker process; its nanny restarts it
        out, err = run.communicate(timeout=TIMEOUT)
    assert run.returncode == 0, err
    assert f"{len(plan)} graded now (0 errors)" in out
    with sqlite3.connect(book) as db:
        students = [r[0] for r in db.execute("SELECT student FROM grades")]
    assert sorted(students) == sorted(plan)  # one row each
    rows = _rows(book)
    for student, variant in plan.items():
        assert _graded(rows[student]) == _graded(expected[variant]), (student, variant)


def die_or_pass_grader(path: str, only: list[str], slot: int) -> dict:
    """A stand-in grader (sent by value to the workers): SIGKILLs its own process, the Dask
    worker, for a perceptron.py saying DIE; sleeps for one saying SLEEP, waits for the
    test's gate for one saying WAIT; else every task passes."""
    text = (Path(path) / "a1_perceptron" / "perceptron.py").read_text()
    if "DIE" in text:
        os.kill(os.getpid(), signal.SIGKILL)
    if "SLEEP" in text:  # a wedged grading: far past the test's limit
        time.sleep(600)
    if "WAIT" in text:  # until the test creates the file $BPLAB_TEST_GATE names
        while not Path(os.environ["BPLAB_TEST_GATE"]).exists():
            time.sleep(0.1)
    result = error_result(Submission("x", Path(path), Path(path)), only, "")
    for a in result.assignments:
        a.note = ""
        for task in a.tasks:
            task.note, task.checks = "", [CheckResult("c", task.title, False, True)]
    return result.to_dict()


@pytest.mark.slow  # a LocalCluster whose workers die twice on one submission
def test_a_submission_whose_worker_dies_twice_is_an_error_row_and_the_rest_are_graded(
    tmp_path,
):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    directory = tmp_path / "class"
    for student, text in {"ann": "# ok\n", "bob": "# DIE\n", "cid": "# ok\n"}.items():
        (directory / student / "a1_perceptron").mkdir(parents=True)
        (directory / student / "a1_perceptron" / "perceptron.py").write_text(text)
    runner = cluster.ClusterRunner(local_workers=2)
    try:
        summary = batch.run_batch(directory, tmp_path / "g.db", only=["a1"], progress=False,
                                  runner=runner, grader=die_or_pass_grader)
    finally:
        runner.close()
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    rows = _rows(tmp_path / "g.db")
    assert sorted(rows) == ["ann", "bob", "cid"] and (summary.graded, summary.errors) == (3, 1)
    assert rows["bob"].status == "error" and rows["bob"].score == 0
    assert "died, 2 times" in rows["bob"].reason
    assert rows["ann"].score == rows["ann"].max_score > 0 and rows["cid"].status == "graded"


def _class_of(directory: Path, texts: dict[str, str]) -> None:
    for student, text in texts.items():
        (directory / student / "a1_perceptron").mkdir(parents=True)
        (directory / student / "a1_perceptron" / "perceptron.py").write_text(text)


@pytest.mark.slow  # a LocalCluster whose one grading outlives a 10 s limit
def test_a_grading_over_the_limit_is_stopped_and_recorded_once_and_the_rest_are_graded(
    tmp_path,
):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    directory = tmp_path / "class"
    _class_of(directory, {"ann": "# ok\n", "bob": "# SLEEP\n", "cid": "# ok\n", "dan": "# ok\n"})
    runner = cluster.ClusterRunner(local_workers=2, limit_seconds=10)
    started = time.monotonic()
    try:
        summary = batch.run_batch(directory, tmp_path / "g.db", only=["a1"], progress=False,
                                  runner=runner, grader=die_or_pass_grader)
    finally:
        runner.close()
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert time.monotonic() - started < 300  # not the sleeper's 600 s: a bound, not a timing
    with sqlite3.connect(tmp_path / "g.db") as db:
        students = [r[0] for r in db.execute("SELECT student FROM grades")]
    assert sorted(students) == ["ann", "bob", "cid", "dan"]  # one row each
    rows = _rows(tmp_path / "g.db")
    assert (summary.graded, summary.errors) == (4, 1)
    assert rows["bob"].status == "error" and rows["bob"].score == 0
    assert rows["bob"].reason == "grading took over 10 s; stopped."  # run_pool's words
    for student in ("ann", "cid", "dan"):
        assert rows[student].score == rows[student].max_score > 0, student


@pytest.mark.slow  # a scheduler with one good worker; a worker of another kit joins mid-batch
def test_a_refused_worker_joining_mid_batch_is_announced(tmp_path, capfd, monkeypatch):
    import cloudpickle

    gate = tmp_path / "gate"
    monkeypatch.setenv("BPLAB_TEST_GATE", str(gate))  # the workers inherit it
    directory = tmp_path / "class"
    _class_of(directory, {"ann": "# WAIT\n", "bob": "# ok\n"})
    patch = tmp_path / "patch_version.py"
    patch.write_text(PATCH_VERSION)
    announced = "refused (joined mid-batch): differs from the coordinator: kit 0.0.0-other"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    errors: list[BaseException] = []
    with _local_cluster(1) as local, distributed.Client(local) as client:
        runner = cluster.ClusterRunner(scheduler=local.scheduler_address)

        def grade() -> None:
            try:
                batch.run_batch(directory, tmp_path / "g.db", only=["a1"], progress=False,
                                runner=runner, grader=die_or_pass_grader)
            except BaseException as error:  # noqa: BLE001 -- re-raised by the test
                errors.append(error)

        coordinator = threading.Thread(target=grade)
        coordinator.start()
        other = None
        try:
            deadline = time.monotonic() + TIMEOUT
            while not any(client.processing().values()):  # ann's grading waits at the gate
                assert coordinator.is_alive() and time.monotonic() < deadline, errors
                time.sleep(0.1)
            other = subprocess.Popen(
                [str(Path(sys.executable).parent / "dask"), "worker", local.scheduler_address,
                 "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                 "--preload", str(patch)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            seen = ""
            while announced not in seen:
                assert coordinator.is_alive() and time.monotonic() < deadline, (errors, seen)
                seen += capfd.readouterr().err
                time.sleep(0.2)
            gate.touch()  # ann's grading may finish now
            coordinator.join(TIMEOUT)
        finally:
            gate.touch()
            coordinator.join(TIMEOUT)
            runner.close()
            cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
            if other is not None:
                other.terminate()
                other.wait(timeout=60)
    assert not errors and not coordinator.is_alive(), errors
    assert seen.count(announced) == 1
    rows = _rows(tmp_path / "g.db")
    assert sorted(rows) == ["ann", "bob"] and all(r.status == "graded" for r in rows.values())


@pytest.mark.slow  # a coordinator (and its LocalCluster) SIGKILLed, then the rerun
def test_a_coordinator_killed_mid_batch_resumes_without_grading_twice(tmp_path,
                                                                      graded_by_jobs_1):
    variants, expected = graded_by_jobs_1
    plan = _class(tmp_path / "class", variants, 12)
    book = tmp_path / "g.db"
    first = _grade_all(tmp_path / "class", book, "--local-cluster", "2",
                       start_new_session=True)
    deadline = time.monotonic() + TIMEOUT
    while _count(book) < 3 and first.poll() is None:
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)  # the coordinator and every process of its cluster
    first.communicate()
    before = _count(book)
    assert 3 <= before < len(plan), "the kill must land mid-batch"

    second = _grade_all(tmp_path / "class", book, "--local-cluster", "2")
    out, err = second.communicate(timeout=TIMEOUT)
    assert second.returncode == 0, err
    assert f"{len(plan) - before} graded now" in out and f"{before} already recorded" in out
    rows = _rows(book)
    assert sorted(rows) == sorted(plan)
    for student, variant in plan.items():
        assert _graded(rows[student]) == _graded(expected[variant]), (student, variant)


PATCH_VERSION = """\
import autograder
autograder.__version__ = "0.0.0-other"  # this worker reports another kit
"""


@pytest.mark.slow  # a scheduler with a worker of another kit version, then a good one
def test_a_worker_with_another_kit_version_is_refused(tmp_path, graded_by_jobs_1):
    variants, expected = graded_by_jobs_1
    directory = tmp_path / "class"
    shutil.copytree(variants["reference"], directory / "ann")
    patch = tmp_path / "patch_version.py"
    patch.write_text(PATCH_VERSION)
    book = tmp_path / "g.db"
    with _local_cluster(0) as local, distributed.Client(local) as client:
        other = subprocess.Popen(
            [str(Path(sys.executable).parent / "dask"), "worker", local.scheduler_address,
             "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
             "--preload", str(patch)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            client.wait_for_workers(1, timeout=120)
            alone = _grade_all(directory, book, "--scheduler", local.scheduler_address)
            out, err = alone.communicate(timeout=TIMEOUT)
            assert alone.returncode == NotGraded.EXIT_STATUS, out + err
            refusal = "refused: differs from the coordinator: kit 0.0.0-other here"
            assert refusal in err and "no usable Dask worker" in err
            assert _count(book) == 0  # nothing graded, nothing recorded

            local.scale(1)  # a worker of this kit joins
            client.wait_for_workers(2, timeout=120)
            mixed = _grade_all(directory, book, "--scheduler", local.scheduler_address)
            out, err = mixed.communicate(timeout=TIMEOUT)
        finally:
            other.terminate()
            other.wait(timeout=60)
    assert mixed.returncode == 0, err
    assert refusal in err and "grading on 1 Dask worker(s)" in err
    assert _graded(_rows(book)["ann"]) == _graded(expected["reference"])
