"""The files a fresh worker must fail to read come from the grading context, not from a
module of the kit that knows where the staff keep them (isolation/probes.py)."""

from __future__ import annotations

import shutil

from conftest import REFERENCE

from autograder.context import GradingContext, student_context
from autograder.isolation import probes


def _reads(targets: list[dict]) -> dict[str, str]:
    return {t["name"]: t["target"] for t in targets if t["op"] == "read"}


def test_without_a_context_only_the_checkout_reference_beside_the_kit_is_probed():
    reads = _reads(probes.targets())
    assert list(reads) == ["read the reference"]
    assert reads["read the reference"].startswith(str(REFERENCE.resolve()))


def test_the_contexts_reference_and_files_are_probed_first(tmp_path):
    copy = tmp_path / "other_reference"
    shutil.copytree(REFERENCE, copy)
    secret = tmp_path / "hidden.py"
    secret.write_text("SECRET = 1\n")
    context = GradingContext(reference=str(copy), probe_files=(str(secret),))
    reads = _reads(probes.targets(context))
    assert reads["read the reference"].startswith(str(copy.resolve()))
    assert reads["read another copy of the reference"].startswith(str(REFERENCE.resolve()))
    assert reads["read the hidden checks"] == str(secret)


def test_a_visible_only_context_still_probes_the_reference_it_dropped(tmp_path):
    copy = tmp_path / "ref"
    shutil.copytree(REFERENCE, copy)
    context = GradingContext(reference=str(copy), hidden_checks=(("a1", "x"),)).visible_only()
    assert context.reference is None and not context.include_hidden
    assert _reads(probes.targets(context))["read the reference"].startswith(str(copy.resolve()))


def test_the_students_context_probes_what_is_beside_the_kit_only():
    assert _reads(probes.targets(student_context())) == _reads(probes.targets())
