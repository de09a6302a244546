"""Gradescope: build the autograder zip, and grade one submission inside Gradescope's container.

``autograder gradescope --out autograder.zip [--assignment a1]`` writes a zip holding the kit
(autograder/, reference_solution/, datasets/, pyproject.toml, README.md), ``setup.sh`` and
``run_autograder``. In the container, ``run_autograder`` runs
``python -m autograder.staff.gradescope``
which grades ``$ROOT/submission`` and always writes ``$ROOT/results/results.json``, also when
grading fails (score 0 and the reason). ``$ROOT`` is ``/autograder`` unless the environment
variable ``BACKPROP_LAB_GRADESCOPE_ROOT`` says otherwise (tests).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from autograder.grade import GradingError, NotGraded
from autograder.isolation.probes import SandboxExposed

REPO_ROOT = Path(__file__).resolve().parents[2]
ROOT_ENV = "BACKPROP_LAB_GRADESCOPE_ROOT"
DEFAULT_ROOT = Path("/autograder")
CONFIG_NAME = "gradescope.json"

KIT_ENTRIES = (
    "autograder", "reference_solution", "datasets", "pyproject.toml", "setup.py", "README.md",
)
"""What of the repository goes into the zip: the kit and its reference; never tests/ or .git."""

EXCLUDED_NAMES = {"__pycache__", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints", ".git"}
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".egg-info", ".db")

RESULTS_KEYS = {
    "score", "execution_time", "output", "output_format", "visibility", "stdout_visibility",
    "extra_data", "tests", "leaderboard",
}  # fmt: skip
"""Top-level keys of Gradescope's documented results.json; anything else is dropped."""

SEARCH_DEPTH = 3
"""Folder levels searched for assignment folders or module files in an upload: a zip of
``assignments/`` unpacks to ``submission/assignments/a1_perceptron/``; deeper is not a
layout anyone uploads on purpose."""

HIDDEN_VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULT_HIDDEN_VISIBILITY = "after_due_date"
"""When students see the hidden checks' failing inputs (Gradescope's test visibility). Until
then they see the score, the visible checks in full and, per task, how many hidden checks
failed: not the inputs, which would let them resubmit against the hidden checks."""

ZIP_DATE = (2024, 1, 1, 0, 0, 0)
"""Fixed timestamp of every zip entry, so that the same kit builds the same zip."""

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
# The kit (with its reference solution and hidden checks) stays in $SOURCE, readable by root
# only; the venv holds the interpreter and the kit's dependencies (numpy, ...), readable by
# the workers' slot uids, and never a copy of the kit.
set -euxo pipefail
SOURCE="$(cd "$(dirname "$0")" && pwd)"
ROOT="${BACKPROP_LAB_GRADESCOPE_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
APT="${BACKPROP_LAB_APT:-apt-get}"   # tests set it to "true": never touch the test machine
if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    "$APT" update
    "$APT" install -y python3 python3-pip python3-venv
