"""The stub generator: marker parsing on small synthetic sources, and drift of assignments/."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.staff import stubs

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
ASSIGNMENTS = REPO / "assignments"


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --------------------------------------------------------------------- make_stub / markers

SIMPLE = src(
    '''
    import numpy as np


    def add_bias(X):
        """Append ones.  Shapes: (n, d) -> (n, d+1)."""
        ### BEGIN SOLUTION task=1.1
        ones = np.ones((X.shape[0], 1))
        return np.hstack([X, ones])
        ### END SOLUTION


    CONSTANT = 3
    '''
)


def test_block_becomes_raise_and_rest_is_kept_byte_for_byte():
    expected = src(
        '''
        import numpy as np


        def add_bias(X):
            """Append ones.  Shapes: (n, d) -> (n, d+1)."""
            raise NotImplementedError("Task 1.1: implement add_bias")


        CONSTANT = 3
        '''
    )
    assert stubs.make_stub(SIMPLE, "m.py") == expected


def test_method_block_is_named_after_class_and_method_at_its_indentation():
    source = src(
        '''
        class Value:
            def __add__(self, other):
                """Sum node."""
                other = other if isinstance(other, Value) else Value(other)
                ### BEGIN SOLUTION task=3.1
                out = Value(self.data + other.data)
                return out
                ### END SOLUTION

            def keep(self):
                return 1
        '''
    )
    stub = stubs.make_stub(source, "engine.py")
    assert '        raise NotImplementedError("Task 3.1: implement Value.__add__")\n' in stub
    assert "other = other if isinstance(other, Value) else Value(other)" in stub
    assert "out = Value" not in stub
    assert "def keep(self):\n        return 1" in stub


def test_several_blocks_in_one_file_each_get_their_own_task():
    source = src(
        """
        def a():
            ### BEGIN SOLUTION task=2.1
            return 1
            ### END SOLUTION


        def b():
            if True:
                ### BEGIN SOLUTION task=2.2
                return 2
                ### END SOLUTION
        """
    )
    stub = stubs.make_stub(source, "m.py")
    namespace: dict = {}
    exec(compile(stub, "m.py", "exec"), namespace)
    for name, task in (("a", "2.1"), ("b", "2.2")):
        with pytest.raises(NotImplementedError, match=rf"^Task {task}: implement {name}$"):
            namespace[name]()


def test_crlf_sources_keep_crlf():
    stub = stubs.make_stub(SIMPLE.replace("\n", "\r\n"), "m.py")
    assert 'raise NotImplementedError("Task 1.1: implement add_bias")\r\n' in stub
    assert "\n" not in stub.replace("\r\n", "")


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", 2, "without a task id"),
        ("    ### BEGIN SOLUTION task=\n    return 1\n    ### END SOLUTION\n", 2, "malformed"),
        ("    ##BEGIN SOLUTION task=1.1\n    return 1\n    ### END SOLUTION\n", 2, "malformed"),
        ("    ### BEGIN SOLUTION task=1.1\n    return 1\n", 2, "unterminated"),
        ("    return 1\n    ### END SOLUTION\n", 3, "without a matching BEGIN"),
        (
            "    ### BEGIN SOLUTION task=1.1\n    ### BEGIN SOLUTION task=1.2\n"
            "    return 1\n    ### END SOLUTION\n    ### END SOLUTION\n",
            3,
            "nested",
        ),
    ],
    ids=["no-task", "empty-task", "typo", "unterminated", "stray-end", "nested"],
)
def test_marker_errors_name_file_and_line(body, line, fragment):
    source = "def f():\n" + body
    with pytest.raises(stubs.StubError, match=rf"^ref/m\.py:{line}: .*{fragment}"):
        stubs.make_stub(source, "ref/m.py")


def test_block_outside_a_function_is_an_error():
    source = "### BEGIN SOLUTION task=1.1\nX = 1\n### END SOLUTION\n"
    with pytest.raises(stubs.StubError, match=r"m\.py:1: .*outside any function"):
        stubs.make_stub(source, "m.py")


def test_block_spanning_two_functions_is_an_error():
    source = src(
        """
        def f():
            ### BEGIN SOLUTION task=1.1
            return 1


        def g():
            return 2
            ### END SOLUTION
        """
    )
    with pytest.raises(stubs.StubError, match=r"m\.py:2: .*past the end of f"):
        stubs.make_stub(source, "m.py")


def test_task_of_another_assignment_is_an_error():
    with pytest.raises(
        stubs.StubError, match=r"m\.py:6: task 1\.1 does not belong to assignment 2"
    ):
        stubs.make_stub(SIMPLE, "m.py", assignment=2)


def test_stub_that_would_not_compile_fails_loudly():
    # A BEGIN marker indented deeper than the code around it: fine as a comment in the
    # reference, an "unexpected indent" once it becomes a raise statement.
    source = src(
        """
        def f():
            x = 1
                ### BEGIN SOLUTION task=1.1
            return x
            ### END SOLUTION
        """
    )
    compile(source, "m.py", "exec")  # the reference itself is valid
    with pytest.raises(stubs.StubError, match=r"m\.py: the generated stub is not valid Python"):
        stubs.make_stub(source, "m.py")


def test_reference_with_syntax_error_is_reported():
    with pytest.raises(stubs.StubError, match=r"m\.py:1: reference does not parse"):
        stubs.make_stub("def f(:\n    pass\n", "m.py")


# --------------------------------------------------------------------- generate / check


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    ref, out = tmp_path / "reference_solution", tmp_path / "assignments"
    (ref / "a1_toy" / "__pycache__").mkdir(parents=True)
    (ref / "a1_toy" / "toy.py").write_text(SIMPLE)
    (ref / "a1_toy" / "a1_toy.ipynb").write_text(json.dumps({"cells": [], "nbformat": 4}))
    (ref / "a1_toy" / "__pycache__" / "toy.cpython-311.pyc").write_bytes(b"\0junk")
    (ref / "a1_toy" / "__pycache__" / "cached.py").write_text("### BEGIN SOLUTION\n")
    (ref / "not_an_assignment").mkdir()
    (ref / "not_an_assignment" / "x.py").write_text("### BEGIN SOLUTION\n")
    return ref, out


def test_generate_writes_stubs_copies_notebooks_and_skips_caches(tree):
    ref, out = tree
    written = stubs.generate(ref, out)
    assert sorted(p.relative_to(out).as_posix() for p in written) == [
        "a1_toy/a1_toy.ipynb",
        "a1_toy/toy.py",
        "conftest.py",
    ]
    assert (
        'raise NotImplementedError("Task 1.1: implement add_bias")'
        in (out / "a1_toy" / "toy.py").read_text()
    )
    assert (out / "a1_toy" / "a1_toy.ipynb").read_bytes() == (
        ref / "a1_toy" / "a1_toy.ipynb"
    ).read_bytes()
    assert not (out / "not_an_assignment").exists()
    assert stubs.check(ref, out) == []


def test_check_reports_edited_missing_and_stale_files(tree):
    ref, out = tree
    stubs.generate(ref, out)
    (out / "a1_toy" / "toy.py").write_text("edited by hand\n")
    (out / "a1_toy" / "a1_toy.ipynb").unlink()
    (out / "a1_toy" / "old.py").write_text("x = 1\n")
    assert stubs.check(ref, out) == ["a1_toy/a1_toy.ipynb", "a1_toy/old.py", "a1_toy/toy.py"]
    stubs.generate(ref, out)
    assert not (out / "a1_toy" / "old.py").exists()
    assert stubs.check(ref, out) == []


def test_generate_writes_nothing_when_a_marker_is_broken(tree):
    ref, out = tree
    (ref / "a1_toy" / "zz_broken.py").write_text("def f():\n    ### BEGIN SOLUTION\n")
    with pytest.raises(stubs.StubError, match="zz_broken.py:2"):
        stubs.generate(ref, out)
    assert not out.exists()


def test_make_stubs_exit_codes(tree, capsys):
    ref, out = tree
    root = ref.parent
    assert stubs.make_stubs(root, check_only=True) == 1
    assert "drifted: assignments/a1_toy/toy.py" in capsys.readouterr().out
    assert stubs.make_stubs(root, check_only=False) == 0
    assert "updated: assignments/a1_toy/toy.py" in capsys.readouterr().out
    assert stubs.make_stubs(root, check_only=True) == 0
    (ref / "a1_toy" / "toy.py").write_text("def f():\n    ### END SOLUTION\n")
    assert stubs.make_stubs(root, check_only=False) == 2
    assert "toy.py:2" in capsys.readouterr().err


# --------------------------------------------------------------------- the real tree

REFERENCE_DIRS = sorted(
    d.name for d in REFERENCE.glob("a*_*") if d.is_dir() and any(d.glob("*.py"))
)


@pytest.mark.parametrize("assignment", REFERENCE_DIRS)
def test_committed_stubs_match_the_generator(assignment):
    drifted = stubs.check(REFERENCE, ASSIGNMENTS, only=[assignment])
    assert drifted == [], f"run `autograder make-stubs`: {drifted}"


def _import_by_path(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resolve(module, dotted: str):
    """The object at ``dotted`` (``Value.__add__``), or None inside a function (a closure)."""
    obj = module
    for part in dotted.split("."):
        if inspect.isfunction(obj):
            return None
        obj = getattr(obj, part)
    return obj


def _raises_first(function) -> bool:
    """True when the function's first statement after its docstring is a raise."""
    body = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0].body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body) and isinstance(body[0], ast.Raise)


