"""GitHub Classroom: the workflow students' repositories run, and its step summary.

``grade.yml`` is copied by ``autograder release`` to ``.github/workflows/grade.yml``; it runs
``python -m autograder.classroom.summary``, which grades the visible checks and appends the
score table to ``$GITHUB_STEP_SUMMARY``.
"""
