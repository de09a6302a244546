"""``autograder make-plans [--check]``: draw and store every property check's examples.

Each module of checks (the visible ``autograder.checks.aN`` and the hidden
``autograder.staff.hidden_checks.aN``) gets one plan file beside it (see
autograder/checks/plan.py): for every ``for_all`` check, the examples hypothesis draws from
its strategy, smallest first. ``--check`` reports a stale plan (a check added, removed,
renamed, or whose strategy now draws other examples) and exits 1, like ``make-stubs
--check``. Run it after changing a strategy or a check's name; commit the plans.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.checks import ASSIGNMENT_MODULES
from autograder.checks import plan as plans

FORMAT = 1
MODULES = tuple(f"autograder.checks.{a}" for a in ASSIGNMENT_MODULES) + tuple(
    f"autograder.staff.hidden_checks.{a}" for a in ASSIGNMENT_MODULES
)
"""Every module of checks the kit grades with, visible first."""


class PlanDrift(ValueError):
    """Two checks of one module share a key: the plan could not tell them apart."""


@dataclass(frozen=True)
class ModulePlan:
    """The plan of one module of checks: its file and its checks' encoded examples."""

    module: str
    path: Path
    checks: dict[str, list]


def property_checks(module_name: str) -> list[tuple[str, plans.PlanSpec]]:
    """(key, spec) of every for_all check the module registers, in registry order."""
    module = importlib.import_module(module_name)
    found: list[tuple[str, plans.PlanSpec]] = []
    for check in module.CHECKS:
        spec = getattr(check.run, "plan", None)
        if isinstance(spec, plans.PlanSpec):
            key = plans.check_key(check.task, check.function, check.name)
            if any(key == k for k, _ in found):
                raise PlanDrift(f"{module_name}: two checks are both {key!r}; rename one")
            found.append((key, spec))
    return found


def draw_module(module_name: str) -> ModulePlan:
    """The plan of one module, drawn now with this process's hypothesis."""
    checks = {
        key: [plans.to_plain(e) for e in plans.draw_examples(spec.strategy, spec.max_examples)]
        for key, spec in property_checks(module_name)
    }
    path = plans.plan_path(module_name)
    if path is None:
        raise PlanDrift(f"{module_name} has no file to put a plan beside")
    return ModulePlan(module_name, path, checks)


def render(module_plan: ModulePlan, hypothesis_version: str) -> str:
    """The plan file's text: compact JSON, one check per line (reviewable diffs)."""
    lines = [f'{{"format":{FORMAT},"hypothesis":{json.dumps(hypothesis_version)},"checks":{{']
    items = list(module_plan.checks.items())
    for i, (key, examples) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"{json.dumps(key)}:{plans.dumps(examples)}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def stored(path: Path) -> dict | None:
    """The plan file as stored (None if absent or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def drift(module_plan: ModulePlan, old: dict | None, hypothesis_version: str) -> list[str]:
    """What differs between a freshly drawn plan and the stored one (empty: up to date).

    Drawn with another hypothesis version the examples may differ for that reason alone:
    then only the checks (keys) are compared, and the note says so."""
    if old is None or not isinstance(old.get("checks"), dict):
        return ["no plan file"]
    new_keys, old_keys = list(module_plan.checks), list(old["checks"])
    found = [f"check without a plan: {k!r}" for k in new_keys if k not in old["checks"]]
    found += [f"plan of no check: {k!r}" for k in old_keys if k not in module_plan.checks]
    if old.get("hypothesis") != hypothesis_version:
        return found
    found += [
        f"other examples: {k!r}" for k in new_keys
        if k in old["checks"]
        and plans.dumps(old["checks"][k]) != plans.dumps(module_plan.checks[k])
    ]
    return found


def make_plans(check_only: bool, modules: Sequence[str] = MODULES) -> int:
    """CLI body: 0 written (or up to date), 1 drift found by --check, 2 a plan error."""
    import hypothesis

    version = hypothesis.__version__
    stale = 0
    for name in modules:
        try:
            module_plan = draw_module(name)
        except (PlanDrift, plans.PlanError) as error:
            print(f"make-plans: {error}", file=sys.stderr)
            return 2
        old = stored(module_plan.path)
        differences = drift(module_plan, old, version)
        where = _shown(module_plan.path)
        if old is not None and old.get("hypothesis") != version:
            print(f"note: {where} was drawn with hypothesis {old.get('hypothesis')}, this is"
                  f" {version}: only its checks are compared, not their examples")
        if check_only:
            for line in differences:
                print(f"stale: {where}: {line}")
            stale += bool(differences)
            continue
        text = render(module_plan, version)
        if module_plan.path.is_file() and module_plan.path.read_text(encoding="utf-8") == text:
            continue
        module_plan.path.parent.mkdir(parents=True, exist_ok=True)
        module_plan.path.write_text(text, encoding="utf-8")
        print(f"updated: {where} ({len(module_plan.checks)} checks)")
    if check_only:
        if stale:
            print(f"{stale} plan file(s) are stale; run `autograder make-plans`")
            return 1
        print("plans up to date")
    return 0


def _shown(path: Path) -> str:
    root = Path(__file__).resolve().parents[2]
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="only report stale plans; exit 1 if any")


def run(args: argparse.Namespace) -> int:
    return make_plans(check_only=args.check)