@pytest.mark.parametrize("assignment", REFERENCE_DIRS)
def test_every_stub_imports_and_raises_its_task(assignment, monkeypatch):
    number = int(assignment[1:].split("_")[0])
    monkeypatch.syspath_prepend(str(ASSIGNMENTS / assignment))
    for ref_file in sorted((REFERENCE / assignment).glob("*.py")):
        blocks = stubs.find_blocks(ref_file.read_text(), str(ref_file), number)
        stub_file = ASSIGNMENTS / assignment / ref_file.name
        module = _import_by_path(stub_file, f"_stub_{assignment}_{ref_file.stem}")
        stub_text = stub_file.read_text()
        for block in blocks:
            message = f"Task {block.task}: implement {block.function}"
            assert f'NotImplementedError("{message}")' in stub_text
            target = _resolve(module, block.function)
            if target is None or not _raises_first(target):
                continue  # a closure, or code runs before the raise: text check only
            owner = module
            for part in block.function.split(".")[:-1]:
                owner = getattr(owner, part)
            params = list(inspect.signature(target).parameters.values())
            args = [None] * sum(
                p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                for p in params
            )
            if inspect.isclass(owner) and params and params[0].name == "self":
                args[0] = owner.__new__(owner)
            with pytest.raises(NotImplementedError) as info:
                target(*args)
            assert str(info.value) == message
        sys.modules.pop(f"_stub_{assignment}_{ref_file.stem}", None)
