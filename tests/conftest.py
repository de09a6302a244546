"""Shared fixtures: the repository's paths and cached gradings of the bundled submissions."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE = REPO_ROOT / "reference_solution"
STUBS = REPO_ROOT / "assignments"
CORPUS = REPO_ROOT / "tests" / "corpus"


@pytest.fixture(scope="session")
def reference_result():
    """The reference solution graded once, with hidden checks."""
    from autograder.grade import grade_submission

    return grade_submission(REFERENCE)


@pytest.fixture(scope="session")
def stubs_result():
    """The generated stubs graded once, with hidden checks."""
    from autograder.grade import grade_submission

    return grade_submission(STUBS)
