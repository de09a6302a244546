"""Isolation verified, not assumed: what each fresh worker must fail to reach, and the verdict.

The trusted side names the targets (``targets``); the worker tries each one under its final
restrictions, before any student code runs, and reports in its hello (sandboxed/main.py).
Anything reached while hidden checks are in play refuses grading (``SandboxExposed``, a
``NotGraded``) unless the instructor accepts the exposure ($BACKPROP_LAB_ACCEPT_EXPOSURE=1),
which every result then states. ``measured()`` is what the last worker measured, the
isolation every result reports.
"""

from __future__ import annotations

import functools
import importlib
import os
import secrets
import socket
from pathlib import Path

import autograder
from autograder.errors import ACCEPT_ENV, REFUSAL, SandboxExposed
from autograder.isolation import sandbox

__all__ = ["ACCEPT_ENV", "REFUSAL", "SandboxExposed", "targets", "verdict"]

_last: dict = {}


@functools.lru_cache(maxsize=1)
def _listener() -> socket.socket:
    """A TCP socket on 127.0.0.1 that the grading process holds for its lifetime: a worker
    that connects to it could reach any local service."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def _reference_files() -> tuple[list[Path], Path | None]:
    """(a module of each reference folder on this machine that the kit knows of: the one in
    use and the checkout's, a hidden-check module) when present."""
    kit = Path(autograder.__file__).resolve().parent
    roots = [kit.parent / "reference_solution"]
    try:  # by name: shipped code never imports the reference loader (release's leak check)
        reference = importlib.import_module("autograder.staff.reference")
    except ImportError:
        reference = None
    if reference is not None:
        try:
            roots.insert(0, reference.reference_root())
        except reference.ReferenceMissing:
            pass  # visible-only grading needs no reference; the checkout's copy is probed
    references = []
    for root in dict.fromkeys(r.resolve() for r in roots):
        found = sorted(root.glob("a*/*.py")) if root.is_dir() else []
        if found:
            references.append(found[0])
    hidden = next(iter(sorted((kit / "staff" / "hidden_checks").glob("a*.py"))), None)
    return references, hidden


def targets() -> list[dict]:
    """The probes for a fresh worker: name (as a student-facing phrase), op, target."""
    kit = Path(autograder.__file__).resolve().parent
    references, hidden = _reference_files()
    found = [{"name": "read the reference" if i == 0 else "read another copy of the reference",
              "op": "read", "target": str(path)} for i, path in enumerate(references)]
    if hidden is not None:
        found.append({"name": "read the hidden checks", "op": "read", "target": str(hidden)})
    results = os.environ.get(sandbox.RESULTS_DIR_ENV) or os.getcwd()
    mark = f".bplab-probe-{secrets.token_hex(8)}"  # the file a write probe leaves behind
    found += [
        {"name": "list the kit", "op": "list", "target": str(kit)},
        {"name": "write the kit", "op": "write", "target": str(kit), "file": mark},
        {"name": "write the results directory", "op": "write", "target": results,
         "file": mark},
        {"name": "connect to 127.0.0.1", "op": "connect_local",
         "target": list(_listener().getsockname())},
        {"name": "reach the network", "op": "network", "target": None},
        {"name": "signal the grader", "op": "signal", "target": os.getpid()},
    ]
    return found


def confirm_writes(hello: dict, asked: list[dict]) -> None:
    """A write counts only when its file appeared in the REAL directory: inside bwrap, /tmp
    (say) is the sandbox's own tmpfs, so a write there reaches nothing of the grader's.
    Removes each probe file it finds; rewrites the hello's verdict in place."""
    found = hello.get("probes") if isinstance(hello.get("probes"), dict) else {}
    for probe in asked:
        if probe["op"] != "write" or found.get(probe["name"]) != "exposed":
            continue
        path = os.path.join(probe["target"], probe["file"])
        if os.path.lexists(path):
            os.unlink(path)
        else:
            found[probe["name"]] = "blocked: the write stayed in the sandbox's own view"


def mode_string(base: str, layers: dict, slot_uid: int | None) -> str:
    """'bwrap+landlock+seccomp', 'landlock+seccomp+uid', 'seccomp+uid', 'rlimits', ..."""
    parts = ["bwrap"] if base == "bwrap" else []
    if str(layers.get("landlock", "")).startswith("abi"):
        parts.append("landlock")
    if layers.get("seccomp") == "on":
        parts.append("seccomp")
    if base == "uid" and slot_uid is not None:
        parts.append("uid")
    return "+".join(parts) or "rlimits"


def verdict(hello: dict, base: str, slot_uid: int | None, guard: bool) -> str:
    """The measured isolation of a worker from its hello; raises SandboxExposed when it
    reached anything and `guard` (hidden checks in play) and the exposure is not accepted."""
    layers = hello.get("layers") if isinstance(hello.get("layers"), dict) else {}
    probes = hello.get("probes") if isinstance(hello.get("probes"), dict) else {}
    mode = mode_string(base, layers, slot_uid)
    exposed = [name for name, how in probes.items() if how == "exposed"]
    accepted = os.environ.get(ACCEPT_ENV) == "1"
    isolation = mode
    if exposed:
        isolation += (f" (EXPOSED, accepted by {ACCEPT_ENV}=1: the worker could "
                      f"{', '.join(exposed)})" if accepted
                      else f" (the worker could {', '.join(exposed)})")
    addresses = hello.get("addresses") if isinstance(hello.get("addresses"), list) else []
    _last.update(isolation=isolation, mode=mode, layers=layers, probes=probes,
                 exposed=exposed, accepted=accepted, addresses=addresses)
    if exposed and guard and not accepted:
        raise SandboxExposed(exposed, mode)
    return isolation


def measured() -> dict:
    """What the last worker of this process measured (empty before the first)."""
    return dict(_last)


def remember(what: dict) -> None:
    """Take ``what`` (another process's ``measured()``) as this process's last measurement:
    an assignment graded in a forked child (grade --jobs) reports its worker's here."""
    _last.update(what)
