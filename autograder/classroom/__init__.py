"""GitHub Classroom: the workflow students' repositories run, and its step summary.

``classroom.yml`` is copied by ``autograder release`` to ``.github/workflows/classroom.yml``;
it runs ``python -m autograder.classroom.summary``, which grades the visible checks, appends
the score table to ``$GITHUB_STEP_SUMMARY`` and the per-task points (``reporter``) to
``$GITHUB_OUTPUT``, which Classroom's reporter action turns into the dashboard's points.
"""
