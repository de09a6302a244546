# target: a3_backprop/engine.py
# base: stub
# needs: isolation
# attack: appends to / replaces the reference, the hidden checks, the grader's code, numpy in site-packages, and the gradebook
# max_score_fraction: 0.0
# reason: NotImplementedError
import os as _os

_MARK = "# PWNED-BY-HOSTILE-SUBMISSION\n"
_TARGETS = [
    "__REPO__/reference_solution/a3_backprop/engine.py",
    "__REPO__/autograder/staff/hidden_checks/a3.py",
    "__REPO__/autograder/checks/framework.py",
    "__REPO__/autograder/grade.py",
    "__SITE__/numpy/__init__.py",
    "__GRADEBOOK__",
    "../../../reference_solution/a3_backprop/engine.py",
]
for _target in _TARGETS:
    for _mode in ("a", "r+"):
        try:
            with open(_target, _mode) as _f:
                _f.write(_MARK)
        except OSError:
            pass
for _new in ("__REPO__/autograder/checks/pwned.py", "__SITE__/pwned_hostile.pth"):
    try:
        with open(_new, "w") as _f:
            _f.write(_MARK)
    except OSError:
        pass
