"""The exceptions every layer shares: the bottom of the kit, importing nothing of it.

``GradingError`` (cannot grade at all: a clear one-line message), ``NotGraded`` (a fault of
the kit or its environment, never a score) and ``SandboxExposed`` (a worker reached what it
must not) are raised by the isolation, the checks and the grading alike, so they live here
rather than in any of them (which would make the lower layers import the higher ones).
"""

from __future__ import annotations

from typing import Any

ACCEPT_ENV = "BACKPROP_LAB_ACCEPT_EXPOSURE"
REFUSAL = "the sandbox cannot hide the reference here; tell the course staff"
"""What a student reads when grading refuses (Gradescope: "not graded: " + this + detail)."""


class GradingError(Exception):
    """The grader could not grade at all (bad path, nothing to grade): a clear message."""


class NotGraded(GradingError):
    """The kit could not grade this: a fault of the grader or its environment, never of the
    submission (reference or data missing, an exception in the kit's own code, a sandbox
    that cannot hide the reference). Never turned into a score: ``grade`` exits 3,
    ``grade-all`` records an error row, Gradescope says "not graded" and why.

    ``partial`` is the result graded so far, when there is one (for the staff's diagnosis).
    """

    EXIT_STATUS = 3

    def __init__(self, reason: str, partial: Any = None) -> None:
        super().__init__(f"not graded: {reason}")
        self.reason = reason
        self.partial = partial

    def __reduce__(self):  # rebuilt from its arguments (grade --jobs sends it between processes)
        return type(self), (self.reason, self.partial)


class SandboxExposed(NotGraded):
    """A worker reached something it must not (the reference, the grader, the network)."""

    def __init__(self, exposed: list[str], isolation: str):
        super().__init__(f"{REFUSAL} (isolation {isolation}; the worker could "
                         f"{', '.join(exposed)}; {ACCEPT_ENV}=1 accepts this)")
        self.exposed, self.isolation = exposed, isolation

    def __reduce__(self):
        return type(self), (self.exposed, self.isolation)
