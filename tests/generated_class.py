"""A small generated class for the class report, similarity and LMS export tests.

Every student hands in a1 and a2 (the reference's folders, notebooks left out), changed
by one corpus patch: copies of the reference, buggy entries, two independently written
correct solutions (the corpus's alternatives), two near-copies of one more alternative with
its variables renamed, and one student whose grading fails (``CRASH_STUDENT``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from autograder.staff.corpus import read_entry

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
CORPUS = REPO / "tests" / "corpus"
FOLDERS = ("a1_perceptron", "a2_gradient_descent")
SCOPE = ["a1", "a2"]

BUGGY = (
    "a1_learning_rate_half",
    "a1_predict_zero_is_positive",
    "a1_update_sign_flipped_reused",
    "a2_gradient_ascent",
    "a2_one_sided_difference",
)
ALTERNATIVES = ("a1_loops", "a1_other_forms")
"""Two correct solutions written independently of each other: they share starter code only."""
COPIED = "a2_loops"
"""The alternative two students copy from one another (each renaming variables its own way)."""
RENAMES = {
    "copy_one": {"grad": "gradient", "old": "saved", "plus": "f_plus", "minus": "f_minus",
                 "worst": "largest", "columns": "cols", "trajectory": "path", "values": "fs"},
    "copy_two": {"grad": "g_num", "old": "keep", "plus": "up", "minus": "down",
                 "worst": "biggest", "columns": "parts", "trajectory": "xs", "values": "ys"},
}
"""Renamed locals only: the returned dict's keys stay (the checks read them), so the two
copies stay correct; "trajectory"/"values" are renamed as variables, not as strings."""
CRASH_STUDENT = "zz_crash"
REFERENCE_COPIES = ("ref_one", "ref_two")


def _copy_reference(student: Path) -> None:
    for folder in FOLDERS:
        shutil.copytree(REFERENCE / folder, student / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))


def _patch(student: Path, entry_path: Path, text: str | None = None) -> None:
    entry = read_entry(entry_path)
    module = student / entry.target
    patch = entry_path.read_text() if text is None else text
    module.write_text(module.read_text().rstrip() + "\n\n\n# --- student's own code ---\n" + patch)


def rename(text: str, names: dict[str, str]) -> str:
    """``text`` with each variable renamed (whole words, not inside string literals)."""
    out = []
    for part in re.split(r'("[^"]*")', text):
        if not part.startswith('"'):
            for old, new in names.items():
                part = re.sub(rf"\b{old}\b", new, part)
        out.append(part)
    return "".join(out)


def build_class(root: Path) -> Path:
    """Write the class under ``root`` (one folder per student) and return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for name in (*REFERENCE_COPIES, CRASH_STUDENT):
        _copy_reference(root / name)
    for name in BUGGY:
        _copy_reference(root / name)
        _patch(root / name, CORPUS / "buggy" / f"{name}.py")
    for name in ALTERNATIVES:
        _copy_reference(root / name)
        _patch(root / name, CORPUS / "alternative" / f"{name}.py")
    source = CORPUS / "alternative" / f"{COPIED}.py"
    for student, names in RENAMES.items():
        _copy_reference(root / student)
        _patch(root / student, source, rename(source.read_text(), names))
    return root


def crash_or_grade(path: str, only: list[str], slot: int, reference: str | None = None) -> dict:
    """The batch's real grader, except for CRASH_STUDENT, whose grading process raises (the
    one error row of the class, as a fault of the kit would leave it)."""
    from autograder.staff.grading_task import grade_one

    if Path(path).name == CRASH_STUDENT:
        raise RuntimeError("the grading process crashed (the test's stand-in for a kit fault)")
    return grade_one(path, only, slot, reference)
