"""Hidden checks: differential against the reference solution; never shipped."""

from __future__ import annotations

from pathlib import Path


def missing_inputs(explicit: str | Path | None = None) -> str:
    """Why the hidden checks cannot run here ("" when they can): they need the reference."""
    from autograder.staff import reference

    return reference.missing(explicit)


def prepare_inputs(explicit: str | Path | None = None) -> tuple[str, str]:
    """(the reference folder, "") after making it the one every hidden check loads from, or
    ("", why there is none). ``explicit``: --reference DIR, else the usual search."""
    from autograder.staff import reference

    try:
        folder = reference.locate(explicit)
    except reference.ReferenceMissing as error:
        return "", str(error)
    reference.use(folder)
    return str(folder), ""
