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


def tracked_files(root: Path = REPO_ROOT) -> list[str]:
    """The files a clean clone has, relative to `root`: `git ls-files` in a git work tree;
    in a copy without git (a downloaded zip), every file under `root` minus what the
    top-level .gitignore excludes (the same exclusions, so the same list for a clean copy)."""
    import subprocess

    if (root / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True,
                                check=False)
        if listed.returncode == 0:
            return [name for name in listed.stdout.decode().split("\0") if name]
    return _walk_unignored(root)


def _walk_unignored(root: Path) -> list[str]:
    """Files under root not matched by its .gitignore (plain patterns, '/'-anchored ones and
    directory patterns, '!' negations: the forms this repository's .gitignore uses)."""
    import fnmatch
    import os

    patterns = [line.strip() for line in (root / ".gitignore").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")] \
        if (root / ".gitignore").is_file() else []

    def ignored(rel: str, is_dir: bool) -> bool:
        name = rel.rsplit("/", 1)[-1]
        verdict = False  # as git: the last pattern that matches decides ("!" re-includes)
        for pattern in patterns:
            negated = pattern.startswith("!")
            pattern = pattern[1:] if negated else pattern
            if pattern.endswith("/") and not is_dir:
                continue
            pat = pattern.rstrip("/")
            if pat.startswith("/"):  # anchored; as in git, "*" never crosses a "/"
                matched = (rel.count("/") == pat.count("/") - 1
                           and fnmatch.fnmatchcase(rel, pat[1:]))
            else:
                matched = fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase(rel, pat)
            if matched:
                verdict = not negated
        return verdict

    found = []
    for here, dirs, files in os.walk(root):
        base = os.path.relpath(here, root)
        prefix = "" if base == "." else base.replace(os.sep, "/") + "/"
        dirs[:] = sorted(d for d in dirs if d != ".git" and not ignored(prefix + d, True))
        found += [prefix + f for f in sorted(files)
                  if f != ".git" and not ignored(prefix + f, False)]
    return found