fi
# bubblewrap gives the strongest sandbox where it can start (not in Docker's default profile);
# without it the workers use Landlock + seccomp + a slot uid.
command -v bwrap >/dev/null || "$APT" install -y bubblewrap || true
umask 022
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
"$ROOT/venv/bin/python" -m pip install "$SOURCE"          # the dependencies ...
"$ROOT/venv/bin/python" -m pip uninstall -y backprop-lab   # ... but not the kit itself
rm -rf "$SOURCE/build" "$SOURCE"/*.egg-info
cd "$SOURCE"
PYTHONPATH="$SOURCE" "$ROOT/venv/bin/python" -c \\
    'import autograder, numpy, hypothesis; print("Backprop Lab installed")'
chmod 0755 "$ROOT"
chmod -R go-rwx "$SOURCE"
chmod 0700 "$SOURCE"
mkdir -p "$ROOT/results"
chmod 0755 "$ROOT/results"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade $ROOT/submission into $ROOT/results.
set -u
ROOT="${BACKPROP_LAB_GRADESCOPE_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="${BACKPROP_LAB_PYTHON:-}"
if [ -z "$PYTHON" ]; then
    if [ -x "$ROOT/venv/bin/python" ]; then PYTHON="$ROOT/venv/bin/python"; else PYTHON=python3; fi
fi
mkdir -p "$ROOT/results"
# The kit's own copy, with its reference_solution/ beside it, wins over any installed copy.
export PYTHONPATH="$SOURCE${PYTHONPATH:+:$PYTHONPATH}"
export BACKPROP_LAB_REFERENCE="$SOURCE/reference_solution"
export BACKPROP_LAB_RESULTS_DIR="$ROOT/results"   # the workers' probes must fail to write it
cd "$SOURCE"
"$PYTHON" -m autograder.staff.gradescope --root "$ROOT"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
    # The grader could not even start: still give Gradescope a valid results.json.
    cat > "$ROOT/results/results.json" <<EOF
{"score": 0.0, "tests": [], "visibility": "visible", "stdout_visibility": "visible",
 "output": "The autograder could not start (exit status $status): not graded; tell the staff."}
EOF
fi
exit 0
"""


# --------------------------------------------------------------------------- building the zip


def _excluded(path: Path) -> bool:
    return any(part in EXCLUDED_NAMES or part.endswith(EXCLUDED_SUFFIXES) for part in path.parts)


def _add_text(archive: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, text)


def kit_files(repo_root: Path = REPO_ROOT) -> list[Path]:
    """Every file of the kit that goes into the zip, relative to ``repo_root``, sorted."""
    files = []
    for entry in KIT_ENTRIES:
        path = repo_root / entry
        if path.is_file():
            files.append(Path(entry))
        elif path.is_dir():
            files += [
                p.relative_to(repo_root)
                for p in path.rglob("*")
                if p.is_file() and not _excluded(p.relative_to(repo_root))
            ]
    return sorted(files)


def build_zip(out: Path, repo_root: Path = REPO_ROOT, assignments: list[str] | None = None,
              hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY,
              reference: Path | None = None) -> int:
    """Write the Gradescope autograder zip; returns the number of entries. ``reference``
    (``--reference DIR``) is packed as the zip's reference_solution/ instead of the checkout's."""
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise GradingError(f"--hidden-visibility {hidden_visibility!r}: choose from "
                           f"{', '.join(HIDDEN_VISIBILITIES)}.")
    repo_root = Path(repo_root)
    if reference is not None:
        from autograder.staff.reference import ReferenceMissing, locate

        try:
            reference = locate(reference)
        except ReferenceMissing as error:
            raise GradingError(f"--reference: {error}") from None
    elif not (repo_root / "reference_solution").is_dir():
        raise GradingError(
            f"{repo_root}/reference_solution is missing: the Gradescope zip needs the reference"
            " (hidden checks). Build it from the instructor's checkout, not a student bundle."
        )
    files = kit_files(repo_root)
    sources = {rel: repo_root / rel for rel in files}
    if reference is not None:
        sources = {rel: path for rel, path in sources.items()
                   if rel.parts[0] != "reference_solution"}
        for path in sorted(reference.rglob("*")):
            rel = Path("reference_solution") / path.relative_to(reference)
            if path.is_file() and not _excluded(rel):
                sources[rel] = path
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        for rel in sorted(sources):
            _add_text_bytes(archive, rel.as_posix(), sources[rel].read_bytes())
        if not (repo_root / "README.md").is_file():  # pyproject.toml names it: pip needs it
            _add_text(archive, "README.md", "# Backprop Lab (Gradescope autograder)\n")
        _add_text(archive, "setup.sh", SETUP_SH, executable=True)
        _add_text(archive, "run_autograder", RUN_AUTOGRADER, executable=True)
        config = {"assignments": sorted(assignments) if assignments else None,
                  "hidden_visibility": hidden_visibility}
        _add_text(archive, CONFIG_NAME, json.dumps(config, indent=2) + "\n")
        return len(archive.namelist())


def _add_text_bytes(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16
    archive.writestr(info, data)


# --------------------------------------------------------------------------- in the container


def _known() -> tuple[dict[str, str], dict[str, str]]:
    """(folder -> module file, module file -> folder) of every assignment."""
    from autograder.checks import suite

    pairs = [(s.assignment.folder, f"{s.assignment.module}.py") for s in suite(False)]
    return dict(pairs), {module: folder for folder, module in pairs}


def _walk(root: Path, depth: int = SEARCH_DEPTH):
    """Paths under ``root`` up to ``depth`` levels, shallowest first; macOS debris skipped."""
    level = [root]
    for _ in range(depth):
        following = []
        for directory in level:
            for path in sorted(directory.iterdir()):
                if path.name in EXCLUDED_NAMES or path.name in {"__MACOSX", ".DS_Store"}:
                    continue
                yield path
                if path.is_dir() and not path.is_symlink():
                    following.append(path)
        level = following


def stage_submission(upload: Path, dest: Path) -> list[str]:
    """Lay ``upload`` out like assignments/ in ``dest``; returns what was placed where.

    Accepts assignment folders (at any of the first levels) and loose module files
    (``perceptron.py`` goes to ``a1_perceptron/``, with the .py files beside it).
    """
    folders, modules = _known()
    if not upload.is_dir():
        raise GradingError(f"no submission found at {upload}.")
    notes: list[str] = []
    dest.mkdir(parents=True, exist_ok=True)
    for path in _walk(upload):
        rel = path.relative_to(upload).as_posix()
        if path.is_symlink() or not (path.is_dir() or stat.S_ISREG(path.lstat().st_mode)):
            continue  # links and special files are never followed or opened
        if path.is_dir() and path.name in folders and not (dest / path.name).exists():
            # symlinks=True: a link inside stays a link, and grading's intake refuses it
            shutil.copytree(
                path, dest / path.name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
            notes.append(f"{rel}/ -> {path.name}/")
        elif path.is_file() and path.name in modules and path.parent.name not in folders:
            folder = dest / modules[path.name]
            if folder.exists():
                continue  # a folder upload of the same assignment wins
            folder.mkdir()
            for sibling in sorted(path.parent.glob("*.py")):
                if sibling.is_symlink() or not stat.S_ISREG(sibling.lstat().st_mode):
                    continue
                if sibling.name == path.name or sibling.name not in modules:
                    shutil.copy2(sibling, folder / sibling.name)
            notes.append(f"{rel} -> {modules[path.name]}/{path.name}")
    if not notes:
        uploaded = [p.relative_to(upload).as_posix() for p in _walk(upload) if p.is_file()]
        expected = ", ".join(sorted(modules))
        raise GradingError(
            "no assignment file found in your upload"
            f" (got: {', '.join(uploaded[:10]) or 'nothing'}). Upload {expected}"
            " (file names as in the stubs), or the assignment folders."
        )
    return notes


def failure_results(message: str, seconds: float, not_graded: bool = False) -> dict:
    """A valid results.json that says what went wrong: score 0 (Gradescope needs a number),
    and, for a fault of the grader, ``extra_data.not_graded`` so staff can find those."""
    data = {
        "score": 0.0,
        "execution_time": round(seconds, 3),
        "output": message if not_graded else f"Grading failed: {message}",
        "visibility": "visible",
        "stdout_visibility": "visible",
        "tests": [],
    }
    if not_graded:
        data["extra_data"] = {"not_graded": message}
    return data


def grade_in_container(root: Path) -> dict:
    """Grade ``root/submission``; the results.json dict (never raises)."""
    from autograder.grade import grade_submission
    from autograder.report import gradescope_results
    from autograder.staff.context import staff_context

    started = time.monotonic()
    try:
        config_file = root / "source" / CONFIG_NAME
        config = json.loads(config_file.read_text()) if config_file.is_file() else {}
        with tempfile.TemporaryDirectory(prefix="backprop-lab-submission-") as tmp:
            staged = Path(tmp) / "submission"
            notes = stage_submission(root / "submission", staged)
            # The staff context by value: in the container the kit runs from PYTHONPATH,
            # uninstalled, so no entry point could name the hidden checks.
            result = grade_submission(
                staged, staff_context(), only=config.get("assignments") or None
            )
        result.submission = "your submission"
        data = {k: v for k, v in gradescope_results(result).items() if k in RESULTS_KEYS}
        visibility = config.get("hidden_visibility", DEFAULT_HIDDEN_VISIBILITY)
        data["tests"] = split_tests(result, visibility)
        data["output"] = (data.get("output", "") + "\nFiles graded: " + "; ".join(notes)).strip()
        return data
    except NotGraded as error:
        exposed = isinstance(error, SandboxExposed)  # its message already says whom to tell
        return failure_results(
            str(error) if exposed else f"{error}; tell the course staff (this is not your score).",
            time.monotonic() - started,
            not_graded=True,
        )
    except GradingError as error:
        return failure_results(str(error), time.monotonic() - started)
    except Exception as error:  # noqa: BLE001 -- a results.json must be written whatever happens
        detail = traceback.format_exc(limit=-4)
        print(detail, file=sys.stderr)
        return failure_results(
            f"internal error in the autograder ({type(error).__name__}: {error}); please tell the"
            " course staff.",
            time.monotonic() - started,
        )


def _part(task, checks: list, suffix: str, output: str, visibility: str) -> dict:
    """One Gradescope test for some of a task's checks: their share of the task's points."""
    total = len(task.checks)
    passed = sum(c.passed for c in checks)
    return {
        "name": f"{task.task} {task.title}{suffix}",
        "number": task.task,
        "score": round(task.max_points * passed / total, 4),
        "max_score": round(task.max_points * len(checks) / total, 4),
        "status": "passed" if passed == len(checks) else "failed",
        "output": output,
        "visibility": visibility,
        "tags": [task.assignment],
    }


def split_tests(result, hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY) -> list[dict]:
    """results.json tests: per task, the visible checks in full; the hidden checks as a count
    of failures (always visible: it carries their points); and, when some failed, their
    failing inputs in a 0-point test shown only under ``hidden_visibility``."""
    from dataclasses import replace

    from autograder.report import task_feedback

    tests = []
    for a in result.assignments:
        for t in a.tasks:
            if not t.checks:  # not submitted, or not importable: the reason, no inputs
                tests.append({"name": f"{t.task} {t.title}", "number": t.task, "score": 0.0,
                              "max_score": t.max_points, "status": "failed",
                              "output": t.note, "visibility": "visible", "tags": [a.id]})
                continue
            shown = [c for c in t.checks if not c.hidden]
            hidden = [c for c in t.checks if c.hidden]
            if shown:
                done = sum(c.passed for c in shown)
                feedback = task_feedback(replace(t, checks=shown))
                tests.append(_part(t, shown, "", f"{done} of {len(shown)} checks passed."
                                   + ("\n\n" + feedback if feedback else ""), "visible"))
            if hidden:
                failed = sum(not c.passed for c in hidden)
                tests.append(_part(t, hidden, " (hidden checks)",
                                   f"{failed} of {len(hidden)} hidden checks failed.", "visible"))
                if failed:
                    detail = task_feedback(replace(t, checks=hidden))
                    tests.append({"name": f"{t.task} {t.title} (hidden checks in full)",
                                  "number": t.task, "score": 0.0, "max_score": 0.0,
                                  "status": "failed", "output": detail,
                                  "visibility": hidden_visibility, "tags": [a.id]})
    return tests


def write_results(root: Path, data: dict) -> Path:
    """Write results.json atomically (a half-written file is never left behind)."""
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    partial = results.with_suffix(".json.partial")
    partial.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(partial, results)
    return results


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.staff.gradescope [--root ROOT]``: what run_autograder calls."""
    parser = argparse.ArgumentParser(prog="python -m autograder.staff.gradescope")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_ENV, DEFAULT_ROOT)))
    args = parser.parse_args(argv)
    data = grade_in_container(args.root)
    path = write_results(args.root, data)
    print(f"score {data['score']:.2f}: {path}")
    return 0


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="zip to write")
    parser.add_argument(
        "--assignment",
        action="append",
        metavar="aN",
        help="grade exactly these (repeatable; a missing one scores 0). Default: what is uploaded",
    )
    parser.add_argument(
        "--hidden-visibility",
        choices=HIDDEN_VISIBILITIES,
        default=DEFAULT_HIDDEN_VISIBILITY,
        help="when students see the hidden checks' failing inputs (before: only how many"
        " failed per task; the score counts them either way). Default: after_due_date",
    )
    parser.add_argument(
        "--reference", type=Path, metavar="DIR",
        help="the reference solution to pack (default: this checkout's reference_solution/)",
    )


def run(args: argparse.Namespace) -> int:
    from autograder.staff.git_guard import warn_if_unignored

    warn_if_unignored("--out", args.out)
    count = build_zip(args.out, assignments=args.assignment,
                      hidden_visibility=args.hidden_visibility, reference=args.reference)
    print(f"Gradescope autograder written to {args.out} ({count} files).")
    print("Upload it under Configure Autograder (Ubuntu base image); students upload their .py")
    print("files (e.g. perceptron.py) or their assignment folders.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
