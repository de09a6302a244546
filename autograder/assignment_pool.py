"""Grade the assignments of one submission concurrently: ``autograder grade --jobs N``.

Each assignment is graded by ``grade.grade_assignment`` in its own forked process (with its
own sandboxed worker, as always), because most of a grading is the trusted side's own Python
(hypothesis, the expected values), which threads would serialise on the GIL. Results come
back as plain dataclasses and are merged in the fixed assignment order, together with each
child's progress lines and what its worker measured of the sandbox, so the result (and
results.json, the console table, the feedback) is the one ``--jobs 1`` gives.

Fork, not spawn: the children inherit the parent's imported checks, context and reference
as they are, so nothing is re-imported or re-resolved and a check cannot see a different
kit. The parent forks before it starts any worker of its own, once the sandbox is detected
(``sandbox.settle``).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor

# What the forked children grade: set by the parent just before the pool forks them (the
# suites hold closures, which cannot be pickled, so the children look them up by index).
_PENDING: dict = {}


def resolve_jobs(jobs: int) -> int:
    """``--jobs``: 0 means one per usable core; negative is refused by the CLI."""
    if jobs == 0:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)
    return max(1, jobs)


def _grade_nth(index: int) -> tuple:
    """In a child: grade the index-th pending assignment; (result, progress, measured, error)."""
    from autograder.isolation import probes

    staged, chosen, kwargs = _PENDING["staged"], _PENDING["chosen"], _PENDING["kwargs"]
    grade_assignment = _PENDING["grade_one"]
    s = chosen[index]
    lines: list[str] = []
    try:
        result = grade_assignment(staged, s, progress=lines.append,
                                  notices=kwargs["notices"][index], **kwargs["common"])
    except BaseException as error:  # noqa: BLE001 - re-raised in the parent, in order
        return None, lines, probes.measured(), _portable(error)
    return result, lines, probes.measured(), None


def _portable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling (to be re-raised as itself), else a RuntimeError
    naming it: the parent must never fail on an exception it cannot unpickle."""
    try:
        return pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any exception type may come out of a check
        return RuntimeError(f"{type(error).__name__}: {error}")


def grade_concurrently(staged, chosen, jobs: int, notices: list[list[str]], grade_one,
                       progress=None, **common) -> list:
    """The AssignmentResults of ``chosen`` (in that order), graded by up to ``jobs`` forked
    processes with ``grade_one`` (grade.grade_assignment, passed in: this module is below
    grade.py); ``common`` are its keyword arguments (slot, deadline, context).

    The first assignment (in order) whose grading raised re-raises here, as --jobs 1 would;
    ``progress`` gets every line, grouped per assignment in order, once that one is done."""
    from autograder.isolation import probes, sandbox

    sandbox.settle()  # detected once, here, and inherited: no child probes bwrap again
    _PENDING.update(staged=staged, chosen=chosen, grade_one=grade_one,
                    kwargs={"notices": notices, "common": common})
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(chosen)),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            # Most checks first (A4, which trains networks, last in order, longest): a long
            # assignment started last would leave the other processes idle at the end.
            biggest_first = sorted(range(len(chosen)), key=lambda i: -len(chosen[i].checks))
            submitted = {i: pool.submit(_grade_nth, i) for i in biggest_first}
            futures = [submitted[i] for i in range(len(chosen))]
            results = []
            for future in futures:
                result, lines, measured, error = future.result()
                if progress:
                    for line in lines:
                        progress(line)
                if measured:
                    probes.remember(measured)
                if error is not None:
                    for later in futures:
                        later.cancel()
                    raise error
                results.append(result)
            return results
    finally:
        _PENDING.clear()
