"""docs/AUTHORING.md stays true: its worked example (a fifth assignment) is built from the
document's own code blocks in a copy of the kit, its commands run, and it grades as the
document says: full marks for the reference, zero for the stubs, and a gradient bug costs
the gradient task only."""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "AUTHORING.md"
KIT_PARTS = ("autograder", "reference_solution", "assignments", "datasets")


def _blocks(kind: str) -> list[tuple[str, str]]:
    """(argument, body) of every ``<!-- authoring-KIND: ARG -->`` code block of the document."""
    pattern = rf"<!-- authoring-{kind}(?:: (\S+))? -->\n```\w+\n(.*?)```"
    return re.findall(pattern, DOC.read_text(), re.S)


def _commands() -> list[tuple[str, str]]:
    """(command, the comment the document gives as its outcome) of the commands block."""
    (block,) = _blocks("commands")
    lines = []
    for line in block[1].splitlines():
        command, _, comment = line.partition("#")
        if command.strip():
            lines.append((command.strip(), comment.strip()))
    return lines


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """A copy of the kit with the document's example applied (files written, line edited)."""
    root = tmp_path_factory.mktemp("authoring") / "kit"
    for part in KIT_PARTS:
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    examples = _blocks("example")
    assert len(examples) == 3, "the example is a reference, visible and hidden checks"
    for path, body in examples:
        assert not (root / path).exists(), f"the example must add {path}, not replace it"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(body)
    ((path, body),) = _blocks("edit")
    name = body.split("=")[0].strip()
    target = root / path
    text, count = re.subn(rf"^{re.escape(name)} = .*$", body.strip(), target.read_text(),
                          flags=re.M)
    assert count == 1, f"{path} has no line '{name} = ...' to edit"
    target.write_text(text)
    return root


def _autograder(kit: Path, command: str) -> subprocess.CompletedProcess:
    """``autograder ARGS`` as the document writes it, run on the copy (not this install)."""
    assert command.startswith("autograder ")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    env["PYTHONPATH"] = os.pathsep.join([str(kit), *site.getsitepackages()])
    return subprocess.run(
        [sys.executable, "-S", "-m", "autograder", *command.split()[1:]],
        cwd=kit, env=env, capture_output=True, text=True, timeout=600,
    )


def test_the_documented_commands_build_and_grade_the_example(kit):
    outputs = {}
    for command, outcome in _commands():
        done = _autograder(kit, command)
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        outputs[command] = (done.stdout, outcome)
    stub = kit / "assignments" / "a5_linreg" / "linreg.py"
    assert 'raise NotImplementedError("Task 5.2: implement mse_gradient")' in stub.read_text()
    for command, (stdout, outcome) in outputs.items():
        said = re.match(r"(\d+\.\d\d) / (\d+\.\d\d)", outcome)
        if said:  # the document's "5.00 / 5.00" and "0.00 / 5.00" are what grading prints
            assert f"Total: {said[1]} / {said[2]} points" in stdout, (command, stdout[-1500:])
        quoted = re.search(r'"([^"]+)"', outcome)
        if quoted:
            assert quoted[1] in stdout, (command, quoted[1])
    ref = json.loads((kit / "ref.json").read_text())
    assert ref["score"] == sum(t["max_score"] for t in ref["tests"]) > 0


def test_a_gradient_bug_costs_the_gradient_task_only(kit, tmp_path):
    buggy = tmp_path / "submission" / "a5_linreg"
    buggy.mkdir(parents=True)
    source = (kit / "reference_solution" / "a5_linreg" / "linreg.py").read_text()
    assert "return 2.0 * X.T @ residual / len(X)" in source
    (buggy / "linreg.py").write_text(source.replace("2.0 * X.T", "X.T"))
    done = _autograder(kit, f"autograder grade {buggy.parent} --results {tmp_path / 'r.json'}")
    assert done.returncode == 0, done.stderr
    tests = {t["number"]: t for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    assert tests["5.2"]["score"] == 0
    assert tests["5.1"]["score"] == tests["5.1"]["max_score"] > 0
    assert "mse_gradient" in done.stdout and "relative error" in done.stdout
    # The call to paste names every argument, as for the kit's own four assignments: the
    # names come from the new module's own stub, not from a table of the four.
    assert re.search(r"mse_gradient\(\s*w=", done.stdout), done.stdout[-1500:]
