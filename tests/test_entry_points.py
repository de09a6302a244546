"""The core finds the staff side through the entry points pyproject.toml declares: the
commands (backprop_lab.commands) and the context's package (hub_guard), installed or not."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from autograder import cli, hub_guard

ROOT = Path(__file__).resolve().parents[1]


def _declared(group: str) -> dict[str, str]:
    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][group]


def test_every_declared_command_is_on_the_command_line():
    declared = _declared(cli.COMMANDS_GROUP)
    assert {"grade-all", "release", "make-stubs", "demo"} <= set(declared)
    found = cli.registered_commands()
    assert list(found) == list(dict.fromkeys(found))  # one entry per name
    assert set(found) == set(declared)
    parser_choices = cli.build_parser()._subparsers._group_actions[0].choices
    assert set(declared) | {"grade", "check"} == set(parser_choices)


def test_an_uninstalled_checkout_still_lists_them(monkeypatch):
    """From PYTHONPATH (Gradescope's container) no metadata is installed: the pyproject's
    table stands in."""
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [])
    assert set(cli.registered_commands()) == set(_declared(cli.COMMANDS_GROUP))


def test_a_command_whose_module_is_absent_is_left_out(monkeypatch):
    point = importlib.metadata.EntryPoint("ghost", "no_such_package.commands:ghost",
                                          cli.COMMANDS_GROUP)
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [point])
    found = cli.registered_commands()
    assert "ghost" not in found and "release" in found  # the pyproject's still load


def test_the_hub_guard_looks_for_the_registered_contexts_package(monkeypatch):
    (value,) = _declared("backprop_lab.context").values()
    assert hub_guard.registered_packages() == [value.partition(":")[0].rpartition(".")[0]]
    monkeypatch.setattr(hub_guard, "registered_packages", lambda: [])
    assert hub_guard.staff_reachable() is None  # nothing registered: nothing to warn about
