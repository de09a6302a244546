"""The payload GitHub Classroom's reporter action reads: one grader step's results.

``classroom-resources/autograding-grading-reporter`` takes ``runners: <step ids>`` and, for
each id, reads the environment variable ``<ID upper-cased>_RESULTS``: base64 of the JSON
``{"version": 1, "status": "pass"|"fail"|"error", "max_score": N, "tests": [{"name",
"status", "score", "message", "test_code", "filename", "line_no", "duration"}]}`` (the
shape Classroom's own graders, e.g. autograding-command-grader, write to their ``result``
output). Classroom's points are the sum of the tests' ``score`` over the runners whose
``max_score`` is not 0, out of the sum of those ``max_score``: so each task is one test
scoring its points, and a partly done task keeps its partial points.
"""

from __future__ import annotations

import base64
import json

from autograder.grade import SubmissionResult

VERSION = 1
"""The payload version Classroom's graders write and the reporter reads."""


def payload(result: SubmissionResult) -> dict:
    """The runner result of a graded submission: one test per task."""
    tests = []
    for a in result.assignments:
        for t in a.tasks:
            full = bool(t.checks) and t.passed == len(t.checks)
            first = t.first_failure().strip().splitlines()
            tests.append({
                "name": f"{a.id} task {t.task}: {t.title}",
                "status": "pass" if full else "fail",
                "score": t.score,
                "message": first[0] if first else "",
                "test_code": "",
                "filename": a.folder,
                "line_no": 0,
                "duration": round(1000 * sum(c.seconds for c in t.checks)),
            })
    status = "pass" if all(t["status"] == "pass" for t in tests) else "fail"
    return {"version": VERSION, "status": status, "max_score": result.max_score, "tests": tests}


def error_payload(reason: str) -> dict:
    """The runner result when grading could not run: status error, no points claimed."""
    return {"version": VERSION, "status": "error", "max_score": 0, "tests": [{
        "name": "Backprop Lab", "status": "error", "score": 0, "message": reason,
        "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}


def encode(data: dict) -> str:
    """Base64 of the JSON, as the reporter decodes it (Buffer.from(s, "base64"))."""
    return base64.b64encode(json.dumps(data).encode("utf-8")).decode("ascii")
