"""Staff only: never shipped to students (the release bundle omits this folder whole).

Everything that reads the reference solution or serves the course staff lives here: the
hidden checks, the reference loader, class grading, Gradescope, nbgrader, the release
bundle, the stub generator, the corpus and the demo. ``COMMANDS`` is what the ``autograder``
command adds when this package is installed; the student bundle's CLI never lists them.
"""

COMMANDS = {
    "demo": ("autograder.staff.demo", "grade the bundled example submissions"),
    "make-stubs": ("autograder.staff.stubs", "generate assignments/ from the reference"),
    "make-plans": ("autograder.staff.plans",
                   "draw and store the property checks' examples (checks/plans/)"),
    "grade-all": ("autograder.staff.batch",
                  "grade a class: parallel, resumable, SQLite gradebook, CSV"),
    "release": ("autograder.staff.release",
                "write the student bundle (no reference, no hidden checks)"),
    "gradescope": ("autograder.staff.gradescope", "build the Gradescope autograder zip"),
    "nbgrader": ("autograder.staff.nbgrader_course",
                 "nbgrader course: build it, or push grades into it"),
    "report": ("autograder.staff.class_report_html",
               "what the class got wrong: terminal summary, HTML page"),
    "similarity": ("autograder.staff.similarity",
                   "pairwise code similarity (copydetect), starter code ignored"),
    "export-lms": ("autograder.staff.lms", "grades as a Canvas or Moodle import CSV"),
}
"""Command name -> (module with add_arguments(parser) and run(args), help line)."""
