"""The staff subcommands of ``autograder``, each registered in pyproject.toml under the entry
point group ``backprop_lab.commands`` (name = "autograder.staff.commands:<object>").

The core's CLI finds them through that group (``context.registered``) and names no module
of this package; the student bundle's pyproject has no such table (release strips it), so
its CLI lists the student commands only, by construction.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """A subcommand: the module with ``add_arguments(parser)`` and ``run(args)``, its help."""

    module: str
    help: str


demo = Command("autograder.staff.demo", "grade the bundled example submissions")
make_stubs = Command("autograder.staff.stubs", "generate assignments/ from the reference")
make_plans = Command("autograder.staff.plans",
                     "draw and store the property checks' examples (checks/plans/)")
grade_all = Command("autograder.staff.batch",
                    "grade a class: parallel, resumable, SQLite gradebook, CSV")
release = Command("autograder.staff.release",
                  "write the student bundle (no reference, no hidden checks)")
gradescope = Command("autograder.staff.gradescope", "build the Gradescope autograder zip")
nbgrader = Command("autograder.staff.nbgrader_course",
                   "nbgrader course: build it, or push grades into it")
report = Command("autograder.staff.class_report_html",
                 "what the class got wrong: terminal summary, HTML page")
similarity = Command("autograder.staff.similarity",
                     "pairwise code similarity (copydetect), starter code ignored")
export_lms = Command("autograder.staff.lms", "grades as a Canvas or Moodle import CSV")
