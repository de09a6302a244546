"""The HTML feedback of the four assignments, a failing and a passing submission each, shown
in a real headless browser (Debian's chromium) and saved as screenshots.

Set BACKPROP_LAB_SCREENSHOTS=DIR to keep the PNGs (and the HTML) for a person to look at;
otherwise they go to pytest's temporary directory. Skipped, saying why, without chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS, REFERENCE

from autograder.grade import SubmissionResult, grade_submission
from autograder.report import write_feedback
from autograder.staff.corpus import materialize, read_entry

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="headless chromium is not installed (Debian:"
                       " apt-get install -y chromium); the screenshots need a real browser"),
]

FAILING = {  # assignment -> a realistic buggy submission of the corpus
    "a1": "a1_boundary_not_a_mistake",
    "a2": "a2_gradient_ascent",
    "a3": "a3_tanh_square_missing",
    "a4": "a4_backprop_skips_activation",
}
PICTURES = {  # assignment -> the pictures its page must show (failing, passing)
    "a1": (2, 2),  # decision boundary, mistakes per epoch
    "a2": (1, 1),  # trajectory over the contours of f
    "a3": (1, 0),  # the failing check's computation graph (none when nothing fails)
    "a4": (2, 2),  # training curve, gradient error per parameter
}
SCREENSHOT_TIMEOUT = 120
"""Seconds for chromium to start, render one page and write the PNG (about 2 s here)."""


def _screenshot(html: Path, png: Path, profile: Path) -> None:
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", f"--screenshot={png}",
         "--window-size=1200,2000", html.resolve().as_uri()],
        check=True, capture_output=True, timeout=SCREENSHOT_TIMEOUT,
    )


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    chosen = os.environ.get("BACKPROP_LAB_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def reference_graded():
    return grade_submission(REFERENCE)


@pytest.mark.parametrize("assignment", list(FAILING))
def test_feedback_pages_render_in_a_browser(assignment, reference_graded, out_dir, tmp_path):
    entry = read_entry(CORPUS / "buggy" / f"{FAILING[assignment]}.py")
    failing = grade_submission(materialize(entry, REFERENCE, tmp_path), only=[assignment])
    passing = SubmissionResult(
        "reference_solution",
        [a for a in reference_graded.assignments if a.id == assignment],
        reference_graded.seconds, reference_graded.isolation)
    for kind, result, expected_svgs in (("failing", failing, PICTURES[assignment][0]),
                                        ("passing", passing, PICTURES[assignment][1])):
        html = out_dir / f"{assignment}_{kind}.html"
        write_feedback(result, html)
        text = html.read_text()
        # One self-contained file: nothing fetched from anywhere.
        assert not re.search(r"""\b(src|href)\s*=|<link|@import|url\((?!#)""", text), html
        assert text.count("<svg") == expected_svgs, (html, text.count("<svg"))
        png = out_dir / f"{assignment}_{kind}.png"
        _screenshot(html, png, tmp_path / f"profile_{kind}")
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, png
        if kind == "passing":
            assert "Nothing to fix" in text
        else:
            assert "What to fix" in text and "diagnosis:" in text
