"""What a check asked the submission, kept so a failure can be reproduced and diagnosed.

``Student`` appends one CallRecord per call into the worker (arguments as sent, the plain
data that came back, or the error). The last record of a failing check is the call the
message shows as code to paste, and the one the misconception catalogue re-runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class CallRecord:
    """One call into student code: ``kind`` "call" (a function) or "graph" (A3's Value)."""

    function: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    kind: str = "call"
    result: Any = None
    returned: bool = False
    error: str = ""

    @property
    def spec(self) -> dict:
        """The graph spec of a "graph" record."""
        return self.args[0]

    @property
    def mode(self) -> str:
        """The graph mode of a "graph" record (forward, backward, local, ...)."""
        return self.args[1]


def culprit(log: list[CallRecord], functions: str = "") -> CallRecord | None:
    """The call a failing check's message is about: the last call to one of the check's own
    functions (``"Value.tanh, Value.sigmoid"`` or ``"train_perceptron"``), else the last call.

    A check may replay the student's building blocks after the failing call (error carried
    forward); the message must still show the call that failed."""
    own = {f.strip().split(".")[-1] for f in functions.split(",") if f.strip()}
    for record in reversed(log):
        name = record.function.split(".")[-1]
        if record.kind == "graph" or name in own or record.function in own:
            return record
    return log[-1] if log else None
