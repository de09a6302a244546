"""What a check asked the submission, kept so a failure can be reproduced and diagnosed.

``Student`` appends one CallRecord per call into the worker (arguments as sent, the plain
data that came back, or the error). The last record of a failing check is the call the
message shows as code to paste, and the one the misconception catalogue re-runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
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
