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
import os
import socket
from pathlib import Path

import autograder
from autograder.context import GradingContext
from autograder.errors import ACCEPT_ENV, REFUSAL, SandboxExposed

__all__ = ["ACCEPT_ENV", "REFUSAL", "SandboxExposed", "targets", "verdict"]

RESULTS_DIR_ENV = "BACKPROP_LAB_RESULTS_DIR"
"""Where the grader writes results, for the write probe (Gradescope: $ROOT/results);
default: the grading process's working directory."""

_last: dict = {}


@functools.lru_cache(maxsize=1)
def _listener() -> socket.socket:
    """A TCP socket on 127.0.0.1 that the grading process holds for its lifetime: a worker
    that connects to it could reach any local service."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def _first_module(folder: Path) -> Path | None:
    """A module of a reference folder (its first assignment's), when there is one."""
    found = sorted(folder.glob("a*/*.py")) if folder.is_dir() else []
    return found[0] if found else None


def secret_files(context: GradingContext | None) -> tuple[list[Path], list[Path]]:
    """(a module of each reference folder a worker must fail to read, the other files it must
    fail to read): the context's reference and the folders and files it names for probing
    (whoever built it knows where its secrets are), and the checkout's reference_solution/
    beside the kit, which is probed whatever the context."""
    kit = Path(autograder.__file__).resolve().parent
    roots = []
    if context is not None:
        roots += [Path(f) for f in (context.reference, *context.probe_folders) if f]
    roots.append(kit.parent / "reference_solution")
    references = [m for m in (_first_module(r.resolve()) for r in dict.fromkeys(roots)) if m]
    files = [Path(f) for f in context.probe_files] if context is not None else []
    return list(dict.fromkeys(references)), files


def targets(context: GradingContext | None = None) -> list[dict]:
    """The probes for a fresh worker: name (as a student-facing phrase), op, target. The
    files to read come from ``context`` (None: only the checkout's reference beside the kit)."""
    kit = Path(autograder.__file__).resolve().parent
    references, hidden = secret_files(context)
    found = [{"name": "read the reference" if i == 0 else "read another copy of the reference",
              "op": "read", "target": str(path)} for i, path in enumerate(references)]
    found += [{"name": "read the hidden checks" if i == 0 else "read another hidden file",
               "op": "read", "target": str(path)} for i, path in enumerate(hidden)]
    results = os.environ.get(RESULTS_DIR_ENV) or os.getcwd()
    mark = f".bplab-probe-{os.urandom(8).hex()}"  # the file a write probe leaves behind
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
